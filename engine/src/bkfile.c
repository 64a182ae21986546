/*
 * bkfile.c — streamed backup files: header snapshots, verified page and log reads, delivered
 * ranges (layout and rules in bkfile.h).
 */
#include "bkfile.h"

#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "codec.h"
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

/* The read path works in chunks of READ_CHUNK bytes: small enough to stay in a core's L2 cache
 * from the read to its verification (and its copy out of the bounce buffer), so the bytes cross
 * memory once. The caller's buffer is read into directly unless it starts just past a page
 * boundary (1 to SLOW_GAP - 1 bytes): the kernel's copy from page-cache pages into such a buffer
 * runs at a quarter of its speed (AMD EPYC here: 1.5-2 against 6-8 GB/s at 16 bytes past a page,
 * where malloc puts large blocks; any offset from 33 bytes on is as fast as an aligned one), so
 * such a buffer is filled through an aligned bounce chunk. Checksums run three pages (log blocks)
 * at a time, three times the speed of one page at a time. */
#define READ_CHUNK (128u * 1024)
#define CHUNK_PAGES_MAX (READ_CHUNK / PAGE_SIZE_MIN)
#define BOUNCE_ALIGN 64u
#define SLOW_GAP 64u /* with a margin */

/* 1 when the kernel copies into p at full speed. */
static int direct_ok(const void *p)
{
    uintptr_t in_page = (uintptr_t)p & 4095u;
    return in_page == 0 || in_page >= SLOW_GAP;
}

/* crc[i] = CRC32C of bytes [skip, skip + len) of buffer i, three buffers at a time. */
static void crcs(uint8_t *const *bufs, size_t n, size_t skip, size_t len, uint32_t *crc)
{
    size_t i = 0;
    for (; i + 3 <= n; i += 3) crc32c_x3(bufs[i] + skip, bufs[i + 1] + skip, bufs[i + 2] + skip, len, crc + i);
    for (; i < n; i++) crc[i] = crc32c(0, bufs[i] + skip, len);
}

/* Page pgno again after its first read failed verification (a concurrent write may have torn that
 * read): from the cache if it is there now, else from the file, verified. */
static JET_ERR reread_page(struct inst *inst, struct bkfile *f, uint32_t pgno, uint8_t *pg)
{
    uint32_t pgsz = inst->params.page_size;
    size_t got;
    JET_ERR err = os_pread(f->db->file, pg, pgsz, (uint64_t)pgno * pgsz, &got);
    if (err < 0) return err;
    if (got < pgsz) memset(pg + got, 0, pgsz - got);
    tree_rdlock(inst);
    int cached = cache_copy_if_cached(inst->cache, f->db->dbid, pgno, pg);
    tree_unlock(inst);
    if (cached)
        page_seal(pg, pgsz);
    else if (page_verify(pg, pgsz, pgno) < 0) {
        f->failed = 1;
        return JET_errReadVerifyFailure;
    }
    return JET_errSuccess;
}

/* Data pages [first, first+n) (n * page size <= READ_CHUNK) into buf: read from the file, then
 * every page the cache holds copied over from the cache under the shared tree lock (never torn)
 * and sealed; the others verified. */
static JET_ERR read_chunk(struct inst *inst, struct bkfile *f, uint32_t first, uint32_t n, uint8_t *buf)
{
    uint32_t pgsz = inst->params.page_size;
    struct db *db = f->db;
    uint8_t *from_file[CHUNK_PAGES_MAX], *from_cache[CHUNK_PAGES_MAX];
    uint32_t file_pgno[CHUNK_PAGES_MAX], crc[CHUNK_PAGES_MAX];
    size_t nf = 0, nc = 0, got;
    JET_ERR err = os_pread(db->file, buf, (size_t)n * pgsz, (uint64_t)first * pgsz, &got);
    if (err < 0) return err;
    if (got < (size_t)n * pgsz) memset(buf + got, 0, (size_t)n * pgsz - got);
    tree_rdlock(inst);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *pg = buf + (size_t)i * pgsz;
        if (cache_copy_if_cached(inst->cache, db->dbid, first + i, pg)) {
            from_cache[nc++] = pg;
        } else {
            file_pgno[nf] = first + i;
            from_file[nf++] = pg;
        }
    }
    tree_unlock(inst);
    crcs(from_cache, nc, 4, pgsz - 4, crc);
    for (size_t i = 0; i < nc; i++) put_u32(from_cache[i] + PAGE_OFF_CHECKSUM, crc[i]);
    crcs(from_file, nf, 4, pgsz - 4, crc);
    for (size_t i = 0; i < nf; i++) {
        const uint8_t *pg = from_file[i];
        if (get_u32(pg + PAGE_OFF_CHECKSUM) == crc[i] && page_pgno(pg) == file_pgno[i]) continue;
        err = reread_page(inst, f, file_pgno[i], from_file[i]);
        if (err < 0) return err;
    }
    return JET_errSuccess;
}

/* Data pages [first, first+n) into buf, chunk by chunk; through bounce (READ_CHUNK bytes, aligned)
 * when buf starts just past a page boundary. */
