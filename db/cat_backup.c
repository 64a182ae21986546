/*
 * cat_backup.c — the backups table: one row per external backup, from begin to its end.
 *
 * Phase state machine (columns `phase`, `ended_at`, `result_*`):
 *     database -> logs -> truncated          cat_backup_set_phase (running phases only)
 *     any -> ended | stopped | failed        cat_backup_finish (sets ended_at and the result)
 *     running -> failed                      cat_backup_fail_interrupted (at start-up)
 * A finished backup never returns to a running phase. Files of a backup: cat_backup_file.c.
 */
#include "cat_internal.h"

#include <stdlib.h>
#include <string.h>

#define RUNNING_PHASES "('database', 'logs', 'truncated')"

#define INTERRUPTED_BACKUP_MESSAGE "the appliance restarted while this backup was running"

/* The columns read_backup() expects, in order. The upload sums cover this backup's target. */
#define BACKUP_COLUMNS                                                                             \
    "b.id, b.instance, b.type, b.phase, b.started_at, b.ended_at, b.gen_low, b.gen_high,"          \
    " b.recorded_as, b.result_code, b.result_name, b.result_message, b.max_bytes_per_second,"      \
    " b.target, b.target_state, b.manifest_key,"                                                   \
    " (SELECT coalesce(sum(u.bytes_uploaded), 0) FROM uploads u"                                   \
    "   WHERE u.backup_id = b.id AND u.target = b.target),"                                        \
    " (SELECT coalesce(sum(u.bytes_total), 0) FROM uploads u"                                      \
    "   WHERE u.backup_id = b.id AND u.target = b.target)"

static int read_backup(cat_t *cat, sqlite3_stmt *st, struct cat_backup *b)
{
    char text[CAT_NAME_MAX];
    memset(b, 0, sizeof *b);
    b->id = cat_col_int64(st, 0);
    cat_col_text(st, 1, b->instance, sizeof b->instance);
    cat_col_text(st, 2, text, sizeof text);
    if (cat_backup_type_parse(text, &b->type) < 0)
        return cat_fail(cat, CAT_ERR, "backup %lld: unknown type '%s'", (long long)b->id, text);
    cat_col_text(st, 3, text, sizeof text);
    if (cat_backup_phase_parse(text, &b->phase) < 0)
        return cat_fail(cat, CAT_ERR, "backup %lld: unknown phase '%s'", (long long)b->id, text);
    b->started_at = cat_col_int64(st, 4);
    b->ended_at = cat_col_int64(st, 5);
    b->gen_low = cat_col_int64(st, 6);
    b->gen_high = cat_col_int64(st, 7);
    b->recorded_as = CAT_RECORDED_NONE;
    if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
        cat_col_text(st, 8, text, sizeof text);
        if (cat_recorded_as_parse(text, &b->recorded_as) < 0)
            return cat_fail(cat, CAT_ERR, "backup %lld: unknown recordedAs '%s'", (long long)b->id,
                            text);
    }
    b->has_result = sqlite3_column_type(st, 9) != SQLITE_NULL;
    b->result.code = (int32_t)cat_col_int64(st, 9);
    cat_col_text(st, 10, b->result.name, sizeof b->result.name);
    cat_col_text(st, 11, b->result.message, sizeof b->result.message);
    b->max_bytes_per_second = cat_col_u64(st, 12);
    cat_col_text(st, 13, b->target, sizeof b->target);
    b->target_state = CAT_TARGET_NONE;
    if (sqlite3_column_type(st, 14) != SQLITE_NULL) {
        cat_col_text(st, 14, text, sizeof text);
        if (cat_target_state_parse(text, &b->target_state) < 0)
            return cat_fail(cat, CAT_ERR, "backup %lld: unknown target state '%s'",
                            (long long)b->id, text);
    }
    cat_col_text(st, 15, b->manifest_key, sizeof b->manifest_key);
    b->target_bytes_uploaded = cat_col_u64(st, 16);
    b->target_bytes_total = cat_col_u64(st, 17);
    return CAT_OK;
}

