/*
 * database.c — the database calls: JetCreateDatabase(2), JetAttachDatabase(2),
 * JetDetachDatabase(2), JetOpenDatabase, JetCloseDatabase, JetGetDatabaseFileInfo,
 * JetGetDatabaseInfo.
 *
 * Attach and create log their record (and, for create, the database's first pages) durably
 * before the header is marked dirty, so recovery always knows a database whose header says it
 * needs recovery. Detach writes every page, logs the detach and marks the header clean.
 * api_mu serialises these calls with each other and with backup begin/end.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "cache.h"
#include "catalog.h"
#include "codec.h"
#include "dbfile.h"
#include "log.h"
#include "param.h"
#include "session.h"
#include "space.h"

/* The canonical absolute form of a database path: how it is recorded, listed and compared. */
static JET_ERR canon(const char *in, char *out)
{
    char tmp[OS_PATH_MAX], dir[OS_PATH_MAX], rdir[PATH_MAX];
    if (!in || !in[0]) return JET_errInvalidPath;
    if (strlen(in) >= OS_PATH_MAX - 1) return JET_errInvalidPath;
    snprintf(tmp, sizeof tmp, "%s", in);
    param_normalize_path(tmp);
    if (tmp[strlen(tmp) - 1] == '/') return JET_errInvalidPath;
    os_dirname(tmp, dir, sizeof dir);
    if (!realpath(dir, rdir)) return JET_errInvalidPath;
    int n = snprintf(out, OS_PATH_MAX, "%s/%s", strcmp(rdir, "/") ? rdir : "", os_basename(tmp));
    return n < OS_PATH_MAX - 8 ? JET_errSuccess : JET_errInvalidPath;
}

/* Logs an attach/create record (and the batch m already holds) and waits for it. */
static JET_ERR log_db_record(struct mtr *m, struct db *db, unsigned type, lgpos_t *lsn)
{
    size_t pl = strlen(db->path);
    uint8_t *p = mtr_control(m, type, 22 + pl);
    if (!p) return JET_errOutOfMemory;
    put_u32(p, db->dbid);
    put_u32(p + 4, db->inst->params.page_size);
    put_u32(p + 8, db->hdr.sig_db.random);
    put_u64(p + 12, db->hdr.sig_db.time_us);
    put_u16(p + 20, (uint16_t)pl);
    memcpy(p + 22, db->path, pl);
    return JET_errSuccess;
}

static JET_ERR mark_attached(struct db *db, lgpos_t lsn)
{
    JET_ERR err = JET_errSuccess;
    if (lsn && db->inst->log) err = log_flush_to(db->inst->log, lsn);
    if (err < 0) return err;
    db->hdr.state = JET_dbstateDirtyShutdown;
    db->hdr.sig_log = db->inst->log_sig;
    db->hdr.attach = lsn;
    db->hdr.attach_time = os_now_us();
    db->hdr.gen_min_required = LGPOS_GEN(lsn);
    return db_write_header(db);
}

static void open_for_session(struct session *s, struct db *db)
{
    pthread_mutex_lock(&s->inst->mu);
    if (s->opendb[db->dbid]++ == 0) db->open_count++;
    pthread_mutex_unlock(&s->inst->mu);
}

JET_ERR JET_API JetCreateDatabase2(JET_SESID sesid, JET_PCSTR szFilename, const unsigned long cpgDatabaseSizeMax,
                                   JET_DBID *pdbid, JET_GRBIT grbit)
{
    struct session *s;
    struct db *db = NULL;
    char path[OS_PATH_MAX];
    lgpos_t lsn = 0;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    struct inst *inst = s->inst;
    if (!pdbid) {
        inst_leave(inst);
        return JET_errInvalidParameter;
    }
    pthread_mutex_lock(&inst->api_mu);
    tree_wrlock(inst);
    Call(canon(szFilename, path));
    if (bk_active(inst)) Error(JET_errBackupInProgress);
    if (db_by_path(inst, path)) Error(JET_errDatabaseDuplicate);
    uint32_t dbid = db_free_slot(inst);
    if (!dbid) Error(JET_errTooManyAttachedDatabases);
    Call(db_create_file(inst, path, NULL, (grbit & JET_bitDbOverwriteExisting) != 0, &db));
    db->dbid = dbid;
    inst->dbs[dbid] = db;
    {
        struct mtr m;
        mtr_begin(&m, inst);
        err = log_db_record(&m, db, LR_DB_CREATE, &lsn);
        if (err >= 0) err = space_format(&m, db);
        if (err >= 0)
            err = mtr_commit(&m, 1, &lsn);
        else
            mtr_abort(&m);
    }
    if (err < 0) {
        inst->dbs[dbid] = NULL;
        cache_drop_db(inst->cache, dbid);
        os_unlink(path);
        goto HandleError;
    }
    tree_unlock(inst);
    err = mark_attached(db, lsn);
    if (err >= 0) {
        open_for_session(s, db);
        *pdbid = dbid;
    }
    pthread_mutex_unlock(&inst->api_mu);
    inst_leave(inst);
    return err;
HandleError:
    if (db && !inst->dbs[db->dbid]) db_free(db);
    tree_unlock(inst);
    pthread_mutex_unlock(&inst->api_mu);
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetCreateDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect, JET_DBID *pdbid,
                                  JET_GRBIT grbit)
{
    return JetCreateDatabase2(sesid, szFilename, 0, pdbid, grbit);
}

