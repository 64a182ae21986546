/*
 * cat_backup_file.c — the files of a backup (backup_files) and the accounting of bytes served.
 *
 * Invariant: a file's delivered bytes are kept in backup_file_ranges as disjoint, non-adjacent
 * half-open intervals [range_start, range_end) within [0, size_bytes); backup_files.bytes_served is
 * always the sum of their lengths. cat_backup_file_add_served() merges a new interval with every
 * interval it overlaps or touches, in one transaction, so the invariant holds after each call and a
 * byte sent twice (a retried range, overlapping parallel ranges) counts once.
 */
#include "cat_internal.h"

#include <stdlib.h>
#include <string.h>

#define FILE_COLUMNS "backup_id, name, kind, size_bytes, bytes_served, checksum"

static int read_file(cat_t *cat, sqlite3_stmt *st, struct cat_backup_file *f)
{
    char kind[CAT_NAME_MAX];
    memset(f, 0, sizeof *f);
    f->backup_id = cat_col_int64(st, 0);
    cat_col_text(st, 1, f->name, sizeof f->name);
    cat_col_text(st, 2, kind, sizeof kind);
    if (cat_file_kind_parse(kind, &f->kind) < 0)
        return cat_fail(cat, CAT_ERR, "backup file %s: unknown kind '%s'", f->name, kind);
    f->size_bytes = cat_col_u64(st, 3);
    f->bytes_served = cat_col_u64(st, 4);
    cat_col_text(st, 5, f->checksum, sizeof f->checksum);
    return CAT_OK;
}

/* Reads one file row (lock held). 1 = found into *f, 0 = none, < 0 error. */
static int get_locked(cat_t *cat, int64_t backup_id, const char *name, struct cat_backup_file *f)
{
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_FILE_GET,
                   "SELECT " FILE_COLUMNS " FROM backup_files WHERE backup_id = ?1 AND name = ?2",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_step_row(cat, st, "reading a backup file"));
    if (rc == 1) {
        int r = read_file(cat, st, f);
        if (r < 0) rc = r;
    }
out:
    cat_stmt_done(st);
    return rc;
}

/* Runs a cached statement whose parameters are (?1 backup_id, ?2 name[, ?3 value]). */
static int run_file_stmt(cat_t *cat, enum cat_stmt_id id, const char *sql, int64_t backup_id,
                         const char *name, const uint64_t *value, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, id, sql, &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    if (value != NULL) CHECK(cat_bind_u64(cat, st, 3, *value));
    CHECK(cat_step_done(cat, st, what));
out:
    cat_stmt_done(st);
    return rc;
}

/* bytes_served := the sum of the file's ranges. */
static int resum_served(cat_t *cat, int64_t backup_id, const char *name)
{
    return run_file_stmt(cat, STMT_FILE_RESUM,
                         "UPDATE backup_files SET bytes_served = (SELECT"
                         " coalesce(sum(range_end - range_start), 0) FROM backup_file_ranges r"
                         " WHERE r.backup_id = ?1 AND r.name = ?2)"
                         " WHERE backup_id = ?1 AND name = ?2",
                         backup_id, name, NULL, "counting a file's bytes served");
}

static int insert_file(cat_t *cat, int64_t backup_id, const char *name, const char *kind,
                       uint64_t size)
{
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(
        cat, STMT_FILE_INSERT,
        "INSERT INTO backup_files (backup_id, name, kind, size_bytes) VALUES (?1, ?2, ?3, ?4)",
        &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_bind_text(cat, st, 3, kind, false));
    CHECK(cat_bind_u64(cat, st, 4, size));
    rc = cat_step_done(cat, st, "adding a backup file");
    if (rc == CAT_ENOTFOUND) /* the foreign key: no such backup */
        rc = cat_fail(cat, CAT_ENOTFOUND, "no backup %lld", (long long)backup_id);
out:
    cat_stmt_done(st);
    return rc;
}

