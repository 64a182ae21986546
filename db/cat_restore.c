/*
 * cat_restore.c — restores (hard recovery into a new instance) and the files uploaded for them.
 *
 * State machine (column `state`):
 *     staging -> running                  cat_restore_start (atomic test-and-set)
 *     staging | running -> succeeded      cat_restore_finish
 *     staging | running -> failed         cat_restore_finish
 *     running -> failed                   cat_restore_fail_interrupted (at start-up)
 * Files can be added only while staging; a running restore cannot be deleted.
 */
#include "cat_internal.h"

#include <stdlib.h>
#include <string.h>

#define INTERRUPTED_RESTORE_MESSAGE "the appliance restarted while this restore was running"

#define RESTORE_COLUMNS                                                                            \
    "id, instance, state, created_at, ended_at, gen_low, gen_high, result_code, result_name,"      \
    " result_message, source, target, manifest_key"

static int read_restore(cat_t *cat, sqlite3_stmt *st, struct cat_restore *r)
{
    char text[CAT_NAME_MAX];
    memset(r, 0, sizeof *r);
    r->id = cat_col_int64(st, 0);
    cat_col_text(st, 1, r->instance, sizeof r->instance);
    cat_col_text(st, 2, text, sizeof text);
    if (cat_restore_state_parse(text, &r->state) < 0)
        return cat_fail(cat, CAT_ERR, "restore %lld: unknown state '%s'", (long long)r->id, text);
    r->created_at = cat_col_int64(st, 3);
    r->ended_at = cat_col_int64(st, 4);
    r->gen_low = cat_col_int64(st, 5);
    r->gen_high = cat_col_int64(st, 6);
    r->has_result = sqlite3_column_type(st, 7) != SQLITE_NULL;
    r->result.code = (int32_t)cat_col_int64(st, 7);
    cat_col_text(st, 8, r->result.name, sizeof r->result.name);
    cat_col_text(st, 9, r->result.message, sizeof r->result.message);
    cat_col_text(st, 10, text, sizeof text);
    if (cat_restore_source_parse(text, &r->source) < 0)
        return cat_fail(cat, CAT_ERR, "restore %lld: unknown source '%s'", (long long)r->id, text);
    cat_col_text(st, 11, r->target, sizeof r->target);
    cat_col_text(st, 12, r->manifest_key, sizeof r->manifest_key);
    return CAT_OK;
}

