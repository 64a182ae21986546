/*
 * redo.c — applying log records (rules in redo.h; record formats in logfmt.h).
 */
#include "redo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "codec.h"
#include "dbfile.h"
#include "event.h"
#include "page.h"

void redo_init(struct redo *r, struct inst *inst)
{
    memset(r, 0, sizeof *r);
    r->inst = inst;
    lrbuf_init(&r->pending);
}

void redo_free(struct redo *r) { lrbuf_free(&r->pending); }

void redo_discard(struct redo *r) { lrbuf_reset(&r->pending); }

static JET_ERR map(struct redo *r, const char *logged, char *out)
{
    if (!r->map_path) {
        snprintf(out, OS_PATH_MAX, "%s", logged);
        return 1;
    }
    return r->map_path(r->map_ctx, logged, out);
}

JET_ERR redo_attach(struct redo *r, uint32_t dbid, const char *path, const struct signature *sig,
                    uint64_t dbtime)
{
    char target[OS_PATH_MAX];
    struct db *db;
    JET_ERR err;
    if (dbid == 0 || dbid > DB_MAX) return JET_errLogFileCorrupt;
    if (r->inst->dbs[dbid]) return JET_errSuccess;
    if (!map(r, path, target)) {
        r->ignored[dbid] = 1;
        return JET_errSuccess;
    }
    r->ignored[dbid] = 0;
    err = db_open_file(r->inst, target, &db);
    if (err < 0) {
        event_log(r->inst, EV_RECOVERY_BEGIN, JET_XEVENT_ERROR, 0, err,
                  "Database %s, needed by recovery, could not be opened: %s.", target, JetXErrorName(err));
        return err;
    }
    if (sig && !sig_equal(&db->hdr.sig_db, sig)) {
        db_free(db);
        return JET_errBadDbSignature;
    }
    db->dbid = dbid;
    if (dbtime > db->dbtime) db->dbtime = dbtime;
    r->inst->dbs[dbid] = db;
    return JET_errSuccess;
}

JET_ERR redo_page(uint8_t *page, int torn, uint32_t pgsz, const uint8_t *rec, uint32_t len, int *applied)
{
    const uint8_t *p = rec + LR_HDR;
    uint32_t plen = len - LR_HDR;
    uint32_t pgno = get_u32(p + 4);
    *applied = 0;
    if (rec[8] == LR_PAGE_IMAGE) {
        if (plen < 20) return JET_errLogFileCorrupt;
        uint64_t after = get_u64(p + 8);
        uint32_t hoff = get_u16(p + 16), hlen = get_u16(p + 18);
        if (hoff < PAGE_OFF_TYPE || hoff + hlen > pgsz || 20 + pgsz - PAGE_OFF_TYPE - hlen != plen)
            return JET_errLogFileCorrupt;
        if (!torn && page_dbtime(page) >= after) return JET_errSuccess;
        memset(page, 0, pgsz);
        put_u32(page + PAGE_OFF_PGNO, pgno);
        page_set_dbtime(page, after);
        memcpy(page + PAGE_OFF_TYPE, p + 20, hoff - PAGE_OFF_TYPE);
        memcpy(page + hoff + hlen, p + 20 + (hoff - PAGE_OFF_TYPE), pgsz - hoff - hlen);
        *applied = 1;
        return JET_errSuccess;
    }
    if (plen < 26) return JET_errLogFileCorrupt;
    uint64_t before = get_u64(p + 8), after = get_u64(p + 16);
    if (torn) return JET_errDatabaseCorrupted;
    uint64_t cur = page_dbtime(page);
    if (cur >= after) return JET_errSuccess;
    if (cur != before) return JET_errDatabaseCorrupted;
    uint32_t runs = get_u16(p + 24), off = 26;
    for (uint32_t i = 0; i < runs; i++) {
        if (off + 4 > plen) return JET_errLogFileCorrupt;
        uint32_t at = get_u16(p + off), n = get_u16(p + off + 2);
        if (at < PAGE_OFF_TYPE || at + n > pgsz || off + 4 + n > plen) return JET_errLogFileCorrupt;
        memcpy(page + at, p + off + 4, n);
        off += 4 + n;
    }
    page_set_dbtime(page, after);
    *applied = 1;
    return JET_errSuccess;
}