static JET_ERR read_data_pages(struct inst *inst, struct bkfile *f, uint32_t first, uint32_t n, uint8_t *buf,
                               uint8_t *bounce)
{
    uint32_t pgsz = inst->params.page_size;
    uint32_t per_chunk = READ_CHUNK / pgsz;
    for (uint32_t done = 0; done < n;) {
        uint32_t k = n - done < per_chunk ? n - done : per_chunk;
        uint8_t *dst = buf + (size_t)done * pgsz;
        uint8_t *io = direct_ok(dst) ? dst : bounce;
        JET_ERR err = read_chunk(inst, f, first + done, k, io);
        if (err < 0) return err;
        if (io != dst) memcpy(dst, io, (size_t)k * pgsz);
        done += k;
    }
    return JET_errSuccess;
}

/* Streamed pages [p0, p0+n) of a database into buf. */
static JET_ERR read_db_pages(struct inst *inst, struct bkfile *f, uint32_t p0, uint32_t n, uint8_t *buf,
                             uint8_t *bounce)
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
            JET_ERR err = read_data_pages(inst, f, p, run, dst, bounce);
            if (err < 0) return err;
            p += run;
        }
    }
    return JET_errSuccess;
}

/* len bytes at off of the streamed database: whole pages straight into dst, a partial first or
 * last page through bounce. */
static JET_ERR read_db(struct inst *inst, struct bkfile *f, uint64_t off, uint8_t *dst, size_t len, uint8_t *bounce)
{
    uint32_t pgsz = inst->params.page_size;
    JET_ERR err;
    if (off % pgsz) { /* the rest of a page */
        size_t in = (size_t)(off % pgsz), n = pgsz - in < len ? pgsz - in : len;
        if ((err = read_db_pages(inst, f, (uint32_t)(off / pgsz), 1, bounce, bounce)) < 0) return err;
        memcpy(dst, bounce + in, n);
        off += n;
        dst += n;
        len -= n;
    }
    if (len >= pgsz) {
        size_t whole = len / pgsz;
        if ((err = read_db_pages(inst, f, (uint32_t)(off / pgsz), (uint32_t)whole, dst, bounce)) < 0) return err;
        off += whole * pgsz;
        dst += whole * pgsz;
        len -= whole * pgsz;
    }
    if (len) { /* the start of a page */
        if ((err = read_db_pages(inst, f, (uint32_t)(off / pgsz), 1, bounce, bounce)) < 0) return err;
        memcpy(dst, bounce, len);
    }
    return JET_errSuccess;
}

/* len bytes at off of a log generation: chunk by chunk, each block checked against the CRC taken
 * when the generation was verified; a chunk that is not whole blocks landing at an aligned spot of
 * dst goes through bounce. */
static JET_ERR read_log(struct bkfile *f, uint64_t off, uint8_t *dst, size_t len, uint8_t *bounce)
{
    os_file *fh;
    JET_ERR err = os_open(f->path, OS_READ, &fh);
    if (err == JET_errFileNotFound) return JET_errMissingFileToBackup;
    if (err < 0) return err;
    uint64_t end = off + len;
    for (uint64_t cs = off / BK_BLOCK * BK_BLOCK; err >= 0 && cs < end; cs += READ_CHUNK) {
        uint64_t ce = cs + READ_CHUNK < end ? cs + READ_CHUNK : end;
        ce = (ce + BK_BLOCK - 1) / BK_BLOCK * BK_BLOCK;
        if (ce > f->size) ce = f->size;
        uint64_t from = cs > off ? cs : off, to = ce < end ? ce : end;
        uint8_t *out = dst + (from - off);
        uint8_t *io = (cs == from && ce == to && direct_ok(out)) ? out : bounce;
        if ((err = os_pread_full(fh, io, ce - cs, cs)) < 0) break;
        uint8_t *blocks[READ_CHUNK / BK_BLOCK];
        uint32_t crc[READ_CHUNK / BK_BLOCK];
        size_t nb = (ce - cs) / BK_BLOCK, b0 = cs / BK_BLOCK;
        for (size_t i = 0; i < nb; i++) blocks[i] = io + i * BK_BLOCK;
        crcs(blocks, nb, 0, BK_BLOCK, crc);
        for (size_t i = 0; i < nb; i++)
            if (crc[i] != f->blockcrc[b0 + i]) err = JET_errLogReadVerifyFailure;
        if ((ce - cs) % BK_BLOCK && crc32c(0, io + nb * BK_BLOCK, (ce - cs) % BK_BLOCK) != f->blockcrc[b0 + nb])
            err = JET_errLogReadVerifyFailure;
        if (err >= 0 && io != out) memcpy(out, io + (from - cs), to - from);
    }
    os_close(fh);
    return err;
}

JET_ERR bkfile_read(struct inst *inst, struct bkfile *f, uint64_t off, uint8_t *dst, size_t len, size_t *got)
{
    *got = 0;
    if (off >= f->size || len == 0) return JET_errSuccess;
    if (len > f->size - off) len = (size_t)(f->size - off);
    if (!f->is_log && f->failed) return JET_errReadVerifyFailure;
    uint8_t *bounce = NULL;
    int whole = f->is_log ? off % BK_BLOCK == 0 && (len % BK_BLOCK == 0 || off + len == f->size)
                          : off % inst->params.page_size == 0 && len % inst->params.page_size == 0;
    if (!whole || !direct_ok(dst)) {
        bounce = aligned_alloc(BOUNCE_ALIGN, READ_CHUNK);
        if (!bounce) return JET_errOutOfMemory;
    }
    JET_ERR err = f->is_log ? read_log(f, off, dst, len, bounce) : read_db(inst, f, off, dst, len, bounce);
    free(bounce);
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