/* The state of restore `id` (lock held): 1 = found into *state, 0 = no such restore, < 0 error. */
static int state_of(cat_t *cat, int64_t id, enum cat_restore_state *state)
{
    sqlite3_stmt *st = NULL;
    char text[CAT_NAME_MAX];
    int rc;
    CHECK(cat_stmt(cat, STMT_RESTORE_STATE, "SELECT state FROM restores WHERE id = ?1", &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_step_row(cat, st, "reading a restore's state"));
    if (rc == 1) {
        cat_col_text(st, 0, text, sizeof text);
        if (cat_restore_state_parse(text, state) < 0)
            rc = cat_fail(cat, CAT_ERR, "restore %lld: unknown state '%s'", (long long)id, text);
    }
out:
    cat_stmt_done(st);
    return rc;
}

/* After an UPDATE/DELETE guarded by state changed nothing: why. */
static int why_unchanged(cat_t *cat, int64_t id, const char *what)
{
    enum cat_restore_state state = CAT_RESTORE_STAGING;
    int rc = state_of(cat, id, &state);
    if (rc < 0) return rc;
    if (rc == 0) return cat_fail(cat, CAT_ENOTFOUND, "no restore %lld", (long long)id);
    return cat_fail(cat, CAT_ECONFLICT, "restore %lld is %s: %s", (long long)id,
                    cat_restore_state_name(state), what);
}

int cat_restore_create(cat_t *cat, const struct cat_restore_new *r, int64_t *id)
{
    if (cat == NULL || r == NULL || id == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    bool from_target = r->source == CAT_SOURCE_TARGET;
    if (cat_restore_source_name(r->source) == NULL) {
        rc = cat_fail(cat, CAT_EINVAL, "bad restore source %d", (int)r->source);
        goto out;
    }
    CHECK(cat_check_ident(cat, r->instance, CAT_NAME_MAX, true, "instance"));
    CHECK(cat_check_ident(cat, r->target, CAT_NAME_MAX, from_target, "target"));
    CHECK(cat_check_ident(cat, r->manifest_key, CAT_KEY_MAX, from_target, "manifest key"));
    if (!from_target && ((r->target != NULL && r->target[0] != '\0') ||
                         (r->manifest_key != NULL && r->manifest_key[0] != '\0'))) {
        rc = cat_fail(cat, CAT_EINVAL, "an uploaded restore has no target or manifest key");
        goto out;
    }
    CHECK(
        cat_stmt(cat, STMT_RESTORE_INSERT,
                 "INSERT INTO restores (instance, state, created_at, source, target, manifest_key)"
                 " VALUES (?1, 'staging', ?2, ?3, ?4, ?5)",
                 &st));
    CHECK(cat_bind_text(cat, st, 1, r->instance, false));
    CHECK(cat_bind_int64(cat, st, 2, r->created_at != 0 ? r->created_at : cat_now_us()));
    CHECK(cat_bind_text(cat, st, 3, cat_restore_source_name(r->source), false));
    CHECK(cat_bind_text(cat, st, 4, r->target, true));
    CHECK(cat_bind_text(cat, st, 5, r->manifest_key, true));
    CHECK(cat_step_done(cat, st, "creating a restore"));
    *id = sqlite3_last_insert_rowid(cat->db);
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_restore_get(cat_t *cat, int64_t id, struct cat_restore *out)
{
    if (cat == NULL || out == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_RESTORE_GET, "SELECT " RESTORE_COLUMNS " FROM restores WHERE id = ?1",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_step_row(cat, st, "reading a restore"));
    if (rc == 0) {
        rc = cat_fail(cat, CAT_ENOTFOUND, "no restore %lld", (long long)id);
        goto out;
    }
    CHECK(read_restore(cat, st, out));
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_restore_list(cat_t *cat, const struct cat_restore_filter *f, struct cat_restore **out,
                     size_t *count)
{
    if (cat == NULL || out == NULL || count == NULL) return CAT_EINVAL;
    static const struct cat_restore_filter no_filter;
    if (f == NULL) f = &no_filter;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct cat_restore)};
    sqlite3_stmt *st = NULL;
    int rc, idx = 1;
    if (f->instance != NULL && f->instance[0] != '\0') {
        CHECK(cat_stmt(cat, STMT_RESTORE_LIST_INSTANCE,
                       "SELECT " RESTORE_COLUMNS " FROM restores WHERE instance = ?1 AND id < ?2"
                       " ORDER BY id DESC LIMIT ?3",
                       &st));
        CHECK(cat_bind_text(cat, st, idx++, f->instance, false));
    } else {
        CHECK(cat_stmt(cat, STMT_RESTORE_LIST_ALL,
                       "SELECT " RESTORE_COLUMNS " FROM restores WHERE id < ?1"
                       " ORDER BY id DESC LIMIT ?2",
                       &st));
    }
    CHECK(cat_bind_int64(cat, st, idx++, f->before_id > 0 ? f->before_id : INT64_MAX));
    CHECK(cat_bind_int64(cat, st, idx, (int64_t)cat_clamp_limit(f->limit)));
    for (;;) {
        CHECK(cat_step_row(cat, st, "listing restores"));
        if (rc == 0) break;
        struct cat_restore *r = cat_vec_push(cat, &v);
        if (r == NULL) {
            rc = CAT_ENOMEM;
            goto out;
        }
        CHECK(read_restore(cat, st, r));
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

int cat_restore_start(cat_t *cat, int64_t id, int64_t gen_low, int64_t gen_high)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_check_gens(cat, gen_low, gen_high));
    CHECK(cat_stmt(cat, STMT_RESTORE_START,
                   "UPDATE restores SET state = 'running', gen_low = coalesce(?2, gen_low),"
                   " gen_high = coalesce(?3, gen_high) WHERE id = ?1 AND state = 'staging'",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_int64_or_null(cat, st, 2, gen_low));
    CHECK(cat_bind_int64_or_null(cat, st, 3, gen_high));
    CHECK(cat_step_done(cat, st, "starting a restore"));
    if (sqlite3_changes(cat->db) == 0)
        rc = why_unchanged(cat, id, "only a staging restore can start");
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

static int finish_locked(cat_t *cat, int64_t id, const struct cat_restore_end *e)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (e->state != CAT_RESTORE_SUCCEEDED && e->state != CAT_RESTORE_FAILED) {
        rc = cat_fail(cat, CAT_EINVAL, "cat_restore_finish: state %d is not succeeded or failed",
                      (int)e->state);
        goto out;
    }
    CHECK(cat_check_gens(cat, e->gen_low, e->gen_high));
    CHECK(cat_stmt(cat, STMT_RESTORE_FINISH,
                   "UPDATE restores SET state = ?2, ended_at = ?3, result_code = ?4,"
                   " result_name = ?5, result_message = ?6, gen_low = coalesce(?7, gen_low),"
                   " gen_high = coalesce(?8, gen_high)"
                   " WHERE id = ?1 AND state IN ('staging', 'running')",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_text(cat, st, 2, cat_restore_state_name(e->state), false));
    CHECK(cat_bind_int64(cat, st, 3, e->ended_at != 0 ? e->ended_at : cat_now_us()));
    CHECK(cat_bind_int64(cat, st, 4, e->result.code));
    CHECK(cat_bind_field(cat, st, 5, e->result.name, sizeof e->result.name));
    CHECK(cat_bind_field(cat, st, 6, e->result.message, sizeof e->result.message));
    CHECK(cat_bind_int64_or_null(cat, st, 7, e->gen_low));
    CHECK(cat_bind_int64_or_null(cat, st, 8, e->gen_high));
    CHECK(cat_step_done(cat, st, "finishing a restore"));
    if (sqlite3_changes(cat->db) == 0) rc = why_unchanged(cat, id, "it has already finished");
out:
    cat_stmt_done(st);
    return rc;
}

int cat_restore_finish(cat_t *cat, int64_t id, const struct cat_restore_end *e)
{
    if (cat == NULL || e == NULL) return CAT_EINVAL;
    cat_lock(cat);
    int rc = finish_locked(cat, id, e);
    cat_unlock(cat);
    return rc;
}

int cat_restore_delete(cat_t *cat, int64_t id)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_RESTORE_DELETE,
                   "DELETE FROM restores WHERE id = ?1 AND state <> 'running'", &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_step_done(cat, st, "deleting a restore"));
    if (sqlite3_changes(cat->db) == 0)
        rc = why_unchanged(cat, id, "a running restore cannot be deleted");
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

struct interrupted {
    int64_t id;
    char instance[CAT_NAME_MAX];
};

int cat_restore_fail_interrupted(cat_t *cat, int32_t code, const char *name, int *count)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct interrupted)};
    sqlite3_stmt *st = NULL;
    int64_t now = cat_now_us();
    int rc;
    CHECK(cat_begin(cat));
    CHECK(cat_stmt(cat, STMT_RESTORE_RUNNING,
                   "SELECT id, instance FROM restores WHERE state = 'running' ORDER BY id", &st));
    for (;;) {
        CHECK(cat_step_row(cat, st, "finding interrupted restores"));
        if (rc == 0) break;
        struct interrupted *i = cat_vec_push(cat, &v);
        if (i == NULL) {
            rc = CAT_ENOMEM;
            goto out;
        }
        i->id = cat_col_int64(st, 0);
        cat_col_text(st, 1, i->instance, sizeof i->instance);
    }
    cat_stmt_done(st);
    st = NULL;

    struct cat_restore_end end = {.state = CAT_RESTORE_FAILED, .ended_at = now};
    end.result.code = code;
    cat_copy_text(end.result.name, sizeof end.result.name, name != NULL ? name : "");
    cat_copy_text(end.result.message, sizeof end.result.message, INTERRUPTED_RESTORE_MESSAGE);
    for (size_t k = 0; k < v.count; k++) {
        const struct interrupted *i = (const struct interrupted *)v.items + k;
        CHECK(finish_locked(cat, i->id, &end));
        struct cat_event_new ev = {
            .time = now,
            .instance = i->instance,
            .level = CAT_LEVEL_ERROR,
            .category = "Restore",
            .message = INTERRUPTED_RESTORE_MESSAGE,
            .restore_id = i->id,
            .error_code = code,
        };
        CHECK(cat_event_insert_locked(cat, &ev, NULL));
    }
    CHECK(cat_commit(cat));
    if (count != NULL) *count = (int)v.count;
out:
    if (rc < 0) cat_rollback(cat);
    free(v.items);
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

/* ---- restore files --------------------------------------------------------------------------- */

#define RFILE_COLUMNS "restore_id, name, size_bytes, bytes_received"

static void read_rfile(sqlite3_stmt *st, struct cat_restore_file *f)
{
    memset(f, 0, sizeof *f);
    f->restore_id = cat_col_int64(st, 0);
    cat_col_text(st, 1, f->name, sizeof f->name);
    f->size_bytes = cat_col_u64(st, 2);
    f->bytes_received = cat_col_u64(st, 3);
}

int cat_restore_file_put(cat_t *cat, int64_t restore_id, const char *name, uint64_t size_bytes)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    enum cat_restore_state state = CAT_RESTORE_STAGING;
    int rc;
    CHECK(cat_check_ident(cat, name, CAT_NAME_MAX, true, "file name"));
    CHECK(cat_begin(cat));
    CHECK(state_of(cat, restore_id, &state));
    if (rc == 0) {
        rc = cat_fail(cat, CAT_ENOTFOUND, "no restore %lld", (long long)restore_id);
        goto out;
    }
    if (state != CAT_RESTORE_STAGING) {
        rc = cat_fail(cat, CAT_ECONFLICT,
                      "restore %lld is %s: files can be added only while staging",
                      (long long)restore_id, cat_restore_state_name(state));
        goto out;
    }
    CHECK(cat_stmt(cat, STMT_RFILE_UPSERT,
                   "INSERT INTO restore_files (restore_id, name, size_bytes) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT (restore_id, name) DO UPDATE SET size_bytes = excluded.size_bytes,"
                   " bytes_received = min(bytes_received, excluded.size_bytes)",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, restore_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_bind_u64(cat, st, 3, size_bytes));
    CHECK(cat_step_done(cat, st, "recording a restore file"));
    cat_stmt_done(st);
    st = NULL;
    CHECK(cat_commit(cat));
out:
    if (rc < 0) cat_rollback(cat);
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_restore_file_set_received(cat_t *cat, int64_t restore_id, const char *name,
                                  uint64_t bytes_received)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_check_ident(cat, name, CAT_NAME_MAX, true, "file name"));
    CHECK(cat_stmt(
        cat, STMT_RFILE_SET_RECEIVED,
        "UPDATE restore_files SET bytes_received = ?3 WHERE restore_id = ?1 AND name = ?2", &st));
    CHECK(cat_bind_int64(cat, st, 1, restore_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_bind_u64(cat, st, 3, bytes_received));
    rc = cat_step_done(cat, st, "recording bytes received");
    if (rc == CAT_EINVAL) { /* the CHECK: more than the file's size */
        rc = cat_fail(cat, CAT_EINVAL, "%llu bytes received is more than the size of %s",
                      (unsigned long long)bytes_received, name);
        goto out;
    }
    CHECK(rc);
    if (sqlite3_changes(cat->db) == 0)
        rc = cat_fail(cat, CAT_ENOTFOUND, "restore %lld has no file %s", (long long)restore_id,
                      name);
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_restore_file_get(cat_t *cat, int64_t restore_id, const char *name,
                         struct cat_restore_file *out)
{
    if (cat == NULL || out == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_check_ident(cat, name, CAT_NAME_MAX, true, "file name"));
    CHECK(cat_stmt(
        cat, STMT_RFILE_GET,
        "SELECT " RFILE_COLUMNS " FROM restore_files WHERE restore_id = ?1 AND name = ?2", &st));
    CHECK(cat_bind_int64(cat, st, 1, restore_id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_step_row(cat, st, "reading a restore file"));
    if (rc == 0) {
        rc = cat_fail(cat, CAT_ENOTFOUND, "restore %lld has no file %s", (long long)restore_id,
                      name);
        goto out;
    }
    read_rfile(st, out);
    rc = CAT_OK;
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_restore_file_list(cat_t *cat, int64_t restore_id, struct cat_restore_file **out,
                          size_t *count)
{
    if (cat == NULL || out == NULL || count == NULL) return CAT_EINVAL;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct cat_restore_file)};
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(
        cat, STMT_RFILE_LIST,
        "SELECT " RFILE_COLUMNS " FROM restore_files WHERE restore_id = ?1 ORDER BY name", &st));
    CHECK(cat_bind_int64(cat, st, 1, restore_id));
    for (;;) {
        CHECK(cat_step_row(cat, st, "listing restore files"));
        if (rc == 0) break;
        struct cat_restore_file *f = cat_vec_push(cat, &v);
        if (f == NULL) {
            rc = CAT_ENOMEM;
            goto out;
        }
        read_rfile(st, f);
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