JET_ERR JET_API JetAttachDatabase2(JET_SESID sesid, JET_PCSTR szFilename, const unsigned long cpgDatabaseSizeMax,
                                   JET_GRBIT grbit)
{
    struct session *s;
    struct db *db = NULL;
    char path[OS_PATH_MAX];
    lgpos_t lsn = 0;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    struct inst *inst = s->inst;
    pthread_mutex_lock(&inst->api_mu);
    tree_wrlock(inst);
    Call(canon(szFilename, path));
    if (bk_active(inst)) Error(JET_errBackupInProgress);
    if (db_by_path(inst, path)) Error(JET_wrnDatabaseAttached);
    uint32_t dbid = db_free_slot(inst);
    if (!dbid) Error(JET_errTooManyAttachedDatabases);
    Call(db_open_file(inst, path, &db));
    if (db->hdr.flags & (DBH_BACKUP_COPY | DBH_TRAILER)) Error(JET_errSoftRecoveryOnBackupDatabase);
    if (db->hdr.page_size != inst->params.page_size) Error(JET_errPageSizeMismatch);
    if (db->hdr.state != JET_dbstateCleanShutdown) Error(JET_errDatabaseDirtyShutdown);
    db->dbid = dbid;
    inst->dbs[dbid] = db;
    {
        struct mtr m;
        mtr_begin(&m, inst);
        err = log_db_record(&m, db, LR_DB_ATTACH, &lsn);
        if (err >= 0)
            err = mtr_commit(&m, 1, &lsn);
        else
            mtr_abort(&m);
    }
    if (err < 0) {
        inst->dbs[dbid] = NULL;
        goto HandleError;
    }
    tree_unlock(inst);
    err = mark_attached(db, lsn);
    pthread_mutex_unlock(&inst->api_mu);
    inst_leave(inst);
    return err;
HandleError:
    if (db && (!db->dbid || inst->dbs[db->dbid] != db)) db_free(db);
    tree_unlock(inst);
    pthread_mutex_unlock(&inst->api_mu);
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetAttachDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit)
{
    return JetAttachDatabase2(sesid, szFilename, 0, grbit);
}

/* 1 when a cursor, or an open transaction's pending writes, still use a table of db (even after
 * the session closed the database): its definition points at db. inst->mu, then each td->mu. */
static int tables_in_use(struct inst *inst, struct db *db)
{
    int used = 0;
    pthread_mutex_lock(&inst->mu);
    for (struct tabledef *t = db->tables; t && !used; t = t->next) {
        pthread_mutex_lock(&t->mu);
        used = t->refs > 0;
        pthread_mutex_unlock(&t->mu);
    }
    pthread_mutex_unlock(&inst->mu);
    return used;
}

/* Detaches one database (api_mu and the exclusive tree lock held). */
static JET_ERR detach_one(struct inst *inst, struct db *db)
{
    JET_ERR err;
    lgpos_t lsn = 0;
    if (db->open_count > 0 || tables_in_use(inst, db)) return JET_errDatabaseInUse;
    Call(cache_flush(inst->cache, db->dbid, UINT64_MAX, 0));
    Call(os_fsync(db->file));
    {
        struct mtr m;
        mtr_begin(&m, inst);
        uint8_t *p = mtr_control(&m, LR_DB_DETACH, 4);
        if (!p) {
            mtr_abort(&m);
            Error(JET_errOutOfMemory);
        }
        put_u32(p, db->dbid);
        Call(mtr_commit(&m, 1, &lsn));
    }
    if (lsn && inst->log) Call(log_flush_to(inst->log, lsn));
    db_mark_clean(db, lsn);
    Call(db_write_header(db));
    cache_drop_db(inst->cache, db->dbid);
    inst->dbs[db->dbid] = NULL;
    db_free(db);
HandleError:
    return err;
}

