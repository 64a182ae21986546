/*
 * record.c — encoding of records and the record-being-built buffer (format in record.h).
 * A recbuf keeps its values in one arena: a set appends the new bytes and points the column at
 * them (the old bytes stay until the record is cleared), so building a record allocates only when
 * the arena or the value array grows.
 */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"

void rec_clear(struct recbuf *r)
{
    r->n = 0;
    r->alen = 0;
}

void rec_free(struct recbuf *r)
{
    free(r->v);
    free(r->arena);
    memset(r, 0, sizeof *r);
}

/* Room for len more arena bytes; returns the offset they go to, or -1 on out-of-memory. */
static long arena_reserve(struct recbuf *r, uint64_t len)
{
    if (r->alen + len > r->acap) {
        size_t cap = r->acap ? r->acap : 1024;
        while (cap < r->alen + len) cap *= 2;
        uint8_t *a = realloc(r->arena, cap);
        if (!a) return -1;
        r->arena = a;
        r->acap = cap;
    }
    long off = (long)r->alen;
    r->alen += len;
    return off;
}

static JET_ERR insert_at(struct recbuf *r, size_t i, JET_COLUMNID id, const void *data, uint32_t len)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        struct colval *v = realloc(r->v, cap * sizeof *v);
        if (!v) return JET_errOutOfMemory;
        r->v = v;
        r->cap = cap;
    }
    long off = arena_reserve(r, len);
    if (off < 0) return JET_errOutOfMemory;
    if (len) memcpy(r->arena + off, data, len);
    memmove(r->v + i + 1, r->v + i, (r->n - i) * sizeof *r->v);
    r->v[i] = (struct colval){id, (uint32_t)off, len};
    r->n++;
    return JET_errSuccess;
}

JET_ERR rec_decode(struct recbuf *r, const uint8_t *p, uint32_t len)
{
    rec_clear(r);
    if (len < 2) return len == 0 ? JET_errSuccess : JET_errDatabaseCorrupted;
    uint32_t n = get_u16(p), off = 2;
    for (uint32_t i = 0; i < n; i++) {
        if (off + 8 > len) return JET_errDatabaseCorrupted;
        uint32_t id = get_u32(p + off), l = get_u32(p + off + 4);
        if (l > len - off - 8) return JET_errDatabaseCorrupted;
        JET_ERR err = insert_at(r, r->n, id, p + off + 8, l);
        if (err < 0) return err;
        off += 8 + l;
    }
    return JET_errSuccess;
}

JET_ERR rec_encoded_size(const struct recbuf *r, uint32_t *len)
{
    uint64_t total = 2;
    for (size_t i = 0; i < r->n; i++) total += 8 + r->v[i].len;
    if (total > JET_cbRecordMostX || r->n > 0xffff) return JET_errRecordTooBig;
    *len = (uint32_t)total;
    return JET_errSuccess;
}

void rec_encode_into(const struct recbuf *r, uint8_t *p)
{
    put_u16(p, (uint16_t)r->n);
    uint32_t off = 2;
    for (size_t i = 0; i < r->n; i++) {
        put_u32(p + off, (uint32_t)r->v[i].id);
        put_u32(p + off + 4, r->v[i].len);
        if (r->v[i].len) memcpy(p + off + 8, r->arena + r->v[i].off, r->v[i].len);
        off += 8 + r->v[i].len;
    }
}

int rec_get(const struct recbuf *r, JET_COLUMNID id, unsigned long itag, const uint8_t **p, uint32_t *len)
{
    unsigned long seen = 0;
    if (itag == 0) itag = 1;
    for (size_t i = 0; i < r->n; i++) {
        if (r->v[i].id != id) continue;
        if (++seen == itag) {
            *p = r->arena + r->v[i].off;
            *len = r->v[i].len;
            return 1;
        }
    }
    return 0;
}

int rec_find(const uint8_t *rec, uint32_t reclen, JET_COLUMNID id, unsigned long itag, const uint8_t **p,
             uint32_t *len)
{
    if (reclen < 2) return 0;
    uint32_t n = get_u16(rec), off = 2;
    unsigned long seen = 0;
    if (itag == 0) itag = 1;
    for (uint32_t i = 0; i < n; i++) {
        if (off + 8 > reclen) return -1;
        uint32_t cid = get_u32(rec + off), l = get_u32(rec + off + 4);
        if (l > reclen - off - 8) return -1;
        if (cid == id && ++seen == itag) {
            *p = rec + off + 8;
            *len = l;
            return 1;
        }
        if (cid > id) return 0;
        off += 8 + l;
    }
    return 0;
}

unsigned long rec_count(const struct recbuf *r, JET_COLUMNID id)
{
    unsigned long n = 0;
    for (size_t i = 0; i < r->n; i++) n += r->v[i].id == id;
    return n;
}

JET_ERR rec_set(struct recbuf *r, JET_COLUMNID id, unsigned long itag, const void *data, uint32_t len, int append,
                int multi)
{
    /* Locate the column's run [first, end) of values. */
    size_t first = 0;
    while (first < r->n && r->v[first].id < id) first++;
    size_t end = first;
    while (end < r->n && r->v[end].id == id) end++;
    size_t count = end - first;
    if (!multi) itag = 1;
    if (itag == 0) itag = count + 1;
    if (data == NULL) {
        if (itag <= count) {
            memmove(r->v + first + itag - 1, r->v + first + itag, (r->n - (first + itag)) * sizeof *r->v);
            r->n--;
        }
        return JET_errSuccess;
    }
    if (itag <= count) {
        struct colval *cv = &r->v[first + itag - 1];
        uint32_t base = append ? cv->len : 0;
        if ((uint64_t)base + len > JET_cbRecordMostX) return JET_errRecordTooBig;
        if (append && cv->off + cv->len == r->alen) {
            /* The value is the arena's last: extend it in place. */
            if (arena_reserve(r, len) < 0) return JET_errOutOfMemory;
            memcpy(r->arena + cv->off + base, data, len);
            cv->len = base + len;
            return JET_errSuccess;
        }
        long off = arena_reserve(r, (uint64_t)base + len);
        if (off < 0) return JET_errOutOfMemory;
        if (base) memmove(r->arena + off, r->arena + cv->off, base);
        if (len) memcpy(r->arena + off + base, data, len);
        cv->off = (uint32_t)off;
        cv->len = base + len;
        return JET_errSuccess;
    }
    return insert_at(r, end, id, data, len);
}
