/*
 * restore.c — hard recovery: JetExternalRestore and JetExternalRestore2.
 *
 * Order of work (each check has its code, spec/backup-api.md "Hard recovery"):
 *  1. the backup's logs genLow..genHigh in szBackupLogPath: present (JET_errMissingRestoreLogFiles,
 *     event 435), of one log set (JET_errGivenLogFileHasBadSignature, 433), chained generation to
 *     generation by creation times (JET_errGivenLogFileIsNotContiguous, 434);
 *  2. each restored database: a readable header (JET_errDatabaseCorrupted), a backup copy
 *     (JET_errRestoreOfNonBackupDatabase), whose trailer page matches its header and whose log set
 *     is the backup's (JET_errDatabasePatchFileMismatch, 430), and whose generations lie inside
 *     genLow..genHigh (JET_errStartingRestoreLogTooHigh 431 / JET_errEndingRestoreLogTooLow 432);
 *  3. later generations in szLogPath, used for roll-forward only when they carry the same signature
 *     (JET_errExistingLogFileHasBadSignature, 457) and chain from genHigh + 1 without gaps
 *     (JET_errExistingLogFileIsNotContiguous, 458), ending with the current `<base>.log`
 *     (JET_errMissingCurrentLogFiles, 450); a problem there fails the restore, as in ESE;
 *  4. the trailer page is cut off and redo (redo.c) runs from genLow to genHigh, then on through the
 *     later generations; the databases end clean, no longer marked as backup copies. When
 *     roll-forward logs were used, a checkpoint at their end is written, so an instance started on
 *     that log path continues the same log set.
 * Progress: pfn(JET_snpRestore, ...) with a JET_SNPROG whose cunitTotal is 100: JET_sntBegin (0),
 * JET_sntProgress (the percentage of generations replayed, each time it grows), JET_sntComplete
 * (100); a negative return from pfn cancels with that code. Events: 204 at the start, 454 on
 * failure, 205 at the end (after success and failure alike, as ESE does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "checkpoint.h"
#include "codec.h"
#include "dbfile.h"
#include "event.h"
#include "logfmt.h"
#include "page.h"
#include "param.h"
#include "recovery.h"
#include "redo.h"

struct rmap {
    char from[OS_PATH_MAX];
    char to[OS_PATH_MAX];
    struct signature sig; /* the copy's database signature (read by check_database) */
};

/* A database the backup's logs know: from a generation header or an attach/create record. */
struct logged_db {
    char path[OS_PATH_MAX];
    struct signature sig;
};

struct restore {
    const char *name;
    const char *base;
    char backup_dir[OS_PATH_MAX];
    char log_dir[OS_PATH_MAX];
    uint32_t gen_low, gen_high;
    struct rmap *map;
    size_t nmap;
    struct logged_db *logged; /* every database of the backup's logs */
    size_t nlogged, caplogged;
    struct signature sig;
    uint32_t roll_last;  /* last archived generation used for roll-forward (0: none) */
    int roll_current;    /* the current generation in log_dir is used */
    uint32_t page_size;
    JET_PFNSTATUS pfn;
};

/* The map entry whose original name is the logged path (or, when the map names only a file, its
 * base name); NULL when none. */
static const struct rmap *map_by_name(const struct restore *r, const char *logged)
{
    for (size_t i = 0; i < r->nmap; i++)
        if (strcmp(r->map[i].from, logged) == 0) return &r->map[i];
    const char *b = os_basename(logged);
    for (size_t i = 0; i < r->nmap; i++)
        if (!strchr(r->map[i].from, '/') && strcmp(r->map[i].from, b) == 0) return &r->map[i];
    return NULL;
}

static int map_path(void *ctx, const char *logged, char *out)
{
    const struct rmap *m = map_by_name(ctx, logged);
    if (m) snprintf(out, OS_PATH_MAX, "%s", m->to);
    return m != NULL;
}

