/*
 * image.c — log generations and database files from compact fuzz inputs (see image.h).
 */
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/src/codec.h"
#include "../engine/src/crc32c.h"
#include "../engine/src/logfmt.h"
#include "../engine/src/page.h"

/* Offsets of the generation header fields (logfmt.h). */
#define HDR_CRC 0
#define HDR_MAGIC 4
#define HDR_VERSION 8
#define HDR_GEN 12
#define HDR_SIG 16
#define HDR_FILE_SIZE 44
#define HDR_PAGE_SIZE 48
/* LR_DB_CREATE / LR_DB_ATTACH payload: u32 dbid, u32 page size, signature (12), u16 length, path. */
#define DBREC_SIG 8
#define DBREC_PATHLEN 20
#define DBREC_PATH 22

struct grow {
    uint8_t *p;
    size_t len, cap;
};

static void grow_put(struct grow *g, const void *data, size_t n)
{
    if (n == 0) return;
    if (g->len + n > g->cap) {
        size_t cap = g->cap ? g->cap : 4096;
        while (cap < g->len + n) cap *= 2;
        uint8_t *p = realloc(g->p, cap);
        if (p == NULL) abort();
        g->p = p;
        g->cap = cap;
    }
    memcpy(g->p + g->len, data, n);
    g->len += n;
}

static void sandbox_path(const struct fz_sandbox *sb, uint32_t dbid, char *out, size_t cap)
{
    snprintf(out, cap, "%s/db%u.edb", sb->dir, (unsigned)(dbid % 1000));
}

static void put_sig12(uint8_t *p, const struct signature *s)
{
    put_u32(p, s->random);
    put_u64(p + 4, s->time_us);
}

/* Copies the record stream, rewriting database paths into the sandbox and re-sealing. */
static void build_records(const uint8_t *r, size_t rn, uint32_t salt, unsigned flags,
                          const struct fz_sandbox *sb, struct grow *out)
{
    size_t off = 0;
    uint8_t *rec = malloc(65536 + FZ_PATH_MAX + LR_HDR + DBREC_PATH);
    if (rec == NULL) abort();
    while (rn - off >= LR_HDR) {
        const uint8_t *src = r + off;
        uint32_t len = get_u32(src + 4);
        if (len < LR_HDR || len > rn - off) break;
        int valid = get_u32(src) == crc32c(salt, src + 4, len - 4);
        size_t n = len;
        memcpy(rec, src, len);
        unsigned type = src[8];
        if (sb && (type == LR_DB_CREATE || type == LR_DB_ATTACH) && len >= LR_HDR + DBREC_PATH) {
            const uint8_t *pay = src + LR_HDR;
            uint32_t pl = get_u16(pay + DBREC_PATHLEN);
            size_t tail_from = LR_HDR + DBREC_PATH + pl;
            size_t tail = tail_from <= len ? len - tail_from : 0;
            char path[FZ_PATH_MAX];
            sandbox_path(sb, get_u32(pay), path, sizeof path);
            size_t npl = strlen(path);
            uint8_t *dst = rec + LR_HDR;
            if (flags & FZ_FORCE_SIGNATURE) put_sig12(dst + DBREC_SIG, &sb->db_sig);
            put_u16(dst + DBREC_PATHLEN, (uint16_t)npl);
            memcpy(dst + DBREC_PATH, path, npl);
            if (tail) memcpy(dst + DBREC_PATH + npl, src + tail_from, tail);
            n = LR_HDR + DBREC_PATH + npl + tail;
            put_u32(rec + 4, (uint32_t)n);
        }
        if (valid || (flags & FZ_FIX_RECORDS)) lr_seal(rec, salt);
        grow_put(out, rec, n);
        off += len;
    }
    free(rec);
    grow_put(out, r + off, rn - off); /* what does not parse as records, as it came */
}

/* The header's final form: repairs, then (when it verifies) paths moved into the sandbox. */
static void finish_header(uint8_t *hdr, size_t file_size, unsigned flags, const struct fz_sandbox *sb)
{
    if (flags & FZ_FIX_LOGSIZE) {
        put_u32(hdr + HDR_FILE_SIZE, (uint32_t)file_size);
        put_u32(hdr + HDR_PAGE_SIZE, FZ_PAGE_SIZE);
    }
    if (flags & FZ_FIX_LOGHDR) {
        put_u32(hdr + HDR_MAGIC, LOG_MAGIC);
        put_u32(hdr + HDR_VERSION, LOG_VERSION);
        put_u32(hdr + HDR_CRC, crc32c(0, hdr + 4, LOG_HDR_SIZE - 4));
    }
    struct loghdr *h = malloc(sizeof *h);
    if (h == NULL) abort();
    if (sb && loghdr_decode(hdr, LOG_HDR_SIZE, h) == JET_errSuccess) {
        for (uint32_t i = 0; i < h->ndb && i < DB_MAX; i++) {
            sandbox_path(sb, h->db[i].dbid, h->db[i].path, sizeof h->db[i].path);
            if (flags & FZ_FORCE_SIGNATURE) h->db[i].sig = sb->db_sig;
        }
        loghdr_encode(h, hdr); /* re-sealed: it verified before, it verifies now */
    }
    free(h);
}

