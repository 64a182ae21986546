/*
 * mtr.c — batches of page changes and their redo records (contract in mtr.h; record formats in
 * logfmt.h).
 */
#include "mtr.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "log.h"
#include "page.h"

#define DIFF_GAP 8 /* equal bytes that may sit inside one run rather than start a new one */

void mtr_begin(struct mtr *m, struct inst *inst)
{
    memset(m, 0, sizeof *m);
    m->inst = inst;
    lrbuf_init(&m->rec);
    m->max_pinned = cache_frames(inst->cache) - 8;
}

static size_t slot_of(const struct mtr *m, const struct frame *fr)
{
    return (size_t)(((uintptr_t)fr >> 4) * 0x9E3779B97F4A7C15ull >> 20) & (m->hcap - 1);
}

static struct mtr_page *find(struct mtr *m, struct frame *fr)
{
    if (!m->hcap) return NULL;
    for (size_t h = slot_of(m, fr);; h = (h + 1) & (m->hcap - 1)) {
        if (!m->hash[h]) return NULL;
        if (m->pages[m->hash[h] - 1].fr == fr) return &m->pages[m->hash[h] - 1];
    }
}

static JET_ERR rehash(struct mtr *m, size_t hcap)
{
    uint32_t *h = calloc(hcap, sizeof *h);
    if (!h) return JET_errOutOfMemory;
    free(m->hash);
    m->hash = h;
    m->hcap = hcap;
    for (size_t i = 0; i < m->n; i++) {
        size_t s = slot_of(m, m->pages[i].fr);
        while (m->hash[s]) s = (s + 1) & (hcap - 1);
        m->hash[s] = (uint32_t)i + 1;
    }
    return JET_errSuccess;
}

static JET_ERR track(struct mtr *m, struct db *db, struct frame *fr, int is_new)
{
    JET_ERR err;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 32;
        struct mtr_page *p = realloc(m->pages, cap * sizeof *p);
        if (!p) return JET_errOutOfMemory;
        m->pages = p;
        m->cap = cap;
    }
    if ((m->n + 1) * 2 > m->hcap && (err = rehash(m, m->hcap ? m->hcap * 2 : 64)) < 0) return err;
    m->pages[m->n] = (struct mtr_page){fr, db, NULL, (uint8_t)is_new};
    size_t s = slot_of(m, fr);
    while (m->hash[s]) s = (s + 1) & (m->hcap - 1);
    m->hash[s] = (uint32_t)++m->n;
    return JET_errSuccess;
}

JET_ERR mtr_get(struct mtr *m, struct db *db, uint32_t pgno, struct frame **out)
{
    if (m->n >= m->max_pinned) return JET_errVersionStoreOutOfMemory;
    JET_ERR err = cache_get(m->inst->cache, db, pgno, CG_READ, out);
    if (err < 0) return err;
    if (find(m, *out)) {
        cache_put(m->inst->cache, *out); /* already pinned by this batch */
        return JET_errSuccess;
    }
    if ((err = track(m, db, *out, 0)) < 0) cache_put(m->inst->cache, *out);
    return err;
}

JET_ERR mtr_new(struct mtr *m, struct db *db, uint32_t pgno, struct frame **out)
{
    if (m->n >= m->max_pinned) return JET_errVersionStoreOutOfMemory;
    /* A new page extends the file (space.c): no page of this batch can have its number unless the
     * space page's count lies (a damaged database). Making it new would zero, in place, a page
     * the caller is still using (found by fuzz/fuzz_recovery: a split then read past its cells). */
    for (size_t i = 0; i < m->n; i++)
        if (m->pages[i].db == db && m->pages[i].fr->pgno == pgno) return JET_errDatabaseCorrupted;
    struct frame *fr;
    JET_ERR err = cache_get(m->inst->cache, db, pgno, CG_NEW, &fr);
    if (err < 0) return err;
    struct mtr_page *p = find(m, fr);
    if (p) {
        /* A page freed and reused inside the batch: it stays new (logged whole). */
        cache_put(m->inst->cache, fr);
        p->is_new = 1;
    } else {
        if ((err = track(m, db, fr, 1)) < 0) {
            cache_put(m->inst->cache, fr);
            return err;
        }
        p = &m->pages[m->n - 1];
    }
    /* A new page's before-image is all zeros; it is always logged whole. */
    if (!p->before) {
        p->before = calloc(1, m->inst->params.page_size);
        if (!p->before) return JET_errOutOfMemory;
    }
    *out = fr;
    return JET_errSuccess;
}