static JET_ERR status(struct restore *r, JET_SNT snt, unsigned long done, unsigned long total)
{
    if (!r->pfn) return JET_errSuccess;
    unsigned long pct = snt == JET_sntBegin ? 0 : snt == JET_sntComplete ? 100 : total ? done * 100 / total : 0;
    JET_SNPROG prog = {sizeof prog, pct, 100};
    JET_ERR e = r->pfn(0, JET_snpRestore, snt, &prog);
    return e < 0 ? e : JET_errSuccess;
}

/* Logs the event of a failed check (msg has one %s for what) and returns err. */
static JET_ERR fail(struct restore *r, unsigned ev, JET_ERR err, const char *msg, const char *what)
    __attribute__((format(printf, 4, 0)));
static JET_ERR fail(struct restore *r, unsigned ev, JET_ERR err, const char *msg, const char *what)
{
    char text[OS_PATH_MAX + 200];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(text, sizeof text, msg, what);
#pragma GCC diagnostic pop
    event_log_named(r->name, ev, JET_XEVENT_ERROR, 0, err, "%s (%s)", text, JetXErrorName(err));
    return err;
}

static JET_ERR note_logged(struct restore *r, const char *path, const struct signature *sig)
{
    for (size_t i = 0; i < r->nlogged; i++)
        if (strcmp(r->logged[i].path, path) == 0 && sig_equal(&r->logged[i].sig, sig)) return JET_errSuccess;
    if (r->nlogged == r->caplogged) {
        size_t cap = r->caplogged ? r->caplogged * 2 : 8;
        struct logged_db *n = realloc(r->logged, cap * sizeof *n);
        if (!n) return JET_errOutOfMemory;
        r->logged = n;
        r->caplogged = cap;
    }
    snprintf(r->logged[r->nlogged].path, OS_PATH_MAX, "%s", path);
    r->logged[r->nlogged++].sig = *sig;
    return JET_errSuccess;
}

/* Step 1: the backup's logs. */
static JET_ERR check_backup_logs(struct restore *r)
{
    char path[OS_PATH_MAX];
    int64_t prev_create = 0;
    for (uint32_t g = r->gen_low; g <= r->gen_high; g++) {
        struct loghdr h;
        if (log_path_gen(path, sizeof path, r->backup_dir, r->base, g) < 0 || !os_exists(path))
            return fail(r, EV_RESTORE_LOG_MISSING, JET_errMissingRestoreLogFiles,
                        "Restore: backup log file %s is missing.", path);
        JET_ERR err = loghdr_read_path(path, &h);
        if (err < 0) return fail(r, EV_RESTORE_LOG_MISSING, JET_errLogFileCorrupt, "Restore: backup log file %s is damaged.", path);
        if (g == r->gen_low) r->sig = h.sig;
        if (!sig_equal(&h.sig, &r->sig))
            return fail(r, EV_RESTORE_LOG_SIGNATURE, JET_errGivenLogFileHasBadSignature,
                        "Restore: backup log file %s belongs to another log set.", path);
        if (h.gen != g || (g > r->gen_low && h.prev_create_time != prev_create))
            return fail(r, EV_RESTORE_LOG_SEQUENCE, JET_errGivenLogFileIsNotContiguous,
                        "Restore: backup log file %s does not follow the previous generation.", path);
        prev_create = h.create_time;
        if (g == r->gen_low) r->page_size = h.page_size;
        for (uint32_t i = 0; i < h.ndb && i < DB_MAX; i++)
            if ((err = note_logged(r, h.db[i].path, &h.db[i].sig)) < 0) return err;
    }
    return JET_errSuccess;
}

