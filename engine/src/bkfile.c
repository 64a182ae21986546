/*
 * bkfile.c — streamed backup files: header snapshots, verified page and log reads, delivered
 * ranges (layout and rules in bkfile.h).
 */
#include "bkfile.h"

#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "crc32c.h"
#include "log.h"
#include "logfmt.h"
#include "page.h"
#include "space.h"

static JET_ERR prepare_log(struct inst *inst, struct bkfile *f)
{
    struct logscan s;
    if (!os_exists(f->path)) return JET_errMissingFileToBackup;
    JET_ERR err = logscan_open(f->path, &s);
    if (err == JET_errLogFileCorrupt) return JET_errLogReadVerifyFailure;
    if (err < 0) return err;
    if (!sig_equal(&s.hdr.sig, &inst->log_sig) || s.hdr.gen != f->gen) {
        logscan_close(&s);
        return JET_errLogReadVerifyFailure;
    }
    const uint8_t *rec;
    uint32_t len;
    while (logscan_next(&s, &rec, &len)) {
    }
    if (!s.closed) {
        logscan_close(&s);
        return JET_errLogReadVerifyFailure;
    }
    size_t nb = (s.size + BK_BLOCK - 1) / BK_BLOCK;
    f->blockcrc = malloc(nb * sizeof *f->blockcrc);
    if (!f->blockcrc) {
        logscan_close(&s);
        return JET_errOutOfMemory;
    }
    for (size_t i = 0; i < nb; i++) {
        size_t n = s.size - i * BK_BLOCK < BK_BLOCK ? s.size - i * BK_BLOCK : BK_BLOCK;
        f->blockcrc[i] = crc32c(0, s.data + i * BK_BLOCK, n);
    }
    f->size = s.size;
    logscan_close(&s);
    return JET_errSuccess;
}

static JET_ERR prepare_db(struct inst *inst, struct bkfile *f, uint32_t gen_low, lgpos_t redo_from, lgpos_t mark,
                          int64_t mark_time)
{
    uint32_t pgsz = inst->params.page_size;
    uint32_t count;
    tree_rdlock(inst);
    struct db *db = f->db;
    JET_ERR err = space_info(db, &count, NULL, NULL);
    f->snap = db->hdr;
    f->snap.dbtime = db->dbtime;
    tree_unlock(inst);
    if (err < 0) return err;
    f->snap.flags |= DBH_BACKUP_COPY;
    f->snap.state = JET_dbstateDirtyShutdown;
    f->snap.gen_min_required = gen_low;
    f->snap.consistent = redo_from;
    f->snap.page_count = count;
    f->snap.bk[BK_FULL_CUR] = (struct bkinfo){mark, mark_time, gen_low, 0};
    f->hdr_page = malloc(pgsz);
    if (!f->hdr_page) return JET_errOutOfMemory;
    dbh_encode(&f->snap, f->hdr_page, pgsz, 0);
    f->page_count = count;
    f->size = ((uint64_t)count + 1) * pgsz;
    return JET_errSuccess;
}

JET_ERR bkfile_prepare(struct inst *inst, struct bkfile *f, uint32_t gen_low, lgpos_t redo_from, lgpos_t mark,
                       int64_t mark_time)
{
    if (f->ready) return JET_errSuccess;
    JET_ERR err = f->is_log ? prepare_log(inst, f) : prepare_db(inst, f, gen_low, redo_from, mark, mark_time);
    if (err >= 0) f->ready = 1;
    return err;
}

/* Reads data pages [first, first+n) into buf: cached pages from the cache, others from the file,
 * verified. */
static JET_ERR read_data_pages(struct inst *inst, struct bkfile *f, uint32_t first, uint32_t n, uint8_t *buf)
{
    uint32_t pgsz = inst->params.page_size;
    struct db *db = f->db;
    size_t got;
    uint8_t from_cache[256];
    JET_ERR err = os_pread(db->file, buf, (size_t)n * pgsz, (uint64_t)first * pgsz, &got);
    if (err < 0) return err;
    if (got < (size_t)n * pgsz) memset(buf + got, 0, (size_t)n * pgsz - got);
    tree_rdlock(inst);
    for (uint32_t i = 0; i < n; i++) {
        from_cache[i] = (uint8_t)cache_copy_if_cached(inst->cache, db->dbid, first + i, buf + (size_t)i * pgsz);
        if (from_cache[i]) page_seal(buf + (size_t)i * pgsz, pgsz);
    }
    tree_unlock(inst);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *pg = buf + (size_t)i * pgsz;
        if (from_cache[i] || page_verify(pg, pgsz, first + i) >= 0) continue;
        /* A concurrent write may have torn the read: once more, cache first. */
        err = os_pread(db->file, pg, pgsz, (uint64_t)(first + i) * pgsz, &got);
        if (err < 0) return err;
        if (got < pgsz) memset(pg + got, 0, pgsz - got);
        tree_rdlock(inst);
        int cached = cache_copy_if_cached(inst->cache, db->dbid, first + i, pg);
        tree_unlock(inst);
        if (cached)
            page_seal(pg, pgsz);
        else if (page_verify(pg, pgsz, first + i) < 0) {
            f->failed = 1;
            return JET_errReadVerifyFailure;
        }
    }
    return JET_errSuccess;
}