/* An existing file gets a new kind/size; a shrink drops the ranges beyond the new end. */
static int update_file(cat_t *cat, int64_t backup_id, const char *name, const char *kind,
                       uint64_t size)
{
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_FILE_UPDATE,
                   "UPDATE backup_files SET kind = ?3, size_bytes = ?4,"
                   " checksum = CASE WHEN size_bytes = ?4 THEN checksum ELSE NULL END"
                   " WHERE backup_id = ?1 AND name = ?2",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_bind_text(cat, st, 3, kind, false));
    CHECK(cat_bind_u64(cat, st, 4, size));
    CHECK(cat_step_done(cat, st, "updating a backup file"));
    CHECK(run_file_stmt(cat, STMT_FILE_CLIP_RANGES,
                        "DELETE FROM backup_file_ranges"
                        " WHERE backup_id = ?1 AND name = ?2 AND range_start >= ?3",
                        backup_id, name, &size, "dropping served ranges beyond a file's end"));
    CHECK(run_file_stmt(cat, STMT_FILE_TRIM_RANGE,
                        "UPDATE backup_file_ranges SET range_end = ?3"
                        " WHERE backup_id = ?1 AND name = ?2 AND range_end > ?3",
                        backup_id, name, &size, "trimming served ranges to a file's end"));
    CHECK(resum_served(cat, backup_id, name));
out:
    cat_stmt_done(st);
    return rc;
}

int cat_backup_file_put(cat_t *cat, int64_t backup_id, const char *name, enum cat_file_kind kind,
                        uint64_t size_bytes)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    struct cat_backup_file old = {0};
    const char *kind_name = cat_file_kind_name(kind);
    int rc;
    if (kind_name == NULL) {
        rc = cat_fail(cat, CAT_EINVAL, "bad file kind %d", (int)kind);
        goto out;
    }
    CHECK(cat_check_ident(cat, name, CAT_NAME_MAX, true, "file name"));
    CHECK(cat_begin(cat));
    CHECK(get_locked(cat, backup_id, name, &old));
    if (rc == 0)
        CHECK(insert_file(cat, backup_id, name, kind_name, size_bytes));
    else
        CHECK(update_file(cat, backup_id, name, kind_name, size_bytes));
    CHECK(cat_commit(cat));
out:
    if (rc < 0) cat_rollback(cat);
    cat_unlock(cat);
    return rc;
}