/* Step 1b: the databases attached or created inside the backup's logs. */
static JET_ERR scan_logged_databases(struct restore *r)
{
    char path[OS_PATH_MAX], logged[OS_PATH_MAX];
    JET_ERR err = JET_errSuccess;
    for (uint32_t g = r->gen_low; g <= r->gen_high && err >= 0; g++) {
        struct logscan s;
        log_path_gen(path, sizeof path, r->backup_dir, r->base, g);
        if ((err = logscan_open(path, &s)) < 0) break;
        const uint8_t *rec;
        uint32_t len;
        while (err >= 0 && logscan_next(&s, &rec, &len)) {
            if ((rec[8] != LR_DB_CREATE && rec[8] != LR_DB_ATTACH) || len < LR_HDR + 22) continue;
            const uint8_t *p = rec + LR_HDR;
            uint32_t pl = get_u16(p + 20);
            if (pl >= OS_PATH_MAX || LR_HDR + 22 + pl > len) continue;
            struct signature sig = {get_u32(p + 8), get_u64(p + 12)};
            memcpy(logged, p + 22, pl);
            logged[pl] = 0;
            err = note_logged(r, logged, &sig);
        }
        logscan_close(&s);
    }
    return err;
}

/* Step 2b: each map entry names a database of the logs, by its original path or, as ESE does, by
 * the copy's database signature (a copy restored under a map whose original path is wrong, e.g. a
 * database moved since, is still recovered). An entry matching neither would be left unrecovered:
 * the restore fails instead. */
static JET_ERR bind_maps(struct restore *r)
{
    for (size_t i = 0; i < r->nmap; i++) {
        struct rmap *m = &r->map[i];
        int named = 0;
        for (size_t j = 0; j < r->nlogged && !named; j++) named = map_by_name(r, r->logged[j].path) == m;
        if (named) continue;
        const struct logged_db *found = NULL;
        for (size_t j = 0; j < r->nlogged && !found; j++)
            if (sig_equal(&r->logged[j].sig, &m->sig) && !map_by_name(r, r->logged[j].path)) found = &r->logged[j];
        if (!found)
            return fail(r, EV_RESTORE_DB_TRAILER, JET_errDatabaseNotFound,
                        "Restore: database copy %s is not a database of the backup's log files.", m->to);
        snprintf(m->from, sizeof m->from, "%s", found->path);
    }
    return JET_errSuccess;
}

/* Step 2: each database copy. */
static JET_ERR check_database(struct restore *r, struct rmap *m)
{
    const char *path = m->to;
    struct db_header h, t;
    uint8_t page[PAGE_SIZE_MAX];
    JET_ERR err = dbh_read_path(path, &h);
    if (err == JET_errFileNotFound) return fail(r, EV_RESTORE_DB_TRAILER, err, "Restore: database copy %s is missing.", path);
    if (err < 0) return fail(r, EV_RESTORE_DB_TRAILER, JET_errDatabaseCorrupted, "Restore: the header of %s cannot be read.", path);
    if (!(h.flags & DBH_BACKUP_COPY))
        return fail(r, EV_RESTORE_DB_TRAILER, JET_errRestoreOfNonBackupDatabase, "Restore: %s is not a backup copy.", path);
    uint64_t size;
    os_file *f;
    if ((err = os_file_size(path, &size)) < 0) return err;
    uint32_t pgsz = h.page_size;
    if (size % pgsz || size / pgsz != (uint64_t)h.page_count + 1)
        return fail(r, EV_RESTORE_DB_TRAILER, JET_errDatabasePatchFileMismatch,
                    "Restore: %s does not end with its trailer page (incomplete copy).", path);
    if ((err = os_open(path, OS_READ, &f)) < 0) return err;
    err = os_pread_full(f, page, pgsz, size - pgsz);
    os_close(f);
    if (err < 0) return err;
    if (dbh_decode(page, pgsz, h.page_count, &t) < 0 || !(t.flags & DBH_TRAILER) || !sig_equal(&t.sig_db, &h.sig_db) ||
        t.bk[BK_FULL_CUR].mark != h.bk[BK_FULL_CUR].mark || t.bk[BK_FULL_CUR].gen_low != h.bk[BK_FULL_CUR].gen_low ||
        !sig_equal(&h.sig_log, &r->sig))
        return fail(r, EV_RESTORE_DB_TRAILER, JET_errDatabasePatchFileMismatch,
                    "Restore: the trailer of %s does not match its header or the backup's log set.", path);
    if (h.bk[BK_FULL_CUR].gen_low < r->gen_low)
        return fail(r, EV_RESTORE_START_TOO_HIGH, JET_errStartingRestoreLogTooHigh,
                    "Restore: %s needs log generations older than the first one given.", path);
    if (t.bk[BK_FULL_CUR].gen_high > r->gen_high)
        return fail(r, EV_RESTORE_END_TOO_LOW, JET_errEndingRestoreLogTooLow,
                    "Restore: %s needs log generations newer than the last one given.", path);
    if (!r->page_size) r->page_size = pgsz;
    if (pgsz != r->page_size) return fail(r, EV_RESTORE_DB_TRAILER, JET_errPageSizeMismatch, "Restore: %s has another page size.", path);
    m->sig = h.sig_db;
    return JET_errSuccess;
}

