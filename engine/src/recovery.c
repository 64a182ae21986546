/*
 * recovery.c — soft recovery (contract in recovery.h).
 */
#include "recovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "checkpoint.h"
#include "dbfile.h"
#include "event.h"
#include "log.h"
#include "logfmt.h"

JET_ERR recovery_close_databases(struct inst *inst, lgpos_t end, int clear_backup_copy)
{
    JET_ERR err = cache_flush(inst->cache, 0, UINT64_MAX, 0);
    for (uint32_t id = 1; id <= DB_MAX; id++) {
        struct db *db = inst->dbs[id];
        if (!db) continue;
        if (err >= 0) err = os_fsync(db->file);
        if (err >= 0) {
            db_mark_clean(db, end);
            if (clear_backup_copy) {
                db->hdr.flags &= ~(DBH_BACKUP_COPY | DBH_TRAILER);
                memset(&db->hdr.bk[BK_FULL_CUR], 0, sizeof db->hdr.bk[BK_FULL_CUR]);
            }
            err = db_write_header(db);
        }
        cache_drop_db(inst->cache, id);
        inst->dbs[id] = NULL;
        db_free(db);
    }
    return err;
}

/* 1 when buf[from, size) is all zeros. */
static int zeros_from(const uint8_t *buf, size_t size, size_t from)
{
    for (size_t i = from; i < size; i++)
        if (buf[i]) return 0;
    return 1;
}

