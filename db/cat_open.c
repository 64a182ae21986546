/*
 * cat_open.c — opening and closing the catalog: the file, the connection settings (WAL, busy
 * timeout, foreign keys, synchronous), then the migrations (cat_migrate.c). Owns the lifetime of
 * struct cat; touches no table.
 */
#include "cat_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a call waits for another process's write lock before CAT_EBUSY. */
#define CAT_BUSY_TIMEOUT_MS 5000

static void free_thread_errbuf(void *buf)
{
    free(buf);
}

/* The parent directory must exist: SQLite's own message for a missing one is "unable to open
 * database file", which does not say what is wrong. */
static int check_path(cat_t *cat, const char *path)
{
    size_t len = strlen(path);
    char *dir = malloc(len + 2);
    if (dir == NULL) return cat_fail(cat, CAT_ENOMEM, "out of memory opening the catalog");
    memcpy(dir, path, len + 1);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0'; /* "/catalog.db": parent is "/" */
    else
        *slash = '\0';

    int rc = CAT_OK;
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        rc = cat_fail(cat, CAT_EINVAL, "cannot open catalog %s: directory %s: %s", path, dir,
                      strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        rc = cat_fail(cat, CAT_EINVAL, "cannot open catalog %s: %s is not a directory", path, dir);
    } else if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        rc = cat_fail(cat, CAT_EINVAL, "cannot open catalog %s: it is a directory", path);
    }
    free(dir);
    return rc;
}

/* Creates the file 0600 (if missing) before SQLite does, since SQLite would use 0644; its -wal and
 * -shm files take the database file's mode. */
static int create_file(cat_t *cat, const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return cat_fail(cat, CAT_ERR, "cannot open catalog %s: %s", path, strerror(errno));
    if (close(fd) != 0)
        return cat_fail(cat, CAT_ERR, "cannot open catalog %s: %s", path, strerror(errno));
    return CAT_OK;
}

/* Runs one PRAGMA (no values: its text is constant) and copies its first result column, if any. */
static int pragma(cat_t *cat, const char *sql, char *result, size_t len)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(cat->db, sql, -1, &st, NULL);
    if (src != SQLITE_OK) {
        sqlite3_finalize(st);
        return cat_fail_sqlite(cat, src, sql);
    }
    int rc = CAT_OK;
    if (result != NULL) result[0] = '\0';
    for (;;) {
        int row = cat_step_row(cat, st, sql);
        if (row <= 0) {
            rc = row;
            break;
        }
        if (result != NULL && result[0] == '\0') cat_col_text(st, 0, result, len);
    }
    src = sqlite3_finalize(st);
    if (rc == CAT_OK && src != SQLITE_OK) rc = cat_fail_sqlite(cat, src, sql);
    return rc;
}

static int configure(cat_t *cat)
{
    char value[32];
    int src = sqlite3_busy_timeout(cat->db, CAT_BUSY_TIMEOUT_MS);
    if (src != SQLITE_OK) return cat_fail_sqlite(cat, src, "setting the busy timeout");
    src = sqlite3_extended_result_codes(cat->db, 1);
    if (src != SQLITE_OK) return cat_fail_sqlite(cat, src, "enabling extended result codes");

    /* The first read of the file: a file that is not a database fails here (SQLITE_NOTADB). */
    int rc = pragma(cat, "PRAGMA journal_mode=WAL", value, sizeof value);
    if (rc < 0) return rc;
    if (strcmp(value, "wal") != 0)
        return cat_fail(cat, CAT_ERR, "catalog %s: cannot use WAL mode (journal mode is %s)",
                        cat->path, value);
    /* NORMAL in WAL mode syncs at checkpoints, not at every commit: a power loss can lose the last
     * commits but never corrupts the file. The catalog records what happened (the backups
     * themselves are in the engine's files), and the event log needs the ~3x commit rate. */
    rc = pragma(cat, "PRAGMA synchronous=NORMAL", NULL, 0);
    if (rc < 0) return rc;
    rc = pragma(cat, "PRAGMA foreign_keys=ON", NULL, 0);
    if (rc < 0) return rc;
    rc = pragma(cat, "PRAGMA foreign_keys", value, sizeof value);
    if (rc < 0) return rc;
    if (strcmp(value, "1") != 0)
        return cat_fail(cat, CAT_ERR, "this SQLite cannot enforce foreign keys");
    return CAT_OK;
}