/* Streamed pages [p0, p0+n) of a database into buf. */
static JET_ERR read_db_pages(struct inst *inst, struct bkfile *f, uint32_t p0, uint32_t n, uint8_t *buf)
{
    uint32_t pgsz = inst->params.page_size;
    uint32_t p = p0, end = p0 + n;
    while (p < end) {
        uint8_t *dst = buf + (size_t)(p - p0) * pgsz;
        if (p < 2) {
            if (p == 0)
                memcpy(dst, f->hdr_page, pgsz);
            else
                dbh_encode(&f->snap, dst, pgsz, 1);
            p++;
        } else if (p == f->page_count) {
            struct db_header t = f->snap;
            t.flags |= DBH_TRAILER;
            t.bk[BK_FULL_CUR].gen_high = inst->log ? log_current_gen(inst->log) : 0;
            dbh_encode(&t, dst, pgsz, p);
            p++;
        } else {
            uint32_t run = end - p;
            if (p + run > f->page_count) run = f->page_count - p;
            if (run > 256) run = 256;
            JET_ERR err = read_data_pages(inst, f, p, run, dst);
            if (err < 0) return err;
            p += run;
        }
    }
    return JET_errSuccess;
}

static JET_ERR read_log(struct bkfile *f, uint64_t off, uint8_t *dst, size_t len)
{
    uint64_t b0 = off / BK_BLOCK, b1 = (off + len - 1) / BK_BLOCK;
    uint64_t start = b0 * BK_BLOCK, stop = (b1 + 1) * BK_BLOCK;
    if (stop > f->size) stop = f->size;
    uint8_t *tmp = malloc(stop - start);
    if (!tmp) return JET_errOutOfMemory;
    os_file *fh;
    JET_ERR err = os_open(f->path, OS_READ, &fh);
    if (err == JET_errFileNotFound) err = JET_errMissingFileToBackup;
    if (err >= 0) {
        err = os_pread_full(fh, tmp, stop - start, start);
        os_close(fh);
    }
    for (uint64_t b = b0; err >= 0 && b <= b1; b++) {
        uint64_t bs = b * BK_BLOCK, be = bs + BK_BLOCK > f->size ? f->size : bs + BK_BLOCK;
        if (crc32c(0, tmp + (bs - start), be - bs) != f->blockcrc[b]) err = JET_errLogReadVerifyFailure;
    }
    if (err >= 0) memcpy(dst, tmp + (off - start), len);
    free(tmp);
    return err;
}

JET_ERR bkfile_read(struct inst *inst, struct bkfile *f, uint64_t off, uint8_t *dst, size_t len, size_t *got)
{
    *got = 0;
    if (off >= f->size || len == 0) return JET_errSuccess;
    if (len > f->size - off) len = (size_t)(f->size - off);
    if (f->is_log) {
        JET_ERR err = read_log(f, off, dst, len);
        if (err >= 0) *got = len;
        return err;
    }
    if (f->failed) return JET_errReadVerifyFailure;
    uint32_t pgsz = inst->params.page_size;
    uint32_t p0 = (uint32_t)(off / pgsz), p1 = (uint32_t)((off + len - 1) / pgsz);
    JET_ERR err;
    if (off % pgsz == 0 && len % pgsz == 0) {
        err = read_db_pages(inst, f, p0, p1 - p0 + 1, dst);
    } else {
        uint8_t *tmp = malloc((size_t)(p1 - p0 + 1) * pgsz);
        if (!tmp) return JET_errOutOfMemory;
        err = read_db_pages(inst, f, p0, p1 - p0 + 1, tmp);
        if (err >= 0) memcpy(dst, tmp + (off - (uint64_t)p0 * pgsz), len);
        free(tmp);
    }
    if (err >= 0) *got = len;
    return err;
}

int bkfile_mark(struct bkfile *f, uint64_t off, uint64_t len)
{
    if (!len) return bkfile_complete(f);
    uint64_t lo = off, hi = off + len;
    /* Merge with every range that overlaps or touches [lo, hi). */
    size_t i = 0;
    while (i < f->nr && f->r[i].hi < lo) i++;
    size_t j = i;
    while (j < f->nr && f->r[j].lo <= hi) {
        if (f->r[j].lo < lo) lo = f->r[j].lo;
        if (f->r[j].hi > hi) hi = f->r[j].hi;
        j++;
    }
    if (j == i) {
        if (f->nr == f->capr) {
            size_t cap = f->capr ? f->capr * 2 : 8;
            struct range *r = realloc(f->r, cap * sizeof *r);
            if (!r) return bkfile_complete(f);
            f->r = r;
            f->capr = cap;
        }
        memmove(f->r + i + 1, f->r + i, (f->nr - i) * sizeof *f->r);
        f->nr++;
    } else {
        memmove(f->r + i + 1, f->r + j, (f->nr - j) * sizeof *f->r);
        f->nr -= j - i - 1;
    }
    f->r[i] = (struct range){lo, hi};
    f->delivered = 0;
    for (size_t k = 0; k < f->nr; k++) f->delivered += f->r[k].hi - f->r[k].lo;
    return bkfile_complete(f);
}

int bkfile_complete(const struct bkfile *f)
{
    return f->ready && !f->failed && f->nr == 1 && f->r[0].lo == 0 && f->r[0].hi >= f->size;
}

void bkfile_free(struct bkfile *f)
{
    if (!f) return;
    free(f->hdr_page);
    free(f->blockcrc);
    free(f->r);
    free(f);
}
