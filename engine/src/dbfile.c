/*
 * dbfile.c — database file objects (see dbfile.h).
 */
#include "dbfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "catalog.h"
#include "space.h"

static struct db *db_new(struct inst *inst, const char *path)
{
    struct db *db = calloc(1, sizeof *db);
    if (!db) return NULL;
    db->inst = inst;
    snprintf(db->path, sizeof db->path, "%s", path);
    return db;
}

JET_ERR db_open_file(struct inst *inst, const char *path, struct db **out)
{
    JET_ERR err;
    struct db *db = db_new(inst, path);
    if (!db) return JET_errOutOfMemory;
    if (strlen(path) >= OS_PATH_MAX - 8) Error(JET_errInvalidPath);
    Call(os_open(path, OS_RDWR, &db->file));
    Call(dbh_read(db->file, &db->hdr));
    db->dbtime = db->hdr.dbtime;
    *out = db;
    return JET_errSuccess;
HandleError:
    db_free(db);
    return err;
}

JET_ERR db_create_file(struct inst *inst, const char *path, const struct signature *sig, int overwrite,
                       struct db **out)
{
    JET_ERR err;
    struct db *db = db_new(inst, path);
    if (!db) return JET_errOutOfMemory;
    if (strlen(path) >= OS_PATH_MAX - 8) Error(JET_errInvalidPath);
    err = os_open(path, OS_RDWR | OS_CREATE | (overwrite ? OS_TRUNC : OS_EXCL), &db->file);
    if (err == JET_errFileAlreadyExists) err = JET_errDatabaseDuplicate;
    Call(err);
    memset(&db->hdr, 0, sizeof db->hdr);
    db->hdr.page_size = inst->params.page_size;
    db->hdr.state = JET_dbstateJustCreated;
    if (sig)
        db->hdr.sig_db = *sig;
    else
        sig_new(&db->hdr.sig_db);
    db->hdr.sig_log = inst->log_sig;
    Call(db_write_header(db));
    char dir[OS_PATH_MAX];
    os_dirname(path, dir, sizeof dir);
    Call(os_fsync_dir(dir));
    *out = db;
    return JET_errSuccess;
HandleError:
    if (db->file && err != JET_errDatabaseDuplicate) os_unlink(path);
    db_free(db);
    return err;
}

JET_ERR db_write_header(struct db *db) { return dbh_write(db->file, &db->hdr); }

void db_mark_clean(struct db *db, lgpos_t end)
{
    db->hdr.state = JET_dbstateCleanShutdown;
    db->hdr.dbtime = db->dbtime;
    db->hdr.consistent = db->hdr.detach = end;
    db->hdr.consistent_time = db->hdr.detach_time = os_now_us();
    db->hdr.gen_min_required = db->hdr.gen_max_required = 0;
    db->hdr.sig_log = db->inst->log_sig;
}

void db_free(struct db *db)
{
    if (!db) return;
    cat_free_all(db);
    os_close(db->file);
    free(db);
}

uint32_t db_free_slot(struct inst *inst)
{
    for (uint32_t id = 1; id <= DB_MAX; id++)
        if (!inst->dbs[id]) return id;
    return 0;
}

struct db *db_by_path(struct inst *inst, const char *path)
{
    for (uint32_t id = 1; id <= DB_MAX; id++)
        if (inst->dbs[id] && strcmp(inst->dbs[id]->path, path) == 0) return inst->dbs[id];
    return NULL;
}

JET_ERR db_page_count(struct db *db, uint32_t *count) { return space_info(db, count, NULL, NULL); }