void cat_close(cat_t *cat)
{
    if (cat == NULL) return;
    for (size_t i = 0; i < STMT_COUNT; i++) {
        /* finalize returns the statement's last step error, reported back then. */
        (void)sqlite3_finalize(cat->stmts[i]);
        cat->stmts[i] = NULL;
    }
    if (cat->db != NULL) {
        /* Every statement is finalized, so close_v2 closes now; a failure here has no remedy. */
        int src = sqlite3_close_v2(cat->db);
        (void)src;
        cat->db = NULL;
    }
    /* The calling thread's message buffer; other live threads' buffers cannot be reached once the
     * key is gone (a few hundred bytes each, only if they outlive the handle). */
    free(pthread_getspecific(cat->errkey));
    (void)pthread_key_delete(cat->errkey); /* fails only for an invalid key */
    (void)pthread_mutex_destroy(&cat->lock);
    free(cat);
}

static cat_t *handle_new(const char *path)
{
    size_t len = strlen(path);
    cat_t *cat = calloc(1, sizeof *cat + len + 1);
    if (cat == NULL) return NULL;
    memcpy(cat->path, path, len + 1);
    if (pthread_key_create(&cat->errkey, free_thread_errbuf) != 0) {
        free(cat);
        return NULL;
    }
    if (pthread_mutex_init(&cat->lock, NULL) != 0) {
        (void)pthread_key_delete(cat->errkey);
        free(cat);
        return NULL;
    }
    return cat;
}

static void report(char *errbuf, size_t errlen, const char *msg)
{
    if (errbuf != NULL && errlen > 0) cat_copy_text(errbuf, errlen, msg);
}

int cat_open_with(const char *path, const struct embedded_file *migrations, cat_t **out,
                  char *errbuf, size_t errlen)
{
    report(errbuf, errlen, "");
    if (out == NULL || path == NULL || path[0] == '\0' || migrations == NULL) {
        report(errbuf, errlen, "cat_open: path, migrations and out are required");
        return CAT_EINVAL;
    }
    *out = NULL;
    cat_t *cat = handle_new(path);
    if (cat == NULL) {
        report(errbuf, errlen, "out of memory opening the catalog");
        return CAT_ENOMEM;
    }
    int rc;
    CHECK(check_path(cat, path));
    CHECK(create_file(cat, path));
    /* NOMUTEX: cat->lock already serialises every use of the connection. */
    int src = sqlite3_open_v2(
        path, &cat->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        int status = cat_status_from_sqlite(src);
        rc = cat_fail(cat, status < 0 ? status : CAT_ERR, "cannot open catalog %s: %s", path,
                      cat->db != NULL ? sqlite3_errmsg(cat->db) : sqlite3_errstr(src));
        goto out;
    }
    CHECK(configure(cat));
    CHECK(cat_migrate(cat, migrations));
    *out = cat;
    return CAT_OK;
out:
    report(errbuf, errlen, cat_errmsg(cat));
    cat_close(cat);
    return rc;
}

int cat_open(const char *path, cat_t **out, char *errbuf, size_t errlen)
{
    return cat_open_with(path, db_migrations, out, errbuf, errlen);
}

int cat_schema_version(cat_t *cat, int *version)
{
    if (cat == NULL || version == NULL) return CAT_EINVAL;
    char value[32];
    cat_lock(cat);
    int rc = pragma(cat, "PRAGMA user_version", value, sizeof value);
    cat_unlock(cat);
    if (rc == CAT_OK) *version = atoi(value);
    return rc;
}