/* Merges [start, end) into the file's ranges (transaction open, lock held). */
static int merge_range(cat_t *cat, int64_t backup_id, const char *name, uint64_t start,
                       uint64_t end)
{
    sqlite3_stmt *st = NULL;
    int rc;
    /* Ranges overlapping or touching [start, end): they and the new one become one range. */
    CHECK(cat_stmt(cat, STMT_FILE_OVERLAPS,
                   "SELECT min(range_start), max(range_end) FROM backup_file_ranges"
                   " WHERE backup_id = ?1 AND name = ?2 AND range_start <= ?4 AND range_end >= ?3",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_bind_u64(cat, st, 3, start));
    CHECK(cat_bind_u64(cat, st, 4, end));
    CHECK(cat_step_row(cat, st, "finding served ranges"));
    if (rc == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        uint64_t lo = cat_col_u64(st, 0), hi = cat_col_u64(st, 1);
        start = lo < start ? lo : start;
        end = hi > end ? hi : end;
    }
    cat_stmt_done(st);
    st = NULL;

    CHECK(cat_stmt(cat, STMT_FILE_DELETE_OVERLAPS,
                   "DELETE FROM backup_file_ranges"
                   " WHERE backup_id = ?1 AND name = ?2 AND range_start <= ?4 AND range_end >= ?3",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_bind_u64(cat, st, 3, start));
    CHECK(cat_bind_u64(cat, st, 4, end));
    CHECK(cat_step_done(cat, st, "merging served ranges"));
    cat_stmt_done(st);
    st = NULL;

    CHECK(cat_stmt(cat, STMT_FILE_INSERT_RANGE,
                   "INSERT INTO backup_file_ranges (backup_id, name, range_start, range_end)"
                   " VALUES (?1, ?2, ?3, ?4)",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_bind_u64(cat, st, 3, start));
    CHECK(cat_bind_u64(cat, st, 4, end));
    CHECK(cat_step_done(cat, st, "recording a served range"));
out:
    cat_stmt_done(st);
    return rc;
}

int cat_backup_file_add_served(cat_t *cat, int64_t backup_id, const char *name, uint64_t offset,
                               uint64_t length, uint64_t *bytes_served)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    struct cat_backup_file f = {0};
    int rc;
    CHECK(cat_check_ident(cat, name, CAT_NAME_MAX, true, "file name"));
    CHECK(cat_begin(cat));
    CHECK(get_locked(cat, backup_id, name, &f));
    if (rc == 0) {
        rc = cat_fail(cat, CAT_ENOTFOUND, "backup %lld has no file %s", (long long)backup_id, name);
        goto out;
    }
    if (length == 0 || offset > f.size_bytes || length > f.size_bytes - offset) {
        rc = cat_fail(cat, CAT_EINVAL,
                      "served range %llu+%llu is empty or beyond the end of %s (%llu bytes)",
                      (unsigned long long)offset, (unsigned long long)length, name,
                      (unsigned long long)f.size_bytes);
        goto out;
    }
    CHECK(merge_range(cat, backup_id, name, offset, offset + length));
    CHECK(resum_served(cat, backup_id, name));
    CHECK(get_locked(cat, backup_id, name, &f));
    CHECK(cat_commit(cat));
    if (bytes_served != NULL) *bytes_served = f.bytes_served;
out:
    if (rc < 0) cat_rollback(cat);
    cat_unlock(cat);
    return rc;
}

int cat_backup_file_set_checksum(cat_t *cat, int64_t backup_id, const char *name,
                                 const char *checksum_hex)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_check_ident(cat, name, CAT_NAME_MAX, true, "file name"));
    CHECK(cat_check_hex(cat, checksum_hex, "checksum"));
    CHECK(cat_stmt(cat, STMT_FILE_SET_CHECKSUM,
                   "UPDATE backup_files SET checksum = ?3 WHERE backup_id = ?1 AND name = ?2",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_bind_text(cat, st, 3, checksum_hex, false));
    CHECK(cat_step_done(cat, st, "recording a file's checksum"));
    if (sqlite3_changes(cat->db) == 0)
        rc = cat_fail(cat, CAT_ENOTFOUND, "backup %lld has no file %s", (long long)backup_id, name);
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_backup_file_get(cat_t *cat, int64_t backup_id, const char *name,
                        struct cat_backup_file *out)
{
    if (cat == NULL || out == NULL) return CAT_EINVAL;
    cat_lock(cat);
    int rc;
    CHECK(cat_check_ident(cat, name, CAT_NAME_MAX, true, "file name"));
    CHECK(get_locked(cat, backup_id, name, out));
    if (rc == 0)
        rc = cat_fail(cat, CAT_ENOTFOUND, "backup %lld has no file %s", (long long)backup_id, name);
    else
        rc = CAT_OK;
out:
    cat_unlock(cat);
    return rc;
}

int cat_backup_file_list(cat_t *cat, int64_t backup_id, struct cat_backup_file **out, size_t *count)
{
    if (cat == NULL || out == NULL || count == NULL) return CAT_EINVAL;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct cat_backup_file)};
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_FILE_LIST,
                   "SELECT " FILE_COLUMNS " FROM backup_files WHERE backup_id = ?1"
                   " ORDER BY CASE kind WHEN 'database' THEN 0 ELSE 1 END, name",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    for (;;) {
        CHECK(cat_step_row(cat, st, "listing backup files"));
        if (rc == 0) break;
        struct cat_backup_file *f = cat_vec_push(cat, &v);
        if (f == NULL) {
            rc = CAT_ENOMEM;
            goto out;
        }
        CHECK(read_file(cat, st, f));
    }
    *out = v.items;
    *count = v.count;
    v.items = NULL;
out:
    free(v.items);
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}