void fz_log_image(struct fz_in *in, unsigned flags, const struct fz_sandbox *sb, size_t max_records_bytes,
                  struct fz_image *out)
{
    size_t hn, rn;
    const uint8_t *h = fz_bytes(in, LOG_HDR_SIZE, &hn);
    const uint8_t *r = fz_bytes(in, max_records_bytes, &rn);
    struct grow recs = {0};
    uint8_t *hdr = calloc(1, LOG_HDR_SIZE);
    if (hdr == NULL) abort();
    memcpy(hdr, h, hn);
    struct signature sig = {get_u32(hdr + HDR_SIG), get_u64(hdr + HDR_SIG + 4)};
    build_records(r, rn, log_salt(&sig, get_u32(hdr + HDR_GEN)), flags, sb, &recs);
    size_t size = LOG_HDR_SIZE + recs.len;
    if (size < FZ_LOG_SIZE) size = FZ_LOG_SIZE;
    out->p = calloc(1, size);
    if (out->p == NULL) abort();
    out->len = size;
    finish_header(hdr, size, flags, sb);
    memcpy(out->p, hdr, LOG_HDR_SIZE);
    if (recs.len) memcpy(out->p + LOG_HDR_SIZE, recs.p, recs.len);
    free(recs.p);
    free(hdr);
}

void fz_db_image(struct fz_in *in, unsigned flags, struct fz_image *out)
{
    uint32_t pgsz = FZ_PAGE_SIZE << (fz_u8(in) % 4);
    unsigned most = FZ_DB_BYTES_MAX / pgsz < FZ_DB_PAGES_MAX ? FZ_DB_BYTES_MAX / pgsz : FZ_DB_PAGES_MAX;
    unsigned want = fz_u8(in);
    if (want == 0 || want > most) want = most;
    out->p = calloc(want < 2 ? 2 : want, pgsz);
    if (out->p == NULL) abort();
    unsigned n = 0;
    while (n < want && in->off < in->len) {
        size_t len;
        const uint8_t *p = fz_bytes(in, pgsz, &len);
        memcpy(out->p + (size_t)n * pgsz, p, len);
        n++;
    }
    if (n < 2) n = 2; /* room for the two header copies */
    out->len = (size_t)n * pgsz;
    if (flags & FZ_FIX_PAGES)
        for (unsigned i = 0; i < n; i++) {
            uint8_t *pg = out->p + (size_t)i * pgsz;
            put_u32(pg + 4, i);
            page_seal(pg, pgsz);
        }
}

void fz_image_free(struct fz_image *img)
{
    free(img->p);
    img->p = NULL;
    img->len = 0;
}

/* Length of p[0, n) without its trailing zeros. */
static size_t trimmed(const uint8_t *p, size_t n)
{
    while (n > 0 && p[n - 1] == 0) n--;
    return n;
}

static void put_counted(struct grow *g, const uint8_t *p, size_t n)
{
    uint8_t len[2];
    if (n > 0xffff) n = 0xffff;
    put_u16(len, (uint16_t)n);
    grow_put(g, len, 2);
    grow_put(g, p, n);
}

void fz_compact_log(const uint8_t *file, size_t len, struct fz_image *out)
{
    struct grow g = {0};
    size_t hlen = len < LOG_HDR_SIZE ? len : LOG_HDR_SIZE;
    put_counted(&g, file, trimmed(file, hlen));
    put_counted(&g, file + hlen, trimmed(file + hlen, len - hlen));
    out->p = g.p;
    out->len = g.len;
}

void fz_compact_db(const uint8_t *file, size_t len, uint32_t page_size, struct fz_image *out)
{
    struct grow g = {0};
    uint8_t head[2] = {0, 0};
    for (uint32_t s = FZ_PAGE_SIZE; s < page_size; s *= 2) head[0]++;
    size_t pages = len / page_size;
    if (pages > FZ_DB_PAGES_MAX) pages = FZ_DB_PAGES_MAX;
    head[1] = (uint8_t)(pages == FZ_DB_PAGES_MAX ? 0 : pages);
    grow_put(&g, head, 2);
    for (size_t i = 0; i < pages; i++) {
        const uint8_t *pg = file + i * page_size;
        put_counted(&g, pg, trimmed(pg, page_size));
    }
    out->p = g.p;
    out->len = g.len;
}