/* Step 3: later generations in the log path, for roll-forward. */
static JET_ERR check_rollforward(struct restore *r)
{
    uint32_t *gens = NULL;
    size_t n = 0;
    char path[OS_PATH_MAX], cur[OS_PATH_MAX];
    if (!r->log_dir[0]) return JET_errSuccess;
    if (!os_exists(r->log_dir)) return JET_errSuccess;
    JET_ERR err = log_list_archived(r->log_dir, r->base, &gens, &n);
    if (err < 0) return err;
    log_path_current(cur, sizeof cur, r->log_dir, r->base);
    int have_cur = os_exists(cur);
    struct loghdr h;
    uint32_t expect = r->gen_high + 1;
    int64_t prev = 0;
    {
        struct loghdr last;
        if (log_path_gen(path, sizeof path, r->backup_dir, r->base, r->gen_high) >= 0 && loghdr_read_path(path, &last) >= 0)
            prev = last.create_time;
    }
    for (size_t i = 0; i < n && err >= 0; i++) {
        if (gens[i] <= r->gen_high) continue;
        log_path_gen(path, sizeof path, r->log_dir, r->base, gens[i]);
        if (loghdr_read_path(path, &h) < 0 || !sig_equal(&h.sig, &r->sig)) {
            err = fail(r, EV_RESTORE_LATER_SIGNATURE, JET_errExistingLogFileHasBadSignature,
                       "Restore: log file %s in the log path belongs to another log set.", path);
            break;
        }
        if (gens[i] != expect || h.prev_create_time != prev) {
            err = fail(r, EV_RESTORE_LATER_SEQUENCE, JET_errExistingLogFileIsNotContiguous,
                       "Restore: log file %s in the log path does not follow the backup's logs.", path);
            break;
        }
        prev = h.create_time;
        r->roll_last = gens[i];
        expect++;
    }
    if (err >= 0 && have_cur) {
        if (loghdr_read_path(cur, &h) < 0 || !sig_equal(&h.sig, &r->sig)) {
            if (r->roll_last)
                err = fail(r, EV_RESTORE_LATER_SIGNATURE, JET_errExistingLogFileHasBadSignature,
                           "Restore: the current log file %s belongs to another log set.", cur);
        } else if (h.gen > r->gen_high) {
            if (h.gen != expect || h.prev_create_time != prev)
                err = fail(r, EV_RESTORE_LATER_SEQUENCE, JET_errExistingLogFileIsNotContiguous,
                           "Restore: the current log file %s does not follow the previous generations.", cur);
            else
                r->roll_current = 1;
        }
    } else if (err >= 0 && r->roll_last) {
        err = fail(r, EV_RESTORE_LATER_MISSING, JET_errMissingCurrentLogFiles,
                   "Restore: the log path %s holds later generations but not the current log file.", r->log_dir);
    }
    free(gens);
    return err;
}