static JET_ERR apply_page(struct redo *r, const uint8_t *rec, uint32_t len)
{
    const uint8_t *p = rec + LR_HDR;
    if (len < LR_HDR + 16) return JET_errLogFileCorrupt;
    uint32_t dbid = get_u32(p), pgno = get_u32(p + 4);
    if (dbid == 0 || dbid > DB_MAX) return JET_errLogFileCorrupt;
    struct db *db = r->inst->dbs[dbid];
    if (!db || r->ignored[dbid]) return JET_errSuccess;
    if (pgno < 2) return JET_errLogFileCorrupt;
    struct frame *fr;
    JET_ERR err = cache_get(r->inst->cache, db, pgno, CG_ALLOW_TORN, &fr);
    if (err < 0) return err;
    int applied;
    err = redo_page(fr->data, fr->torn, r->inst->params.page_size, rec, len, &applied);
    if (err == JET_errDatabaseCorrupted)
        event_log(r->inst, EV_RECOVERY_BEGIN, JET_XEVENT_ERROR, 0, err,
                  "Recovery cannot bring page %u of %s up to date: its copy on disk %s.", pgno, db->path,
                  fr->torn ? "failed verification and the log holds no full image of it"
                           : "misses changes the log does not hold");
    if (err >= 0 && applied) {
        fr->torn = 0;
        cache_set_dirty(r->inst->cache, fr, 0);
    }
    if (err >= 0) {
        /* The database's change counter passes every change the log holds, applied now or found
         * already on disk (a page written by an interrupted checkpoint or recovery): otherwise
         * the next changes would reuse dbtimes, and a later replay would skip their records. */
        uint64_t after = get_u64(rec + LR_HDR + (rec[8] == LR_PAGE_IMAGE ? 8 : 16));
        if (after > db->dbtime) db->dbtime = after;
    }
    cache_put(r->inst->cache, fr);
    return err;
}

static JET_ERR apply_db_record(struct redo *r, const uint8_t *rec, uint32_t len, lgpos_t end)
{
    struct bytebuf b;
    bb_init(&b, (uint8_t *)rec + LR_HDR, len - LR_HDR);
    uint32_t dbid = bb_get32(&b);
    JET_ERR err = JET_errSuccess;
    if (dbid == 0 || dbid > DB_MAX) return JET_errLogFileCorrupt;
    if (rec[8] == LR_DB_DETACH) {
        struct db *db = r->inst->dbs[dbid];
        r->ignored[dbid] = 0;
        if (!db) return JET_errSuccess;
        if ((err = cache_flush(r->inst->cache, dbid, UINT64_MAX, 0)) < 0) return err;
        if ((err = os_fsync(db->file)) < 0) return err;
        db_mark_clean(db, end);
        if ((err = db_write_header(db)) < 0) return err;
        cache_drop_db(r->inst->cache, dbid);
        r->inst->dbs[dbid] = NULL;
        db_free(db);
        return JET_errSuccess;
    }
    uint32_t pgsz = bb_get32(&b);
    struct signature sig;
    sig.random = bb_get32(&b);
    sig.time_us = bb_get64(&b);
    uint16_t pl = bb_get16(&b);
    char path[OS_PATH_MAX], target[OS_PATH_MAX];
    if (pl >= OS_PATH_MAX) return JET_errLogFileCorrupt;
    bb_getn(&b, path, pl);
    path[pl] = 0;
    if (!b.ok) return JET_errLogFileCorrupt;
    if (pgsz != r->inst->params.page_size) return JET_errPageSizeMismatch;
    struct db *cur = r->inst->dbs[dbid];
    if (cur) {
        if (sig_equal(&cur->hdr.sig_db, &sig)) return JET_errSuccess;
        return JET_errLogFileCorrupt; /* a dbid reused without a detach */
    }
    if (!map(r, path, target)) {
        r->ignored[dbid] = 1;
        return JET_errSuccess;
    }
    r->ignored[dbid] = 0;
    struct db *db = NULL;
    err = db_open_file(r->inst, target, &db);
    if (err >= 0 && !sig_equal(&db->hdr.sig_db, &sig)) {
        db_free(db);
        db = NULL;
        err = rec[8] == LR_DB_CREATE ? JET_errFileNotFound : JET_errBadDbSignature;
    }
    if (err < 0 && rec[8] == LR_DB_CREATE && !r->hard &&
        (err == JET_errFileNotFound || err == JET_errDatabaseCorrupted || err == JET_errInvalidDatabase))
        err = db_create_file(r->inst, target, &sig, 1, &db);
    if (err < 0) {
        event_log(r->inst, EV_RECOVERY_BEGIN, JET_XEVENT_ERROR, 0, err,
                  "Recovery could not open database %s: %s.", target, JetXErrorName(err));
        return err;
    }
    db->dbid = dbid;
    r->inst->dbs[dbid] = db;
    return JET_errSuccess;
}

