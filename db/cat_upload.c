/*
 * cat_upload.c — offsite uploads: one row per object put on a target (uploads) and the multipart
 * parts the store acknowledged (upload_parts), which is what a restarted appliance needs to resume:
 * the multipart UploadId, the part size, and every stored part's number, offset, size and ETag.
 *
 * State machine (column `state`):
 *     pending -> uploading                 cat_upload_set_multipart
 *     pending | uploading -> complete      cat_upload_complete (a single PUT: pending -> complete)
 *     pending | uploading -> failed        cat_upload_fail
 * Parts are recorded only while uploading; bytes_uploaded is always the sum of the recorded
 * parts' sizes until complete, then bytes_total.
 */
#include "cat_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PART_NUMBER 10000 /* S3's limit */

#define UPLOAD_COLUMNS                                                                             \
    "id, backup_id, target, object_key, file_name, multipart_id, state, part_size_bytes,"          \
    " bytes_total, bytes_uploaded, sha256, crc32c, error, created_at, updated_at, completed_at"

static int read_upload(cat_t *cat, sqlite3_stmt *st, struct cat_upload *u)
{
    char state[CAT_NAME_MAX];
    memset(u, 0, sizeof *u);
    u->id = cat_col_int64(st, 0);
    u->backup_id = cat_col_int64(st, 1);
    cat_col_text(st, 2, u->target, sizeof u->target);
    cat_col_text(st, 3, u->object_key, sizeof u->object_key);
    cat_col_text(st, 4, u->file_name, sizeof u->file_name);
    cat_col_text(st, 5, u->multipart_id, sizeof u->multipart_id);
    cat_col_text(st, 6, state, sizeof state);
    if (cat_upload_state_parse(state, &u->state) < 0)
        return cat_fail(cat, CAT_ERR, "upload %lld: unknown state '%s'", (long long)u->id, state);
    u->part_size_bytes = cat_col_u64(st, 7);
    u->bytes_total = cat_col_u64(st, 8);
    u->bytes_uploaded = cat_col_u64(st, 9);
    cat_col_text(st, 10, u->sha256, sizeof u->sha256);
    u->crc32c = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 : cat_col_int64(st, 11);
    cat_col_text(st, 12, u->error, sizeof u->error);
    u->created_at = cat_col_int64(st, 13);
    u->updated_at = cat_col_int64(st, 14);
    u->completed_at = cat_col_int64(st, 15);
    return CAT_OK;
}

/* Reads upload `id` (lock held): 1 = found, 0 = none, < 0 error. */
static int get_locked(cat_t *cat, int64_t id, struct cat_upload *u)
{
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_UPLOAD_GET, "SELECT " UPLOAD_COLUMNS " FROM uploads WHERE id = ?1",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_step_row(cat, st, "reading an upload"));
    if (rc == 1) {
        int r = read_upload(cat, st, u);
        if (r < 0) rc = r;
    }
out:
    cat_stmt_done(st);
    return rc;
}

/* After a state-guarded UPDATE changed nothing: why. */
static int why_unchanged(cat_t *cat, int64_t id, const char *what)
{
    struct cat_upload *u = malloc(sizeof *u); /* ~6 KiB: not on a server thread's stack */
    if (u == NULL) return cat_fail(cat, CAT_ENOMEM, "out of memory reading an upload");
    int rc = get_locked(cat, id, u);
    if (rc == 0)
        rc = cat_fail(cat, CAT_ENOTFOUND, "no upload %lld", (long long)id);
    else if (rc > 0)
        rc = cat_fail(cat, CAT_ECONFLICT, "upload %lld is %s: %s", (long long)id,
                      cat_upload_state_name(u->state), what);
    free(u);
    return rc;
}