/* Cuts the trailer page off a database copy. */
static JET_ERR cut_trailer(const char *path, uint32_t pgsz)
{
    os_file *f;
    uint64_t size;
    JET_ERR err = os_open(path, OS_RDWR, &f);
    if (err < 0) return err;
    err = os_size(f, &size);
    if (err >= 0 && size >= 3ull * pgsz) err = os_truncate(f, size - pgsz);
    if (err >= 0) err = os_fsync(f);
    os_close(f);
    return err;
}

/* 1 for a page record logged before its database copy's redo start (the checkpoint the backup
 * began from, kept as the copy's consistent position: bkfile.h). Every page of the copy already
 * holds those changes; replaying them could only meet a page spliced from two reads (which fails
 * verification) before the full image that rebuilds it. */
static int before_copy_start(const struct redo *rd, const uint8_t *rec, uint32_t len, lgpos_t end)
{
    if ((rec[8] != LR_PAGE_DIFF && rec[8] != LR_PAGE_IMAGE) || len < LR_HDR + 8) return 0;
    uint32_t dbid = get_u32(rec + LR_HDR);
    if (dbid == 0 || dbid > DB_MAX) return 0;
    const struct db *db = rd->inst->dbs[dbid];
    return db && (db->hdr.flags & DBH_BACKUP_COPY) && end <= db->hdr.consistent;
}

/* Replays one generation file; current: the current generation (may end torn). */
static JET_ERR replay(struct redo *rd, const char *path, uint32_t gen, int current)
{
    struct logscan s;
    JET_ERR err = logscan_open(path, &s);
    if (err < 0) return err;
    const uint8_t *rec;
    uint32_t len;
    while (err >= 0 && logscan_next(&s, &rec, &len))
        if (!before_copy_start(rd, rec, len, LGPOS(gen, s.off))) err = redo_feed(rd, rec, len, LGPOS(gen, s.off));
    if (err >= 0 && !current && !s.closed) err = JET_errLogFileCorrupt;
    logscan_close(&s);
    return err;
}