JET_ERR mtr_write(struct mtr *m, struct db *db, struct frame *fr)
{
    struct mtr_page *p = find(m, fr);
    if (!p) return JET_errInvalidParameter; /* not pinned through this batch: a bug */
    if (p->before) return JET_errSuccess;
    p->before = malloc(m->inst->params.page_size);
    if (!p->before) return JET_errOutOfMemory;
    memcpy(p->before, fr->data, m->inst->params.page_size);
    (void)db;
    return JET_errSuccess;
}

JET_ERR mtr_renew(struct mtr *m, struct db *db, struct frame *fr)
{
    JET_ERR err = mtr_write(m, db, fr);
    if (err < 0) return err;
    find(m, fr)->is_new = 1;
    memset(fr->data, 0, m->inst->params.page_size);
    return JET_errSuccess;
}

uint8_t *mtr_control(struct mtr *m, unsigned type, size_t payload)
{
    return lrbuf_add(&m->rec, type, payload);
}

/* Longest run of zero bytes in [from, to): the hole a full image leaves out. Scans 8 bytes at a
 * time (pages are 8-byte aligned; from is a multiple of 8). */
static void longest_zero_run(const uint8_t *p, uint32_t from, uint32_t to, uint32_t *off, uint32_t *len)
{
    uint32_t best_off = to, best_len = 0, i = from;
    while (i < to) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w) {
            i += 8;
            continue;
        }
        uint32_t s = i;
        while (s > from && !p[s - 1]) s--; /* zeros ending the previous word */
        while (i < to) {
            memcpy(&w, p + i, 8);
            if (w) break;
            i += 8;
        }
        uint32_t e = i;
        while (e < to && !p[e]) e++;
        if (e - s > best_len) {
            best_len = e - s;
            best_off = s;
        }
        i = (e + 8) & ~7u;
    }
    *off = best_off;
    *len = best_len;
}

#define RUNS_MAX 64

/* The byte runs where before and after differ, in [from, pgsz), merging runs separated by fewer
 * than DIFF_GAP equal bytes. Returns the number of runs, or RUNS_MAX + 1 when there are more. */
static unsigned diff_runs(const uint8_t *before, const uint8_t *after, uint32_t from, uint32_t pgsz,
                          uint32_t (*runs)[2], uint32_t *bytes)
{
    unsigned n = 0;
    *bytes = 0;
    for (uint32_t i = from; i < pgsz; i += 8) {
        uint64_t a, b;
        memcpy(&a, before + i, 8);
        memcpy(&b, after + i, 8);
        if (a == b) continue;
        uint32_t s = i, e = i + 8;
        while (before[s] == after[s]) s++;
        while (before[e - 1] == after[e - 1]) e--;
        if (n && s - runs[n - 1][1] <= DIFF_GAP) {
            *bytes += e - runs[n - 1][1];
            runs[n - 1][1] = e;
            continue;
        }
        if (n == RUNS_MAX) return RUNS_MAX + 1;
        runs[n][0] = s;
        runs[n][1] = e;
        *bytes += e - s;
        n++;
    }
    return n;
}