int cat_upload_insert(cat_t *cat, const struct cat_upload_new *u, int64_t *id)
{
    if (cat == NULL || u == NULL || id == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int64_t now = cat_now_us();
    int rc;
    CHECK(cat_check_ident(cat, u->target, CAT_NAME_MAX, true, "target"));
    CHECK(cat_check_ident(cat, u->object_key, CAT_KEY_MAX, true, "object key"));
    CHECK(cat_check_ident(cat, u->file_name, CAT_NAME_MAX, false, "file name"));
    CHECK(cat_stmt(cat, STMT_UPLOAD_INSERT,
                   "INSERT INTO uploads (backup_id, target, object_key, file_name, state,"
                   " part_size_bytes, bytes_total, created_at, updated_at)"
                   " VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7, ?7)",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, u->backup_id));
    CHECK(cat_bind_text(cat, st, 2, u->target, false));
    CHECK(cat_bind_text(cat, st, 3, u->object_key, false));
    CHECK(cat_bind_text(cat, st, 4, u->file_name, true));
    CHECK(cat_bind_u64(cat, st, 5, u->part_size_bytes));
    CHECK(cat_bind_u64(cat, st, 6, u->bytes_total));
    CHECK(cat_bind_int64(cat, st, 7, now));
    rc = cat_step_done(cat, st, "recording an upload");
    if (rc == CAT_ENOTFOUND)
        rc = cat_fail(cat, CAT_ENOTFOUND, "no backup %lld", (long long)u->backup_id);
    else if (rc == CAT_ECONFLICT)
        rc = cat_fail(cat, CAT_ECONFLICT, "backup %lld already has an upload of %s to %s",
                      (long long)u->backup_id, u->object_key, u->target);
    CHECK(rc);
    *id = sqlite3_last_insert_rowid(cat->db);
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_upload_get(cat_t *cat, int64_t id, struct cat_upload *out)
{
    if (cat == NULL || out == NULL) return CAT_EINVAL;
    cat_lock(cat);
    int rc = get_locked(cat, id, out);
    if (rc == 0)
        rc = cat_fail(cat, CAT_ENOTFOUND, "no upload %lld", (long long)id);
    else if (rc > 0)
        rc = CAT_OK;
    cat_unlock(cat);
    return rc;
}

int cat_upload_find(cat_t *cat, int64_t backup_id, const char *target, const char *object_key,
                    struct cat_upload *out)
{
    if (cat == NULL || out == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_check_ident(cat, target, CAT_NAME_MAX, true, "target"));
    CHECK(cat_check_ident(cat, object_key, CAT_KEY_MAX, true, "object key"));
    CHECK(cat_stmt(cat, STMT_UPLOAD_FIND,
                   "SELECT " UPLOAD_COLUMNS " FROM uploads"
                   " WHERE backup_id = ?1 AND target = ?2 AND object_key = ?3",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, backup_id));
    CHECK(cat_bind_text(cat, st, 2, target, false));
    CHECK(cat_bind_text(cat, st, 3, object_key, false));
    CHECK(cat_step_row(cat, st, "finding an upload"));
    if (rc == 0) {
        rc = cat_fail(cat, CAT_ENOTFOUND, "backup %lld has no upload of %s to %s",
                      (long long)backup_id, object_key, target);
        goto out;
    }
    CHECK(read_upload(cat, st, out));
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_upload_set_multipart(cat_t *cat, int64_t id, const char *multipart_id)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_check_ident(cat, multipart_id, CAT_KEY_MAX, true, "multipart upload id"));
    CHECK(cat_stmt(cat, STMT_UPLOAD_SET_MULTIPART,
                   "UPDATE uploads SET multipart_id = ?2, state = 'uploading', updated_at = ?3"
                   " WHERE id = ?1 AND state IN ('pending', 'uploading')",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_text(cat, st, 2, multipart_id, false));
    CHECK(cat_bind_int64(cat, st, 3, cat_now_us()));
    CHECK(cat_step_done(cat, st, "recording a multipart upload id"));
    if (sqlite3_changes(cat->db) == 0) rc = why_unchanged(cat, id, "it has finished");
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

/* Checks a part against its upload (lock held, transaction open). */
static int check_part(cat_t *cat, int64_t id, int part_number, uint64_t offset, uint64_t size,
                      const char *etag)
{
    struct cat_upload *u = NULL;
    int rc;
    if (part_number < 1 || part_number > MAX_PART_NUMBER) {
        rc = cat_fail(cat, CAT_EINVAL, "part number %d is outside 1..%d", part_number,
                      MAX_PART_NUMBER);
        goto out;
    }
    CHECK(cat_check_ident(cat, etag, CAT_ETAG_MAX, true, "part ETag"));
    u = malloc(sizeof *u);
    if (u == NULL) {
        rc = cat_fail(cat, CAT_ENOMEM, "out of memory recording a part");
        goto out;
    }
    CHECK(get_locked(cat, id, u));
    if (rc == 0) {
        rc = cat_fail(cat, CAT_ENOTFOUND, "no upload %lld", (long long)id);
        goto out;
    }
    if (u->state != CAT_UPLOAD_UPLOADING) {
        rc = cat_fail(cat, CAT_ECONFLICT, "upload %lld is %s: parts are recorded while uploading",
                      (long long)id, cat_upload_state_name(u->state));
        goto out;
    }
    if (offset > u->bytes_total || size > u->bytes_total - offset) {
        rc = cat_fail(cat, CAT_EINVAL, "part %d (%llu+%llu) lies beyond the object's %llu bytes",
                      part_number, (unsigned long long)offset, (unsigned long long)size,
                      (unsigned long long)u->bytes_total);
        goto out;
    }
    rc = CAT_OK;
out:
    free(u);
    return rc;
}

int cat_upload_add_part(cat_t *cat, int64_t id, int part_number, uint64_t offset, uint64_t size,
                        const char *etag)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_begin(cat));
    CHECK(check_part(cat, id, part_number, offset, size, etag));
    CHECK(
        cat_stmt(cat, STMT_UPLOAD_PART_UPSERT,
                 "INSERT INTO upload_parts (upload_id, part_number, offset_bytes, size_bytes, etag)"
                 " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (upload_id, part_number) DO UPDATE SET"
                 " offset_bytes = excluded.offset_bytes, size_bytes = excluded.size_bytes,"
                 " etag = excluded.etag",
                 &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_int64(cat, st, 2, part_number));
    CHECK(cat_bind_u64(cat, st, 3, offset));
    CHECK(cat_bind_u64(cat, st, 4, size));
    CHECK(cat_bind_text(cat, st, 5, etag, false));
    CHECK(cat_step_done(cat, st, "recording a part"));
    cat_stmt_done(st);
    st = NULL;
    CHECK(cat_stmt(cat, STMT_UPLOAD_RESUM,
                   "UPDATE uploads SET updated_at = ?2, bytes_uploaded = (SELECT"
                   " coalesce(sum(size_bytes), 0) FROM upload_parts WHERE upload_id = ?1)"
                   " WHERE id = ?1",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_int64(cat, st, 2, cat_now_us()));
    CHECK(cat_step_done(cat, st, "counting uploaded bytes"));
    cat_stmt_done(st);
    st = NULL;
    CHECK(cat_commit(cat));
out:
    if (rc < 0) cat_rollback(cat);
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_upload_list_parts(cat_t *cat, int64_t id, struct cat_upload_part **out, size_t *count)
{
    if (cat == NULL || out == NULL || count == NULL) return CAT_EINVAL;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct cat_upload_part)};
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_UPLOAD_PARTS,
                   "SELECT upload_id, part_number, offset_bytes, size_bytes, etag FROM upload_parts"
                   " WHERE upload_id = ?1 ORDER BY part_number",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    for (;;) {
        CHECK(cat_step_row(cat, st, "listing parts"));
        if (rc == 0) break;
        struct cat_upload_part *p = cat_vec_push(cat, &v);
        if (p == NULL) {
            rc = CAT_ENOMEM;
            goto out;
        }
        p->upload_id = cat_col_int64(st, 0);
        p->part_number = (int)cat_col_int64(st, 1);
        p->offset = cat_col_u64(st, 2);
        p->size = cat_col_u64(st, 3);
        cat_col_text(st, 4, p->etag, sizeof p->etag);
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

int cat_upload_complete(cat_t *cat, int64_t id, const char *sha256_hex, int64_t crc32c)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int64_t now = cat_now_us();
    int rc;
    CHECK(cat_check_hex(cat, sha256_hex, "SHA-256"));
    if (crc32c < -1 || crc32c > (int64_t)UINT32_MAX) {
        rc = cat_fail(cat, CAT_EINVAL, "CRC32C %lld is not a 32-bit value", (long long)crc32c);
        goto out;
    }
    CHECK(cat_stmt(cat, STMT_UPLOAD_COMPLETE,
                   "UPDATE uploads SET state = 'complete', sha256 = ?2, crc32c = ?3,"
                   " bytes_uploaded = bytes_total, completed_at = ?4, updated_at = ?4, error = NULL"
                   " WHERE id = ?1 AND state <> 'failed'",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_text(cat, st, 2, sha256_hex, false));
    if (crc32c < 0)
        CHECK(cat_bind_null(cat, st, 3));
    else
        CHECK(cat_bind_int64(cat, st, 3, crc32c));
    CHECK(cat_bind_int64(cat, st, 4, now));
    CHECK(cat_step_done(cat, st, "completing an upload"));
    if (sqlite3_changes(cat->db) == 0)
        rc = why_unchanged(cat, id, "a failed upload cannot complete");
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_upload_fail(cat_t *cat, int64_t id, const char *message)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    char reason[CAT_MESSAGE_MAX];
    int rc;
    cat_copy_text(reason, sizeof reason, message != NULL ? message : "");
    CHECK(cat_stmt(cat, STMT_UPLOAD_FAIL,
                   "UPDATE uploads SET state = 'failed', error = ?2, updated_at = ?3"
                   " WHERE id = ?1 AND state <> 'complete'",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_text(cat, st, 2, reason, false));
    CHECK(cat_bind_int64(cat, st, 3, cat_now_us()));
    CHECK(cat_step_done(cat, st, "recording a failed upload"));
    if (sqlite3_changes(cat->db) == 0) rc = why_unchanged(cat, id, "a complete upload cannot fail");
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_upload_list(cat_t *cat, int64_t backup_id, struct cat_upload **out, size_t *count)
{
    if (cat == NULL || out == NULL || count == NULL) return CAT_EINVAL;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct cat_upload)};
    sqlite3_stmt *st = NULL;
    int rc;
    if (backup_id > 0) {
        CHECK(cat_stmt(cat, STMT_UPLOAD_LIST_BACKUP,
                       "SELECT " UPLOAD_COLUMNS " FROM uploads WHERE backup_id = ?1 ORDER BY id",
                       &st));
        CHECK(cat_bind_int64(cat, st, 1, backup_id));
    } else {
        CHECK(cat_stmt(cat, STMT_UPLOAD_LIST_UNFINISHED,
                       "SELECT " UPLOAD_COLUMNS " FROM uploads"
                       " WHERE state IN ('pending', 'uploading') ORDER BY id",
                       &st));
    }
    for (;;) {
        CHECK(cat_step_row(cat, st, "listing uploads"));
        if (rc == 0) break;
        struct cat_upload *u = cat_vec_push(cat, &v);
        if (u == NULL) {
            rc = CAT_ENOMEM;
            goto out;
        }
        CHECK(read_upload(cat, st, u));
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