static JET_ERR run(struct restore *r, const char *ckpt_path)
{
    JET_ERR err;
    char path[OS_PATH_MAX];
    struct inst *ri = inst_new_detached(r->name, r->page_size ? r->page_size : 8192);
    struct redo rd;
    if (!ri) return JET_errOutOfMemory;
    redo_init(&rd, ri);
    rd.map_path = map_path;
    rd.map_ctx = r;
    rd.hard = 1;
    ri->log_sig = r->sig;
    ri->fpi_epoch = 1;
    Call(cache_new(ri, ri->params.page_size, 2048, &ri->cache));
    for (size_t i = 0; i < r->nmap; i++) Call(cut_trailer(r->map[i].to, ri->params.page_size));
    unsigned long total = r->gen_high - r->gen_low + 1 + r->roll_last - (r->roll_last ? r->gen_high : 0) + (r->roll_current ? 1 : 0);
    unsigned long done = 0;
    tree_wrlock(ri);
    for (uint32_t g = r->gen_low; g <= r->gen_high && err >= 0; g++) {
        log_path_gen(path, sizeof path, r->backup_dir, r->base, g);
        if (g == r->gen_low) {
            struct loghdr h;
            if ((err = loghdr_read_path(path, &h)) < 0) break;
            for (uint32_t i = 0; i < h.ndb && err >= 0; i++) err = redo_attach(&rd, h.db[i].dbid, h.db[i].path, &h.db[i].sig, 0);
            if (err < 0) break;
        }
        if ((err = replay(&rd, path, g, 0)) < 0) break;
        err = status(r, JET_sntProgress, ++done, total);
    }
    for (uint32_t g = r->gen_high + 1; err >= 0 && g <= r->roll_last; g++) {
        log_path_gen(path, sizeof path, r->log_dir, r->base, g);
        if ((err = replay(&rd, path, g, 0)) >= 0) err = status(r, JET_sntProgress, ++done, total);
    }
    if (err >= 0 && r->roll_current) {
        struct loghdr h;
        log_path_current(path, sizeof path, r->log_dir, r->base);
        if ((err = loghdr_read_path(path, &h)) >= 0 && (err = replay(&rd, path, h.gen, 1)) >= 0)
            err = status(r, JET_sntProgress, ++done, total);
    }
    redo_discard(&rd);
    lgpos_t end = rd.pos;
    if (err >= 0)
        err = recovery_close_databases(ri, end, 1);
    else
        for (uint32_t id = 1; id <= DB_MAX; id++)
            if (ri->dbs[id]) {
                cache_drop_db(ri->cache, id);
                db_free(ri->dbs[id]);
                ri->dbs[id] = NULL;
            }
    tree_unlock(ri);
    /* Continue the log set where roll-forward ended: a checkpoint at its end. */
    if (err >= 0 && (r->roll_last || r->roll_current) && ckpt_path && ckpt_path[0]) {
        struct ckpt_data d;
        char file[OS_PATH_MAX];
        memset(&d, 0, sizeof d);
        if (ckpt_path_file(ckpt_path, r->base, file) >= 0) {
            struct ckpt_data old;
            d.seq = ckpt_read(file, &old) >= 0 ? old.seq + 1 : 1;
            d.pos = end;
            d.log_sig = r->sig;
            d.time = os_now_us();
            err = ckpt_write(file, &d);
        }
    }
HandleError:
    redo_free(&rd);
    inst_free_detached(ri);
    return err;
}