/* After an UPDATE that changed nothing: CAT_ENOTFOUND if the backup is gone, else `otherwise`. */
static int why_unchanged(cat_t *cat, int64_t id, int otherwise, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = cat_stmt(cat, STMT_BACKUP_EXISTS, "SELECT 1 FROM backups WHERE id = ?1", &st);
    if (rc < 0) return rc;
    rc = cat_bind_int64(cat, st, 1, id);
    if (rc == CAT_OK) rc = cat_step_row(cat, st, "looking up a backup");
    cat_stmt_done(st);
    if (rc < 0) return rc;
    if (rc == 0) return cat_fail(cat, CAT_ENOTFOUND, "no backup %lld", (long long)id);
    return cat_fail(cat, otherwise, "backup %lld: %s", (long long)id, what);
}

int cat_backup_insert(cat_t *cat, const struct cat_backup_new *b, int64_t *id)
{
    if (cat == NULL || b == NULL || id == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    const char *type = cat_backup_type_name(b->type);
    if (type == NULL) {
        rc = cat_fail(cat, CAT_EINVAL, "unknown backup type %d", (int)b->type);
        goto out;
    }
    CHECK(cat_check_ident(cat, b->instance, CAT_NAME_MAX, true, "instance"));
    CHECK(cat_check_ident(cat, b->target, CAT_NAME_MAX, false, "target"));
    CHECK(cat_stmt(cat, STMT_BACKUP_INSERT,
                   "INSERT INTO backups (instance, type, phase, started_at, target, target_state,"
                   " max_bytes_per_second)"
                   " VALUES (?1, ?2, 'database', ?3, ?4,"
                   " CASE WHEN ?4 IS NULL THEN NULL ELSE 'uploading' END, ?5)",
                   &st));
    CHECK(cat_bind_text(cat, st, 1, b->instance, false));
    CHECK(cat_bind_text(cat, st, 2, type, false));
    CHECK(cat_bind_int64(cat, st, 3, b->started_at != 0 ? b->started_at : cat_now_us()));
    CHECK(cat_bind_text(cat, st, 4, b->target, true));
    CHECK(cat_bind_u64(cat, st, 5, b->max_bytes_per_second));
    CHECK(cat_step_done(cat, st, "inserting a backup"));
    *id = sqlite3_last_insert_rowid(cat->db); /* exact: the lock keeps other inserts out */
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_backup_set_phase(cat_t *cat, int64_t id, enum cat_backup_phase phase)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    if (!cat_backup_phase_running(phase)) {
        rc = cat_fail(cat, CAT_EINVAL,
                      "cat_backup_set_phase: phase %d is not a running phase"
                      " (finish a backup with cat_backup_finish)",
                      (int)phase);
        goto out;
    }
    CHECK(cat_stmt(cat, STMT_BACKUP_SET_PHASE,
                   "UPDATE backups SET phase = ?2 WHERE id = ?1 AND phase IN " RUNNING_PHASES,
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_text(cat, st, 2, cat_backup_phase_name(phase), false));
    CHECK(cat_step_done(cat, st, "changing a backup's phase"));
    if (sqlite3_changes(cat->db) == 0)
        rc = why_unchanged(cat, id, CAT_ECONFLICT, "has already finished");
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_backup_set_gens(cat_t *cat, int64_t id, int64_t gen_low, int64_t gen_high)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_check_gens(cat, gen_low, gen_high));
    CHECK(cat_stmt(cat, STMT_BACKUP_SET_GENS,
                   "UPDATE backups SET gen_low = ?2, gen_high = ?3 WHERE id = ?1", &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_int64_or_null(cat, st, 2, gen_low));
    CHECK(cat_bind_int64_or_null(cat, st, 3, gen_high));
    CHECK(cat_step_done(cat, st, "recording a backup's log generations"));
    if (sqlite3_changes(cat->db) == 0) rc = why_unchanged(cat, id, CAT_ERR, "not updated");
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_backup_set_max_rate(cat_t *cat, int64_t id, uint64_t max_bytes_per_second)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_BACKUP_SET_RATE,
                   "UPDATE backups SET max_bytes_per_second = ?2 WHERE id = ?1", &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_u64(cat, st, 2, max_bytes_per_second));
    CHECK(cat_step_done(cat, st, "changing a backup's throttle"));
    if (sqlite3_changes(cat->db) == 0) rc = why_unchanged(cat, id, CAT_ERR, "not updated");
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_backup_set_target_state(cat_t *cat, int64_t id, enum cat_target_state state,
                                const char *manifest_key)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    const char *name = cat_target_state_name(state);
    if (name == NULL) {
        rc = cat_fail(cat, CAT_EINVAL, "bad target state %d", (int)state);
        goto out;
    }
    CHECK(cat_check_ident(cat, manifest_key, CAT_KEY_MAX, false, "manifest key"));
    CHECK(cat_stmt(cat, STMT_BACKUP_SET_TARGET,
                   "UPDATE backups SET target_state = ?2, manifest_key = coalesce(?3, manifest_key)"
                   " WHERE id = ?1 AND target IS NOT NULL",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_text(cat, st, 2, name, false));
    CHECK(cat_bind_text(cat, st, 3, manifest_key, true));
    CHECK(cat_step_done(cat, st, "recording a backup's offsite state"));
    if (sqlite3_changes(cat->db) == 0)
        rc = why_unchanged(cat, id, CAT_ECONFLICT, "has no offsite target");
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

/* cat_backup_finish with the lock held (also used inside the start-up recovery's transaction). */
static int finish_locked(cat_t *cat, int64_t id, const struct cat_backup_end *e)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (cat_backup_phase_name(e->phase) == NULL || cat_backup_phase_running(e->phase)) {
        rc = cat_fail(cat, CAT_EINVAL,
                      "cat_backup_finish: phase %d is not ended, stopped or failed", (int)e->phase);
        goto out;
    }
    if (e->recorded_as != CAT_RECORDED_NONE && cat_recorded_as_name(e->recorded_as) == NULL) {
        rc = cat_fail(cat, CAT_EINVAL, "bad recordedAs %d", (int)e->recorded_as);
        goto out;
    }
    CHECK(cat_check_gens(cat, e->gen_low, e->gen_high));
    CHECK(cat_stmt(cat, STMT_BACKUP_FINISH,
                   "UPDATE backups SET phase = ?2, ended_at = ?3, result_code = ?4,"
                   " result_name = ?5, result_message = ?6, recorded_as = ?7,"
                   " gen_low = coalesce(?8, gen_low), gen_high = coalesce(?9, gen_high)"
                   " WHERE id = ?1",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_bind_text(cat, st, 2, cat_backup_phase_name(e->phase), false));
    CHECK(cat_bind_int64(cat, st, 3, e->ended_at != 0 ? e->ended_at : cat_now_us()));
    CHECK(cat_bind_int64(cat, st, 4, e->result.code));
    CHECK(cat_bind_field(cat, st, 5, e->result.name, sizeof e->result.name));
    CHECK(cat_bind_field(cat, st, 6, e->result.message, sizeof e->result.message));
    CHECK(cat_bind_text(cat, st, 7, cat_recorded_as_name(e->recorded_as), true));
    CHECK(cat_bind_int64_or_null(cat, st, 8, e->gen_low));
    CHECK(cat_bind_int64_or_null(cat, st, 9, e->gen_high));
    CHECK(cat_step_done(cat, st, "finishing a backup"));
    if (sqlite3_changes(cat->db) == 0) rc = why_unchanged(cat, id, CAT_ERR, "not updated");
out:
    cat_stmt_done(st);
    return rc;
}

int cat_backup_finish(cat_t *cat, int64_t id, const struct cat_backup_end *e)
{
    if (cat == NULL || e == NULL) return CAT_EINVAL;
    cat_lock(cat);
    int rc = finish_locked(cat, id, e);
    cat_unlock(cat);
    return rc;
}

int cat_backup_get(cat_t *cat, int64_t id, struct cat_backup *out)
{
    if (cat == NULL || out == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_BACKUP_GET, "SELECT " BACKUP_COLUMNS " FROM backups b WHERE b.id = ?1",
                   &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_step_row(cat, st, "reading a backup"));
    if (rc == 0) {
        rc = cat_fail(cat, CAT_ENOTFOUND, "no backup %lld", (long long)id);
        goto out;
    }
    CHECK(read_backup(cat, st, out));
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

int cat_backup_list(cat_t *cat, const struct cat_backup_filter *f, struct cat_backup **out,
                    size_t *count)
{
    if (cat == NULL || out == NULL || count == NULL) return CAT_EINVAL;
    static const struct cat_backup_filter no_filter;
    if (f == NULL) f = &no_filter;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct cat_backup)};
    sqlite3_stmt *st = NULL;
    int rc, idx = 1;
    bool by_instance = f->instance != NULL && f->instance[0] != '\0';
    /* Two statements, so that each can use its index (rowid, or (instance, id)). */
    if (by_instance) {
        CHECK(cat_stmt(cat, STMT_BACKUP_LIST_INSTANCE,
                       "SELECT " BACKUP_COLUMNS " FROM backups b WHERE b.instance = ?1"
                       " AND b.id < ?2 ORDER BY b.id DESC LIMIT ?3",
                       &st));
        CHECK(cat_bind_text(cat, st, idx++, f->instance, false));
    } else {
        CHECK(cat_stmt(cat, STMT_BACKUP_LIST_ALL,
                       "SELECT " BACKUP_COLUMNS " FROM backups b WHERE b.id < ?1"
                       " ORDER BY b.id DESC LIMIT ?2",
                       &st));
    }
    CHECK(cat_bind_int64(cat, st, idx++, f->before_id > 0 ? f->before_id : INT64_MAX));
    CHECK(cat_bind_int64(cat, st, idx, (int64_t)cat_clamp_limit(f->limit)));
    for (;;) {
        CHECK(cat_step_row(cat, st, "listing backups"));
        if (rc == 0) break;
        struct cat_backup *b = cat_vec_push(cat, &v);
        if (b == NULL) {
            rc = CAT_ENOMEM;
            goto out;
        }
        CHECK(read_backup(cat, st, b));
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

struct interrupted {
    int64_t id;
    char instance[CAT_NAME_MAX];
};

int cat_backup_fail_interrupted(cat_t *cat, int32_t code, const char *name, int *count)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct interrupted)};
    sqlite3_stmt *st = NULL;
    int64_t now = cat_now_us();
    int rc;
    CHECK(cat_begin(cat));
    CHECK(cat_stmt(cat, STMT_BACKUP_RUNNING,
                   "SELECT id, instance FROM backups WHERE phase IN " RUNNING_PHASES " ORDER BY id",
                   &st));
    for (;;) {
        CHECK(cat_step_row(cat, st, "finding interrupted backups"));
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

    struct cat_backup_end end = {.phase = CAT_PHASE_FAILED, .ended_at = now};
    end.result.code = code;
    cat_copy_text(end.result.name, sizeof end.result.name, name != NULL ? name : "");
    cat_copy_text(end.result.message, sizeof end.result.message, INTERRUPTED_BACKUP_MESSAGE);
    for (size_t k = 0; k < v.count; k++) {
        const struct interrupted *i = (const struct interrupted *)v.items + k;
        CHECK(finish_locked(cat, i->id, &end));
        struct cat_event_new ev = {
            .time = now,
            .instance = i->instance,
            .level = CAT_LEVEL_ERROR,
            .category = "Backup",
            .message = INTERRUPTED_BACKUP_MESSAGE,
            .backup_id = i->id,
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

int cat_backup_counts(cat_t *cat, struct cat_backup_count **out, size_t *count)
{
    if (cat == NULL || out == NULL || count == NULL) return CAT_EINVAL;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct cat_backup_count)};
    sqlite3_stmt *st = NULL;
    char text[CAT_NAME_MAX];
    int rc;
    CHECK(cat_stmt(cat, STMT_BACKUP_COUNTS,
                   "SELECT instance, type, phase, coalesce(result_name, ''), count(*) FROM backups"
                   " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
                   &st));
    for (;;) {
        CHECK(cat_step_row(cat, st, "counting backups"));
        if (rc == 0) break;
        struct cat_backup_count *c = cat_vec_push(cat, &v);
        if (c == NULL) {
            rc = CAT_ENOMEM;
            goto out;
        }
        cat_col_text(st, 0, c->instance, sizeof c->instance);
        cat_col_text(st, 1, text, sizeof text);
        if (cat_backup_type_parse(text, &c->type) < 0) {
            rc = cat_fail(cat, CAT_ERR, "unknown backup type '%s' in the catalog", text);
            goto out;
        }
        cat_col_text(st, 2, text, sizeof text);
        if (cat_backup_phase_parse(text, &c->phase) < 0) {
            rc = cat_fail(cat, CAT_ERR, "unknown backup phase '%s' in the catalog", text);
            goto out;
        }
        cat_col_text(st, 3, c->result_name, sizeof c->result_name);
        c->count = cat_col_u64(st, 4);
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
