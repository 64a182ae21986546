/*
 * cat_internal.h — what the catalog's files share and nothing outside db/ may include: the handle,
 * the prepared-statement cache, error recording, and binding/column helpers.
 *
 * Locking: cat->lock guards every field of struct cat except path and errkey (set at open,
 * read-only after). A public function calls cat_lock() first and cat_unlock() on every way out;
 * helpers here expect the lock held. There is one lock, so there is no lock order.
 *
 * Error idiom (ESE's Call/HandleError in our words): a function keeps `int rc`, calls
 *     CHECK(cat_step_done(cat, st));
 * which jumps to `out:` on a negative result; every failure path has already recorded its message
 * through cat_fail()/cat_fail_sqlite().
 */
#ifndef HOTCOPY_DB_CAT_INTERNAL_H
#define HOTCOPY_DB_CAT_INTERNAL_H

#include "catalog.h"

#include <pthread.h>
#include <sqlite3.h>

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        rc = (expr);                                                                               \
        if (rc < 0) goto out;                                                                      \
    } while (0)

/* Every cached statement; the SQL text lives beside the code that uses it. */
enum cat_stmt_id {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_BACKUP_INSERT,
    STMT_BACKUP_SET_PHASE,
    STMT_BACKUP_SET_GENS,
    STMT_BACKUP_SET_RATE,
    STMT_BACKUP_SET_TARGET,
    STMT_BACKUP_FINISH,
    STMT_BACKUP_GET,
    STMT_BACKUP_LIST_ALL,
    STMT_BACKUP_LIST_INSTANCE,
    STMT_BACKUP_PHASE,
    STMT_BACKUP_EXISTS,
    STMT_BACKUP_RUNNING,
    STMT_BACKUP_COUNTS,
    STMT_FILE_GET,
    STMT_FILE_INSERT,
    STMT_FILE_UPDATE,
    STMT_FILE_CLIP_RANGES,
    STMT_FILE_TRIM_RANGE,
    STMT_FILE_RESUM,
    STMT_FILE_OVERLAPS,
    STMT_FILE_DELETE_OVERLAPS,
    STMT_FILE_INSERT_RANGE,
    STMT_FILE_SET_SERVED,
    STMT_FILE_SET_CHECKSUM,
    STMT_FILE_LIST,
    STMT_EVENT_INSERT,
    STMT_EVENT_GET,
    STMT_EVENT_LIST_ALL,
    STMT_EVENT_LIST_INSTANCE,
    STMT_EVENT_LIST_BACKUP,
    STMT_EVENT_LIST_RESTORE,
    STMT_EVENT_PRUNE,
    STMT_RESTORE_INSERT,
    STMT_RESTORE_GET,
    STMT_RESTORE_LIST_ALL,
    STMT_RESTORE_LIST_INSTANCE,
    STMT_RESTORE_START,
    STMT_RESTORE_STATE,
    STMT_RESTORE_FINISH,
    STMT_RESTORE_DELETE,
    STMT_RESTORE_RUNNING,
    STMT_RFILE_UPSERT,
    STMT_RFILE_SET_RECEIVED,
    STMT_RFILE_GET,
    STMT_RFILE_LIST,
    STMT_UPLOAD_INSERT,
    STMT_UPLOAD_GET,
    STMT_UPLOAD_FIND,
    STMT_UPLOAD_STATE,
    STMT_UPLOAD_SET_MULTIPART,
    STMT_UPLOAD_PART_UPSERT,
    STMT_UPLOAD_RESUM,
    STMT_UPLOAD_PARTS,
    STMT_UPLOAD_COMPLETE,
    STMT_UPLOAD_FAIL,
    STMT_UPLOAD_LIST_BACKUP,
    STMT_UPLOAD_LIST_UNFINISHED,
    STMT_COUNT
};

struct cat {
    pthread_mutex_t lock;            /* guards db and stmts */
    sqlite3 *db;                     /* guarded by lock */
    sqlite3_stmt *stmts[STMT_COUNT]; /* guarded by lock; prepared on first use, reset after use */
    pthread_key_t errkey;            /* per-thread char[CAT_ERRMSG_MAX]: that thread's last error */
    char path[];                     /* the file opened; read-only */
};

#define CAT_ERRMSG_MAX 512