JET_ERR JET_API JetDetachDatabase2(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit)
{
    struct session *s;
    char path[OS_PATH_MAX];
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    struct inst *inst = s->inst;
    pthread_mutex_lock(&inst->api_mu);
    tree_wrlock(inst);
    if (bk_active(inst)) Error(JET_errBackupInProgress);
    if (!szFilename || !szFilename[0]) {
        for (uint32_t id = 1; id <= DB_MAX && err >= 0; id++)
            if (inst->dbs[id]) err = detach_one(inst, inst->dbs[id]);
    } else {
        Call(canon(szFilename, path));
        struct db *db = db_by_path(inst, path);
        if (!db) Error(JET_errDatabaseNotFound);
        err = detach_one(inst, db);
    }
HandleError:
    tree_unlock(inst);
    pthread_mutex_unlock(&inst->api_mu);
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetDetachDatabase(JET_SESID sesid, JET_PCSTR szFilename)
{
    return JetDetachDatabase2(sesid, szFilename, 0);
}

JET_ERR JET_API JetOpenDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect, JET_DBID *pdbid,
                                JET_GRBIT grbit)
{
    struct session *s;
    char path[OS_PATH_MAX];
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    if (!pdbid) {
        inst_leave(s->inst);
        return JET_errInvalidParameter;
    }
    tree_rdlock(s->inst);
    err = canon(szFilename, path);
    struct db *db = err >= 0 ? db_by_path(s->inst, path) : NULL;
    if (err >= 0 && !db) err = JET_errDatabaseNotFound;
    if (err >= 0) {
        open_for_session(s, db);
        *pdbid = db->dbid;
    }
    tree_unlock(s->inst);
    inst_leave(s->inst);
    return err == JET_errInvalidPath ? JET_errDatabaseNotFound : err;
}

JET_ERR JET_API JetCloseDatabase(JET_SESID sesid, JET_DBID dbid, JET_GRBIT grbit)
{
    struct session *s;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    struct inst *inst = s->inst;
    pthread_mutex_lock(&inst->mu);
    if (dbid == 0 || dbid > DB_MAX || s->opendb[dbid] == 0) {
        err = JET_errInvalidDatabaseId;
    } else if (--s->opendb[dbid] == 0 && inst->dbs[dbid]) {
        inst->dbs[dbid]->open_count--;
    }
    pthread_mutex_unlock(&inst->mu);
    inst_leave(inst);
    return err;
}

/* ---- information ----------------------------------------------------------------------------------- */
static void fill_misc_common(const struct db_header *h, JET_DBINFOMISC *m)
{
    m->ulVersion = 0x620;
    m->ulUpdate = DBH_VERSION;
    sig_to_jet(&h->sig_db, &m->signDb);
    m->dbstate = h->state;
    lgpos_to_jet(h->consistent, &m->lgposConsistent);
    time_to_jet(h->consistent_time, &m->logtimeConsistent);
    time_to_jet(h->attach_time, &m->logtimeAttach);
    lgpos_to_jet(h->attach, &m->lgposAttach);
    time_to_jet(h->detach_time, &m->logtimeDetach);
    lgpos_to_jet(h->detach, &m->lgposDetach);
    sig_to_jet(&h->sig_log, &m->signLog);
    bkinfo_to_jet(&h->bk[BK_FULL_PREV], &m->bkinfoFullPrev);
    bkinfo_to_jet(&h->bk[BK_INC_PREV], &m->bkinfoIncPrev);
    bkinfo_to_jet(&h->bk[BK_FULL_CUR], &m->bkinfoFullCur);
    m->dwMajorVersion = 1;
    m->cbPageSize = h->page_size;
}

