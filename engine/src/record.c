/*
 * record.c — encoding of records and the record-being-built buffer (format in record.h).
 */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"

void rec_clear(struct recbuf *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->v[i].p);
    r->n = 0;
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
    uint8_t *p = malloc(len ? len : 1);
    if (!p) return JET_errOutOfMemory;
    if (len) memcpy(p, data, len);
    memmove(r->v + i + 1, r->v + i, (r->n - i) * sizeof *r->v);
    r->v[i] = (struct colval){id, p, len};
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

JET_ERR rec_encode(const struct recbuf *r, uint8_t **out, uint32_t *len)
{
    uint64_t total = 2;
    for (size_t i = 0; i < r->n; i++) total += 8 + r->v[i].len;
    if (total > JET_cbRecordMostX || r->n > 0xffff) return JET_errRecordTooBig;
    uint8_t *p = malloc(total);
    if (!p) return JET_errOutOfMemory;
    put_u16(p, (uint16_t)r->n);
    uint32_t off = 2;
    for (size_t i = 0; i < r->n; i++) {
        put_u32(p + off, (uint32_t)r->v[i].id);
        put_u32(p + off + 4, r->v[i].len);
        memcpy(p + off + 8, r->v[i].p, r->v[i].len);
        off += 8 + r->v[i].len;
    }
    *out = p;
    *len = (uint32_t)total;
    return JET_errSuccess;
}

int rec_get(const struct recbuf *r, JET_COLUMNID id, unsigned long itag, const uint8_t **p, uint32_t *len)
{
    unsigned long seen = 0;
    if (itag == 0) itag = 1;
    for (size_t i = 0; i < r->n; i++) {
        if (r->v[i].id != id) continue;
        if (++seen == itag) {
            *p = r->v[i].p;
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
            free(r->v[first + itag - 1].p);
            memmove(r->v + first + itag - 1, r->v + first + itag, (r->n - (first + itag)) * sizeof *r->v);
            r->n--;
        }
        return JET_errSuccess;
    }
    if (itag <= count) {
        struct colval *cv = &r->v[first + itag - 1];
        uint32_t base = append ? cv->len : 0;
        if ((uint64_t)base + len > JET_cbRecordMostX) return JET_errRecordTooBig;
        uint8_t *p = realloc(cv->p, base + len ? base + len : 1);
        if (!p) return JET_errOutOfMemory;
        if (len) memcpy(p + base, data, len);
        cv->p = p;
        cv->len = base + len;
        return JET_errSuccess;
    }
    return insert_at(r, end, id, data, len);
}