JET_ERR recovery_soft(struct inst *inst, uint64_t *ckpt_seq)
{
    JET_ERR err;
    char ckpath[OS_PATH_MAX], cur[OS_PATH_MAX], path[OS_PATH_MAX];
    const char *dir = inst->params.log_path, *base = inst->params.base_name;
    struct ckpt_data ck;
    struct loghdr curh, h;
    uint32_t *gens = NULL;
    size_t ngens = 0;
    struct redo r;
    struct logscan s = {0};
    int have_ck, have_cur, redo_started = 0;
    uint32_t end_off = 0, last_gen, start_gen;
    int clean_tail = 0;
    int64_t prev_create = 0;

    redo_init(&r, inst);
    *ckpt_seq = 0;
    Call(ckpt_file_path(inst, ckpath));
    Call(log_path_current(cur, sizeof cur, dir, base));
    err = ckpt_read(ckpath, &ck);
    if (err == JET_errFileNotFound)
        have_ck = 0;
    else if (err < 0)
        goto HandleError;
    else
        have_ck = 1;
    if (have_ck) *ckpt_seq = ck.seq;
    Call(log_list_archived(dir, base, &gens, &ngens));
    have_cur = os_exists(cur);
    if (have_cur) Call(loghdr_read_path(cur, &curh));

    if (!have_cur && ngens == 0) {
        if (have_ck) {
            event_log(inst, EV_RECOVERY_BEGIN, JET_XEVENT_ERROR, 0, JET_errMissingLogFile,
                      "The checkpoint %s refers to log generation %u, but no log file is present in %s.",
                      ckpath, LGPOS_GEN(ck.pos), dir);
            Error(JET_errMissingLogFile);
        }
        sig_new(&inst->log_sig);
        Call(log_open(inst, 1, 0, 0, &inst->log));
        Call(ckpt_write_now(inst, log_append_pos(inst->log), 0));
        goto done;
    }
    if (have_cur && ngens && gens[ngens - 1] >= curh.gen) Error(JET_errInvalidLogSequence);
    last_gen = have_cur ? curh.gen : gens[ngens - 1];
    if (have_cur) {
        inst->log_sig = curh.sig;
    } else {
        Call(log_path_gen(path, sizeof path, dir, base, last_gen));
        Call(loghdr_read_path(path, &h));
        inst->log_sig = h.sig;
    }
    if (have_ck && !sig_equal(&ck.log_sig, &inst->log_sig)) Error(JET_errBadCheckpointSignature);
    start_gen = have_ck ? LGPOS_GEN(ck.pos) : (ngens ? gens[0] : curh.gen);
    if (start_gen > last_gen) Error(JET_errMissingLogFile);

    tree_wrlock(inst);
    redo_started = 1;
    for (uint32_t g = start_gen; g <= last_gen; g++) {
        int is_cur = have_cur && g == curh.gen;
        if (is_cur)
            snprintf(path, sizeof path, "%s", cur);
        else
            Call(log_path_gen(path, sizeof path, dir, base, g));
        if (!os_exists(path)) {
            event_log(inst, EV_RECOVERY_BEGIN, JET_XEVENT_ERROR, 0, JET_errMissingLogFile,
                      "Log generation %u (%s), needed by recovery, is missing.", g, path);
            Error(JET_errMissingLogFile);
        }
        Call(logscan_open(path, &s));
        if (!sig_equal(&s.hdr.sig, &inst->log_sig)) Error(JET_errBadLogSignature);
        if (s.hdr.gen != g) Error(JET_errInvalidLogSequence);
        if (g > start_gen && s.hdr.prev_create_time != prev_create) Error(JET_errInvalidLogSequence);
        prev_create = s.hdr.create_time;
        if (g == start_gen) {
            /* Databases attached where redo starts: the checkpoint's list, else the header's. */
            if (have_ck) {
                if (LGPOS_OFF(ck.pos) < LOG_HDR_SIZE || LGPOS_OFF(ck.pos) > s.size)
                    Error(JET_errCheckpointCorrupt);
                s.off = LGPOS_OFF(ck.pos);
                for (uint32_t i = 0; i < ck.ndb; i++)
                    Call(redo_attach(&r, ck.db[i].dbid, ck.db[i].path, &ck.db[i].sig, ck.db[i].dbtime));
            } else {
                for (uint32_t i = 0; i < s.hdr.ndb; i++)
                    Call(redo_attach(&r, s.hdr.db[i].dbid, s.hdr.db[i].path, &s.hdr.db[i].sig, 0));
            }
        }
        const uint8_t *rec;
        uint32_t len;
        while (logscan_next(&s, &rec, &len)) Call(redo_feed(&r, rec, len, LGPOS(g, s.off)));
        if (!is_cur && !s.closed) {
            event_log(inst, EV_RECOVERY_BEGIN, JET_XEVENT_ERROR, 0, JET_errLogFileCorrupt,
                      "Log generation %u (%s) is damaged at offset %u, before its end.", g, path, s.off);
            Error(JET_errLogFileCorrupt);
        }
        if (is_cur) {
            end_off = s.off;
            clean_tail = !s.closed && zeros_from(s.data, s.size, s.off);
        }
        logscan_close(&s);
    }
    redo_discard(&r);
    if (r.units)
        event_log(inst, EV_RECOVERY_END, JET_XEVENT_INFO, 0, 0,
                  "Recovery replayed %llu transactions from log generation %u to %u.",
                  (unsigned long long)r.units, start_gen, last_gen);
    Call(recovery_close_databases(inst, r.pos, 0));
    tree_unlock(inst);
    redo_started = 0;

    /* Continue the log: after the last valid record, closing the generation if its tail is not
     * clean, always after an LR_TERM that ends any unit left incomplete. */
    if (have_cur) {
        Call(log_open(inst, curh.gen, end_off, 0, &inst->log));
    } else {
        Call(log_open(inst, last_gen + 1, 0, prev_create, &inst->log));
        clean_tail = 1;
    }
    {
        struct lrbuf term;
        lgpos_t end;
        lrbuf_init(&term);
        lrbuf_add(&term, LR_TERM, 0);
        tree_rdlock(inst);
        err = log_append_sync(inst->log, &term, &end);
        tree_unlock(inst);
        lrbuf_free(&term);
        Call(err);
    }
    if (!clean_tail) Call(log_roll(inst->log, NULL));
    Call(ckpt_write_now(inst, log_append_pos(inst->log), 0));
done:
    free(gens);
    redo_free(&r);
    return JET_errSuccess;
HandleError:
    logscan_close(&s);
    if (redo_started) {
        for (uint32_t id = 1; id <= DB_MAX; id++)
            if (inst->dbs[id]) {
                cache_drop_db(inst->cache, id);
                db_free(inst->dbs[id]);
                inst->dbs[id] = NULL;
            }
        tree_unlock(inst);
    }
    if (inst->log) {
        log_close(inst->log);
        inst->log = NULL;
    }
    free(gens);
    redo_free(&r);
    return err;
}