JET_ERR JET_API JetExternalRestore2(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath, JET_RSTMAP *rgrstmap,
                                    long crstfilemap, JET_PSTR szBackupLogPath, JET_LOGINFO *pLogInfo,
                                    JET_PSTR szTargetInstanceName, JET_PSTR szTargetInstanceLogPath,
                                    JET_PSTR szTargetInstanceCheckpointPath, JET_PFNSTATUS pfn)
{
    struct restore r;
    JET_ERR err;
    int marked = 0;
    if (inst_mode_legacy()) return JET_errRunningInOneInstanceMode;
    if (!pLogInfo || !szBackupLogPath || crstfilemap < 0 || (crstfilemap > 0 && !rgrstmap) || crstfilemap > DB_MAX)
        return JET_errInvalidParameter;
    if (pLogInfo->cbSize && pLogInfo->cbSize < sizeof(JET_LOGINFO)) return JET_errInvalidParameter;
    if (pLogInfo->ulGenLow == 0 || pLogInfo->ulGenHigh < pLogInfo->ulGenLow) return JET_errInvalidParameter;
    memset(&r, 0, sizeof r);
    char base[LOG_BASE_MAX + 1] = "edb";
    if (pLogInfo->szBaseName[0]) snprintf(base, sizeof base, "%.3s", pLogInfo->szBaseName);
    r.base = base;
    r.name = szTargetInstanceName && szTargetInstanceName[0] ? szTargetInstanceName : "restore";
    r.gen_low = (uint32_t)pLogInfo->ulGenLow;
    r.gen_high = (uint32_t)pLogInfo->ulGenHigh;
    r.pfn = pfn;
    if (strlen(szBackupLogPath) >= OS_PATH_MAX) return JET_errInvalidPath;
    snprintf(r.backup_dir, sizeof r.backup_dir, "%s", szBackupLogPath);
    param_normalize_path(r.backup_dir);
    const char *logdir = szTargetInstanceLogPath && szTargetInstanceLogPath[0] ? szTargetInstanceLogPath : szLogPath;
    if (logdir) {
        if (strlen(logdir) >= OS_PATH_MAX) return JET_errInvalidPath;
        snprintf(r.log_dir, sizeof r.log_dir, "%s", logdir);
        param_normalize_path(r.log_dir);
    }
    r.map = calloc(crstfilemap ? (size_t)crstfilemap : 1, sizeof *r.map);
    if (!r.map) return JET_errOutOfMemory;
    for (long i = 0; i < crstfilemap; i++) {
        const char *from = rgrstmap[i].szDatabaseName, *to = rgrstmap[i].szNewDatabaseName;
        if (!from && !to) {
            free(r.map);
            return JET_errInvalidParameter;
        }
        if (!to) to = from;
        if (!from) from = to;
        if (strlen(from) >= OS_PATH_MAX || strlen(to) >= OS_PATH_MAX) {
            free(r.map);
            return JET_errInvalidPath;
        }
        snprintf(r.map[i].from, OS_PATH_MAX, "%s", from);
        snprintf(r.map[i].to, OS_PATH_MAX, "%s", to);
        param_normalize_path(r.map[i].from);
        param_normalize_path(r.map[i].to);
    }
    r.nmap = (size_t)crstfilemap;
    marked = inst_mark_restore(szTargetInstanceName, 1);
    event_log_named(r.name, EV_RESTORE_BEGIN, JET_XEVENT_INFO, 0, 0,
                    "Restore begins: log generations %u to %u from %s.", r.gen_low, r.gen_high, r.backup_dir);
    Call(status(&r, JET_sntBegin, 0, 0));
    Call(check_backup_logs(&r));
    Call(scan_logged_databases(&r));
    for (size_t i = 0; i < r.nmap; i++) Call(check_database(&r, &r.map[i]));
    Call(bind_maps(&r));
    Call(check_rollforward(&r));
    const char *ckpt = szTargetInstanceCheckpointPath && szTargetInstanceCheckpointPath[0]
                           ? szTargetInstanceCheckpointPath
                           : szCheckpointFilePath;
    Call(run(&r, ckpt ? ckpt : r.log_dir));
    Call(status(&r, JET_sntComplete, 0, 0));
    event_log_named(r.name, EV_RESTORE_END, JET_XEVENT_INFO, 0, 0,
                    "Restore ended successfully: %zu database(s) recovered through generation %u.", r.nmap,
                    r.roll_current || r.roll_last ? (r.roll_last > r.gen_high ? r.roll_last : r.gen_high) : r.gen_high);
HandleError:
    if (err < 0) {
        event_log_named(r.name, EV_RESTORE_FAILED, JET_XEVENT_ERROR, 0, err, "Restore failed with %s (%ld): %s.",
                        JetXErrorName(err), err, JetXErrorMessage(err));
        event_log_named(r.name, EV_RESTORE_END, JET_XEVENT_INFO, 0, err, "Restore stopped.");
    }
    if (marked) inst_mark_restore(szTargetInstanceName, 0);
    free(r.map);
    free(r.logged);
    return err;
}

JET_ERR JET_API JetExternalRestore(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath, JET_RSTMAP *rgrstmap,
                                   long crstfilemap, JET_PSTR szBackupLogPath, long genLow, long genHigh,
                                   JET_PFNSTATUS pfn)
{
    JET_LOGINFO li;
    memset(&li, 0, sizeof li);
    li.cbSize = sizeof li;
    if (genLow <= 0 || genHigh <= 0) return JET_errInvalidParameter;
    li.ulGenLow = (unsigned long)genLow;
    li.ulGenHigh = (unsigned long)genHigh;
    snprintf(li.szBaseName, sizeof li.szBaseName, "edb");
    return JetExternalRestore2(szCheckpointFilePath, szLogPath, rgrstmap, crstfilemap, szBackupLogPath, &li, NULL,
                               NULL, NULL, pfn);
}