static JET_ERR apply_backup_header(struct redo *r, const uint8_t *rec, uint32_t len)
{
    const uint8_t *p = rec + LR_HDR;
    if (len < LR_HDR + 30) return JET_errLogFileCorrupt;
    uint32_t dbid = get_u32(p);
    unsigned slot = p[4], clear = p[5];
    if (dbid == 0 || dbid > DB_MAX || slot >= BK_COUNT) return JET_errLogFileCorrupt;
    struct db *db = r->inst->dbs[dbid];
    if (!db || r->ignored[dbid]) return JET_errSuccess;
    for (unsigned i = 0; i < BK_COUNT; i++)
        if (clear & (1u << i)) memset(&db->hdr.bk[i], 0, sizeof db->hdr.bk[i]);
    db->hdr.bk[slot].mark = get_u64(p + 6);
    db->hdr.bk[slot].mark_time_us = (int64_t)get_u64(p + 14);
    db->hdr.bk[slot].gen_low = get_u32(p + 22);
    db->hdr.bk[slot].gen_high = get_u32(p + 26);
    return JET_errSuccess;
}

static JET_ERR apply_unit(struct redo *r)
{
    JET_ERR err = JET_errSuccess;
    for (size_t off = 0; off < r->pending.len && err >= 0;) {
        const uint8_t *rec = r->pending.p + off;
        uint32_t len = get_u32(rec + 4);
        switch (rec[8]) {
        case LR_PAGE_DIFF:
        case LR_PAGE_IMAGE: err = apply_page(r, rec, len); break;
        case LR_DB_CREATE:
        case LR_DB_ATTACH:
        case LR_DB_DETACH: err = apply_db_record(r, rec, len, r->pos); break;
        case LR_BACKUP_HEADER: err = apply_backup_header(r, rec, len); break;
        default: break; /* backup markers carry nothing to redo */
        }
        off += len;
    }
    lrbuf_reset(&r->pending);
    r->units++;
    return err;
}

JET_ERR redo_feed(struct redo *r, const uint8_t *rec, uint32_t len, lgpos_t end)
{
    r->records++;
    r->pos = end;
    switch (rec[8]) {
    case LR_COMMIT: return apply_unit(r);
    case LR_TERM: redo_discard(r); return JET_errSuccess;
    case LR_GEN_END: return JET_errSuccess;
    default: {
        uint8_t *p = lrbuf_add(&r->pending, rec[8], len - LR_HDR);
        if (!p) return JET_errOutOfMemory;
        memcpy(p, rec + LR_HDR, len - LR_HDR);
        return JET_errSuccess;
    }
    }
}