void cat_lock(cat_t *cat);
void cat_unlock(cat_t *cat);

/* Records a message for the calling thread and returns `status` (so: `return cat_fail(...)`). */
int cat_fail(cat_t *cat, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Maps SQLite's result `sqlite_rc` to a cat_status, recording "<what>: <sqlite message>". */
int cat_fail_sqlite(cat_t *cat, int sqlite_rc, const char *what);
/* Maps an SQLite result code to a cat_status (no message). */
int cat_status_from_sqlite(int sqlite_rc);

/* *out = the cached statement `id`, prepared from `sql` on first use. The caller resets it with
 * cat_stmt_done() before unlocking. */
int cat_stmt(cat_t *cat, enum cat_stmt_id id, const char *sql, sqlite3_stmt **out);
/* Resets and clears bindings (never fails the call: errors were reported by step). */
void cat_stmt_done(sqlite3_stmt *st);

/* Steps a statement that returns no row: CAT_OK, or the mapped error (message recorded). */
int cat_step_done(cat_t *cat, sqlite3_stmt *st, const char *what);
/* Steps once: 1 = a row is ready, 0 = no row, < 0 error (message recorded). */
int cat_step_row(cat_t *cat, sqlite3_stmt *st, const char *what);

/* Transactions (BEGIN IMMEDIATE so a writer never upgrades a read lock and deadlocks). */
int cat_begin(cat_t *cat);
int cat_commit(cat_t *cat);
void cat_rollback(cat_t *cat);

/* Binding: each returns CAT_OK or records the error. A NULL or "" text binds SQL NULL when
 * `empty_is_null`, else NULL binds ''; an int64 of 0 binds NULL with the *_or_null variant. */
int cat_bind_text(cat_t *cat, sqlite3_stmt *st, int idx, const char *s, bool empty_is_null);
int cat_bind_int64(cat_t *cat, sqlite3_stmt *st, int idx, int64_t v);
int cat_bind_null(cat_t *cat, sqlite3_stmt *st, int idx);
int cat_bind_int64_or_null(cat_t *cat, sqlite3_stmt *st, int idx, int64_t v);
int cat_bind_u64(cat_t *cat, sqlite3_stmt *st, int idx, uint64_t v);
/* Binds a caller's fixed-size text field (char[len]) that may lack its NUL: at most len-1 bytes. */
int cat_bind_field(cat_t *cat, sqlite3_stmt *st, int idx, const char *field, size_t len);

/* Column readers: NULL reads as ""/0. Text is copied with truncation at a UTF-8 boundary. */
void cat_col_text(sqlite3_stmt *st, int col, char *buf, size_t len);
int64_t cat_col_int64(sqlite3_stmt *st, int col);
uint64_t cat_col_u64(sqlite3_stmt *st, int col);

/* Argument checks, recording a message naming `what` on failure (CAT_EINVAL). */
int cat_check_ident(cat_t *cat, const char *s, size_t max, bool required, const char *what);
int cat_check_hex(cat_t *cat, const char *s, const char *what);
/* A log generation range: each >= 0 (0 = null), low <= high when both are set. */
int cat_check_gens(cat_t *cat, int64_t low, int64_t high);

/* Copies s into buf (len > 0), truncating at a UTF-8 character boundary. */
void cat_copy_text(char *buf, size_t len, const char *s);

/* Limit with CAT_LIST_DEFAULT / CAT_LIST_MAX applied. */
size_t cat_clamp_limit(size_t limit);

/* A growing array for list results: cat_vec_push returns a zeroed slot or NULL (CAT_ENOMEM
 * recorded). On success the list owner hands v->items to the caller; on failure it free()s them. */
struct cat_vec {
    void *items;
    size_t count, cap, elem_size;
};
void *cat_vec_push(cat_t *cat, struct cat_vec *v);

/* Shared by the start-up recovery of backups and restores (cat_event.c). */
int cat_event_insert_locked(cat_t *cat, const struct cat_event_new *e, int64_t *id);

/* Applies migrations newer than the file's user_version (cat_migrate.c). Called during open. */
int cat_migrate(cat_t *cat, const struct embedded_file *migrations);

#endif /* HOTCOPY_DB_CAT_INTERNAL_H */
