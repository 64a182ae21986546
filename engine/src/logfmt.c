/*
 * logfmt.c — encoding and scanning of log generations and records (formats in logfmt.h).
 */
#include "logfmt.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "crc32c.h"
#include "page.h"

const char *lr_type_name(unsigned type)
{
    static const char *const names[] = {"?",          "PageDiff",  "PageImage",    "Commit",
                                        "DbCreate",   "DbAttach",  "DbDetach",     "BackupHeader",
                                        "BackupBegin", "BackupEnd", "BackupAbort", "GenEnd",
                                        "Term"};
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

static void put_sig12(uint8_t *p, const struct signature *s)
{
    put_u32(p, s->random);
    put_u64(p + 4, s->time_us);
}
static void get_sig12(const uint8_t *p, struct signature *s)
{
    s->random = get_u32(p);
    s->time_us = get_u64(p + 4);
}

void loghdr_encode(const struct loghdr *h, uint8_t *buf)
{
    memset(buf, 0, LOG_HDR_SIZE);
    put_u32(buf + 4, LOG_MAGIC);
    put_u32(buf + 8, LOG_VERSION);
    put_u32(buf + 12, h->gen);
    put_sig12(buf + 16, &h->sig);
    put_u64(buf + 28, (uint64_t)h->create_time);
    put_u64(buf + 36, (uint64_t)h->prev_create_time);
    put_u32(buf + 44, h->file_size);
    put_u32(buf + 48, h->page_size);
    memcpy(buf + 52, h->base, LOG_BASE_MAX);
    put_u32(buf + 56, h->ndb);
    size_t off = 60;
    for (uint32_t i = 0; i < h->ndb && i < DB_MAX; i++) {
        size_t pl = strlen(h->db[i].path);
        if (off + 18 + pl > LOG_HDR_SIZE) break; /* cannot happen: DB_MAX x OS_PATH_MAX fits */
        put_u32(buf + off, h->db[i].dbid);
        put_sig12(buf + off + 4, &h->db[i].sig);
        put_u16(buf + off + 16, (uint16_t)pl);
        memcpy(buf + off + 18, h->db[i].path, pl);
        off += 18 + pl;
    }
    put_u32(buf, crc32c(0, buf + 4, LOG_HDR_SIZE - 4));
}

JET_ERR loghdr_decode(const uint8_t *buf, size_t len, struct loghdr *h)
{
    if (len < LOG_HDR_SIZE) return JET_errLogFileCorrupt;
    if (get_u32(buf + 4) != LOG_MAGIC || get_u32(buf + 8) != LOG_VERSION) return JET_errLogFileCorrupt;
    if (get_u32(buf) != crc32c(0, buf + 4, LOG_HDR_SIZE - 4)) return JET_errLogFileCorrupt;
    memset(h, 0, sizeof *h);
    h->gen = get_u32(buf + 12);
    get_sig12(buf + 16, &h->sig);
    h->create_time = (int64_t)get_u64(buf + 28);
    h->prev_create_time = (int64_t)get_u64(buf + 36);
    h->file_size = get_u32(buf + 44);
    h->page_size = get_u32(buf + 48);
    memcpy(h->base, buf + 52, LOG_BASE_MAX);
    h->ndb = get_u32(buf + 56);
    if (h->ndb > DB_MAX) return JET_errLogFileCorrupt;
    /* sizes the engine trusts later (a spare generation is made file_size long, restore's cache
     * uses page_size): only the values the engine itself can write */
    if (h->file_size < LOG_SIZE_MIN_KB * 1024u || h->file_size > LOG_SIZE_MAX_KB * 1024u ||
        !page_size_valid(h->page_size))
        return JET_errLogFileCorrupt;
    size_t off = 60;
    for (uint32_t i = 0; i < h->ndb; i++) {
        if (off + 18 > LOG_HDR_SIZE) return JET_errLogFileCorrupt;
        h->db[i].dbid = get_u32(buf + off);
        get_sig12(buf + off + 4, &h->db[i].sig);
        size_t pl = get_u16(buf + off + 16);
        if (pl >= OS_PATH_MAX || off + 18 + pl > LOG_HDR_SIZE) return JET_errLogFileCorrupt;
        memcpy(h->db[i].path, buf + off + 18, pl);
        h->db[i].path[pl] = 0;
        off += 18 + pl;
    }
    return JET_errSuccess;
}

JET_ERR loghdr_read_path(const char *path, struct loghdr *h)
{
    os_file *f;
    uint8_t *buf = malloc(LOG_HDR_SIZE);
    if (!buf) return JET_errOutOfMemory;
    JET_ERR err = os_open(path, OS_READ, &f);
    if (err >= 0) {
        size_t got;
        err = os_pread(f, buf, LOG_HDR_SIZE, 0, &got);
        if (err >= 0) err = loghdr_decode(buf, got, h);
        os_close(f);
    }
    free(buf);
    return err;
}

uint32_t log_salt(const struct signature *sig, uint32_t gen)
{
    uint8_t b[16];
    put_u32(b, sig->random);
    put_u64(b + 4, sig->time_us);
    put_u32(b + 12, gen);
    return crc32c(0, b, sizeof b);
}

void lr_seal(uint8_t *rec, uint32_t salt)
{
    uint32_t len = get_u32(rec + 4);
    put_u32(rec, crc32c(salt, rec + 4, len - 4));
}

JET_ERR log_path_current(char *out, size_t cap, const char *dir, const char *base)
{
    char name[16];
    snprintf(name, sizeof name, "%s.log", base);
    return os_join(out, cap, dir, name);
}

JET_ERR log_path_gen(char *out, size_t cap, const char *dir, const char *base, uint32_t gen)
{
    char name[32];
    snprintf(name, sizeof name, "%s%08X.log", base, gen);
    return os_join(out, cap, dir, name);
}

JET_ERR log_path_spare(char *out, size_t cap, const char *dir, const char *base)
{
    char name[16];
    snprintf(name, sizeof name, "%stmp.log", base);
    return os_join(out, cap, dir, name);
}

JET_ERR ckpt_path(char *out, size_t cap, const char *dir, const char *base)
{
    char name[16];
    snprintf(name, sizeof name, "%s.chk", base);
    return os_join(out, cap, dir, name);
}

uint32_t log_name_gen(const char *name, const char *base)
{
    size_t bl = strlen(base);
    if (strncmp(name, base, bl) != 0 || strlen(name) != bl + 12 || strcmp(name + bl + 8, ".log") != 0)
        return 0;
    uint32_t gen = 0;
    for (size_t i = bl; i < bl + 8; i++) {
        char ch = name[i];
        unsigned v;
        if (ch >= '0' && ch <= '9')
            v = (unsigned)(ch - '0');
        else if (ch >= 'A' && ch <= 'F')
            v = (unsigned)(ch - 'A' + 10);
        else
            return 0;
        gen = gen * 16 + v;
    }
    return gen;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

JET_ERR log_list_archived(const char *dir, const char *base, uint32_t **gens, size_t *n)
{
    *gens = NULL;
    *n = 0;
    DIR *d = opendir(dir && dir[0] ? dir : ".");
    if (!d) return os_err(errno);
    size_t cap = 0;
    struct dirent *e;
    JET_ERR err = JET_errSuccess;
    while ((e = readdir(d)) != NULL) {
        uint32_t g = log_name_gen(e->d_name, base);
        if (!g) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            uint32_t *p = realloc(*gens, cap * sizeof *p);
            if (!p) {
                err = JET_errOutOfMemory;
                break;
            }
            *gens = p;
        }
        (*gens)[(*n)++] = g;
    }
    closedir(d);
    if (err < 0) {
        free(*gens);
        *gens = NULL;
        *n = 0;
        return err;
    }
    if (*n) qsort(*gens, *n, sizeof **gens, cmp_u32);
    return JET_errSuccess;
}

JET_ERR logscan_open(const char *path, struct logscan *s)
{
    os_file *f;
    uint64_t size;
    JET_ERR err;
    memset(s, 0, sizeof *s);
    if ((err = os_open(path, OS_READ, &f)) < 0) return err;
    if ((err = os_size(f, &size)) < 0) goto out;
    if (size < LOG_HDR_SIZE || size > (uint64_t)LOG_SIZE_MAX_KB * 1024 * 2) {
        err = JET_errLogFileCorrupt;
        goto out;
    }
    s->data = malloc(size);
    if (!s->data) {
        err = JET_errOutOfMemory;
        goto out;
    }
    s->size = size;
    if ((err = os_pread_full(f, s->data, size, 0)) < 0) goto out;
    if ((err = loghdr_decode(s->data, size, &s->hdr)) < 0) goto out;
    s->salt = log_salt(&s->hdr.sig, s->hdr.gen);
    s->off = LOG_HDR_SIZE;
out:
    os_close(f);
    if (err < 0) {
        free(s->data);
        s->data = NULL;
    }
    return err;
}

int logscan_next(struct logscan *s, const uint8_t **rec, uint32_t *len)
{
    if (s->closed || s->bad_record) return 0;
    if (s->size - s->off < LR_HDR) {
        s->bad_record = 1;
        return 0;
    }
    const uint8_t *r = s->data + s->off;
    uint32_t l = get_u32(r + 4);
    if (l < LR_HDR || l > s->size - s->off || get_u32(r) != crc32c(s->salt, r + 4, l - 4)) {
        s->bad_record = 1;
        return 0;
    }
    s->off += l;
    if (r[8] == LR_GEN_END) {
        s->closed = 1;
        return 0;
    }
    *rec = r;
    *len = l;
    return 1;
}

void logscan_close(struct logscan *s)
{
    free(s->data);
    s->data = NULL;
}

void lrbuf_init(struct lrbuf *b) { memset(b, 0, sizeof *b); }
void lrbuf_free(struct lrbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
void lrbuf_reset(struct lrbuf *b)
{
    b->len = 0;
    b->nrec = 0;
    b->oom = 0;
}

uint8_t *lrbuf_add(struct lrbuf *b, unsigned type, size_t payload)
{
    size_t need = LR_HDR + payload;
    if (b->oom) return NULL;
    if (b->len + need > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + need) cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return NULL;
        }
        b->p = p;
        b->cap = cap;
    }
    uint8_t *r = b->p + b->len;
    put_u32(r, 0);
    put_u32(r + 4, (uint32_t)need);
    r[8] = (uint8_t)type;
    r[9] = 0;
    put_u16(r + 10, 0);
    b->len += need;
    b->nrec++;
    return r + LR_HDR;
}