void mtr_encode_page(struct lrbuf *rec, uint32_t dbid, uint32_t pgno, const uint8_t *before,
                     const uint8_t *after, uint32_t pgsz, int full_image)
{
    const uint32_t from = PAGE_OFF_TYPE; /* checksum, pgno and dbtime travel in the header */
    uint32_t runs[RUNS_MAX][2], bytes = 0;
    unsigned nruns = 0;
    if (!full_image) {
        nruns = diff_runs(before, after, from, pgsz, runs, &bytes);
        /* A diff bigger than half the page is not worth it: log the image. */
        if (nruns > RUNS_MAX || 26 + 4 * nruns + bytes > pgsz / 2) full_image = 1;
    }
    if (full_image) {
        uint32_t hoff, hlen;
        longest_zero_run(after, from, pgsz, &hoff, &hlen);
        uint32_t n = pgsz - from - hlen;
        uint8_t *p = lrbuf_add(rec, LR_PAGE_IMAGE, 20 + n);
        if (!p) return;
        put_u32(p, dbid);
        put_u32(p + 4, pgno);
        put_u64(p + 8, page_dbtime(after));
        put_u16(p + 16, (uint16_t)hoff);
        put_u16(p + 18, (uint16_t)hlen);
        memcpy(p + 20, after + from, hoff - from);
        memcpy(p + 20 + (hoff - from), after + hoff + hlen, pgsz - hoff - hlen);
        return;
    }
    uint8_t *p = lrbuf_add(rec, LR_PAGE_DIFF, 26 + 4 * nruns + bytes);
    if (!p) return;
    put_u32(p, dbid);
    put_u32(p + 4, pgno);
    put_u64(p + 8, page_dbtime(before));
    put_u64(p + 16, page_dbtime(after));
    put_u16(p + 24, (uint16_t)nruns);
    uint8_t *q = p + 26;
    for (unsigned i = 0; i < nruns; i++) {
        uint32_t l = runs[i][1] - runs[i][0];
        put_u16(q, (uint16_t)runs[i][0]);
        put_u16(q + 2, (uint16_t)l);
        memcpy(q + 4, after + runs[i][0], l);
        q += 4 + l;
    }
}

static void release_all(struct mtr *m)
{
    for (size_t i = 0; i < m->n; i++) {
        cache_put(m->inst->cache, m->pages[i].fr);
        free(m->pages[i].before);
    }
    free(m->pages);
    free(m->hash);
    lrbuf_free(&m->rec);
    m->pages = NULL;
    m->hash = NULL;
    m->n = m->cap = m->hcap = 0;
}

void mtr_abort(struct mtr *m)
{
    uint32_t pgsz = m->inst->params.page_size;
    /* Restore in reverse so the oldest before-image of a page wins. */
    for (size_t i = m->n; i-- > 0;)
        if (m->pages[i].before) memcpy(m->pages[i].fr->data, m->pages[i].before, pgsz);
    release_all(m);
}

JET_ERR mtr_commit(struct mtr *m, int with_commit, lgpos_t *end)
{
    struct inst *inst = m->inst;
    uint32_t pgsz = inst->params.page_size;
    JET_ERR err = JET_errSuccess;
    lgpos_t lsn = 0;
    size_t changed = 0;
    for (size_t i = 0; i < m->n; i++) {
        struct mtr_page *p = &m->pages[i];
        if (!p->before) continue; /* read only */
        if (!p->is_new && memcmp(p->before + PAGE_OFF_TYPE, p->fr->data + PAGE_OFF_TYPE,
                                 pgsz - PAGE_OFF_TYPE) == 0)
            continue;
        page_set_dbtime(p->fr->data, ++p->db->dbtime);
        int full = p->is_new || p->fr->torn || p->fr->fpi_epoch != inst->fpi_epoch;
        mtr_encode_page(&m->rec, p->db->dbid, p->fr->pgno, p->before, p->fr->data, pgsz, full);
        changed++;
    }
    if (with_commit && (changed || m->rec.nrec)) {
        uint8_t *c = lrbuf_add(&m->rec, LR_COMMIT, 8);
        if (c) put_u64(c, (uint64_t)os_now_us());
    }
    if (m->rec.oom) {
        err = JET_errOutOfMemory;
        goto HandleError;
    }
    if (m->rec.nrec && inst->log) Call(log_append(inst->log, &m->rec, &lsn));
    for (size_t i = 0; i < m->n; i++) {
        struct mtr_page *p = &m->pages[i];
        if (!p->before) continue;
        if (!p->is_new && memcmp(p->before + PAGE_OFF_TYPE, p->fr->data + PAGE_OFF_TYPE,
                                 pgsz - PAGE_OFF_TYPE) == 0)
            continue;
        if (p->fr->fpi_epoch != inst->fpi_epoch || p->is_new || p->fr->torn) {
            p->fr->fpi_epoch = inst->fpi_epoch;
            p->fr->torn = 0;
        }
        cache_set_dirty(inst->cache, p->fr, lsn);
    }
    if (end) *end = lsn;
    release_all(m);
    return JET_errSuccess;
HandleError:
    mtr_abort(m);
    return err;
}