static JET_ERR fill_misc(const struct db_header *h, void *pv, unsigned long cbMax)
{
    if (!pv) return JET_errInvalidParameter;
    if (cbMax >= sizeof(JET_DBINFOMISC4)) {
        JET_DBINFOMISC4 *m = pv;
        JET_DBINFOMISC base;
        memset(m, 0, sizeof *m);
        memset(&base, 0, sizeof base);
        fill_misc_common(h, &base);
        memcpy(m, &base, sizeof base); /* MISC4 begins with MISC's fields in the same order */
        m->genMinRequired = h->gen_min_required;
        m->genMaxRequired = h->gen_max_required;
        bkinfo_to_jet(&h->bk[BK_COPY_PREV], &m->bkinfoCopyPrev);
        bkinfo_to_jet(&h->bk[BK_DIFF_PREV], &m->bkinfoDiffPrev);
        return JET_errSuccess;
    }
    if (cbMax >= sizeof(JET_DBINFOMISC)) {
        memset(pv, 0, cbMax);
        fill_misc_common(h, pv);
        return JET_errSuccess;
    }
    return JET_errBufferTooSmall;
}

static JET_ERR put_ulong(void *pv, unsigned long cbMax, unsigned long v)
{
    if (!pv) return JET_errInvalidParameter;
    if (cbMax < sizeof(unsigned long)) return JET_errBufferTooSmall;
    *(unsigned long *)pv = v;
    return JET_errSuccess;
}

static JET_ERR put_u64v(void *pv, unsigned long cbMax, unsigned long long v)
{
    if (!pv) return JET_errInvalidParameter;
    if (cbMax < sizeof(unsigned long long)) return JET_errBufferTooSmall;
    *(unsigned long long *)pv = v;
    return JET_errSuccess;
}

JET_ERR JET_API JetGetDatabaseFileInfo(JET_PCSTR szDatabaseName, void *pvResult, unsigned long cbMax,
                                       unsigned long InfoLevel)
{
    char path[OS_PATH_MAX];
    struct db_header h;
    uint64_t size;
    JET_ERR err;
    if (!szDatabaseName || !szDatabaseName[0] || strlen(szDatabaseName) >= OS_PATH_MAX) return JET_errInvalidPath;
    snprintf(path, sizeof path, "%s", szDatabaseName);
    param_normalize_path(path);
    unsigned long level = InfoLevel & ~(unsigned long)JET_DbInfoUseCachedResult;
    switch (level) {
    case JET_DbInfoFilesize:
    case JET_DbInfoFilesizeOnDisk:
        if ((err = os_file_size(path, &size)) < 0) return err;
        return put_u64v(pvResult, cbMax, size);
    case JET_DbInfoMisc:
    case JET_DbInfoPageSize:
    case JET_DbInfoFileType:
        break;
    default:
        return JET_errInvalidParameter;
    }
    if ((err = dbh_read_path(path, &h)) < 0) return err == JET_errInvalidDatabase ? JET_errDatabaseCorrupted : err;
    if (level == JET_DbInfoPageSize) return put_ulong(pvResult, cbMax, h.page_size);
    if (level == JET_DbInfoFileType) return put_ulong(pvResult, cbMax, JET_filetypeDatabase);
    return fill_misc(&h, pvResult, cbMax);
}

JET_ERR JET_API JetGetDatabaseInfo(JET_SESID sesid, JET_DBID dbid, void *pvResult, unsigned long cbMax,
                                   unsigned long InfoLevel)
{
    struct session *s;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    struct inst *inst = s->inst;
    tree_rdlock(inst);
    struct db *db = dbid >= 1 && dbid <= DB_MAX && s->opendb[dbid] ? inst->dbs[dbid] : NULL;
    uint32_t pages;
    if (!db) {
        err = JET_errInvalidDatabaseId;
    } else {
        switch (InfoLevel & ~(unsigned long)JET_DbInfoUseCachedResult) {
        case JET_DbInfoFilename:
            if (!pvResult) {
                err = JET_errInvalidParameter;
            } else if (cbMax < strlen(db->path) + 1) {
                err = JET_errBufferTooSmall;
            } else {
                memcpy(pvResult, db->path, strlen(db->path) + 1);
            }
            break;
        case JET_DbInfoPageSize: err = put_ulong(pvResult, cbMax, inst->params.page_size); break;
        case JET_DbInfoSpaceOwned:
            if ((err = db_page_count(db, &pages)) >= 0) err = put_ulong(pvResult, cbMax, pages);
            break;
        case JET_DbInfoFilesize:
            if ((err = db_page_count(db, &pages)) >= 0)
                err = put_u64v(pvResult, cbMax, (unsigned long long)pages * inst->params.page_size);
            break;
        case JET_DbInfoMisc: err = fill_misc(&db->hdr, pvResult, cbMax); break;
        default: err = JET_errInvalidParameter;
        }
    }
    tree_unlock(inst);
    inst_leave(inst);
    return err;
}
