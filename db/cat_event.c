/*
 * cat_event.c — the event log (events): append, read one, list oldest-first after a cursor id,
 * prune. Ids come from AUTOINCREMENT, so they only grow and are never reused even after pruning:
 * "after=<id>" is a stable cursor for pollers and the SSE stream.
 */
#include "cat_internal.h"

#include <stdlib.h>
#include <string.h>

#define EVENT_COLUMNS                                                                              \
    "id, time, instance, level, event_id, category, message, backup_id, restore_id, error_code"

static int read_event(cat_t *cat, sqlite3_stmt *st, struct cat_event *e)
{
    char level[CAT_NAME_MAX];
    memset(e, 0, sizeof *e);
    e->id = cat_col_int64(st, 0);
    e->time = cat_col_int64(st, 1);
    cat_col_text(st, 2, e->instance, sizeof e->instance);
    cat_col_text(st, 3, level, sizeof level);
    if (cat_level_parse(level, &e->level) < 0)
        return cat_fail(cat, CAT_ERR, "event %lld: unknown level '%s'", (long long)e->id, level);
    e->event_id = (int32_t)cat_col_int64(st, 4);
    cat_col_text(st, 5, e->category, sizeof e->category);
    cat_col_text(st, 6, e->message, sizeof e->message);
    e->backup_id = cat_col_int64(st, 7);
    e->restore_id = cat_col_int64(st, 8);
    e->error_code = (int32_t)cat_col_int64(st, 9);
    return CAT_OK;
}

/* Binds free text cut to what a struct cat_event can hold, so that what is read equals what is
 * stored. */
static int bind_free_text(cat_t *cat, sqlite3_stmt *st, int idx, const char *s, size_t max)
{
    char *copy = NULL;
    if (s == NULL) s = "";
    size_t n = strlen(s);
    if (n >= max) {
        copy = malloc(max);
        if (copy == NULL) return cat_fail(cat, CAT_ENOMEM, "out of memory recording an event");
        cat_copy_text(copy, max, s);
        s = copy;
        n = strlen(copy);
    }
    /* TRANSIENT when truncated: SQLite copies, so the temporary can go now. */
    int src =
        sqlite3_bind_text(st, idx, s, (int)n, copy != NULL ? SQLITE_TRANSIENT : SQLITE_STATIC);
    free(copy);
    return src == SQLITE_OK ? CAT_OK : cat_fail_sqlite(cat, src, "binding event text");
}

int cat_event_insert_locked(cat_t *cat, const struct cat_event_new *e, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    int rc;
    const char *level = cat_level_name(e->level);
    if (level == NULL) {
        rc = cat_fail(cat, CAT_EINVAL, "bad event level %d", (int)e->level);
        goto out;
    }
    if (e->message == NULL) {
        rc = cat_fail(cat, CAT_EINVAL, "an event needs a message");
        goto out;
    }
    if (e->backup_id < 0 || e->restore_id < 0) {
        rc = cat_fail(cat, CAT_EINVAL, "bad backup or restore id in an event");
        goto out;
    }
    CHECK(cat_check_ident(cat, e->instance, CAT_NAME_MAX, false, "instance"));
    CHECK(
        cat_stmt(cat, STMT_EVENT_INSERT,
                 "INSERT INTO events (time, instance, level, event_id, category, message,"
                 " backup_id, restore_id, error_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                 &st));
    CHECK(cat_bind_int64(cat, st, 1, e->time != 0 ? e->time : cat_now_us()));
    CHECK(cat_bind_text(cat, st, 2, e->instance, false));
    CHECK(cat_bind_text(cat, st, 3, level, false));
    CHECK(cat_bind_int64(cat, st, 4, e->event_id));
    CHECK(bind_free_text(cat, st, 5, e->category, CAT_NAME_MAX));
    CHECK(bind_free_text(cat, st, 6, e->message, CAT_MESSAGE_MAX));
    CHECK(cat_bind_int64_or_null(cat, st, 7, e->backup_id));
    CHECK(cat_bind_int64_or_null(cat, st, 8, e->restore_id));
    CHECK(cat_bind_int64(cat, st, 9, e->error_code));
    rc = cat_step_done(cat, st, "recording an event");
    if (rc == CAT_ENOTFOUND) {
        rc = cat_fail(cat, CAT_ENOTFOUND, "event refers to backup %lld / restore %lld: not found",
                      (long long)e->backup_id, (long long)e->restore_id);
        goto out;
    }
    CHECK(rc);
    if (id != NULL) *id = sqlite3_last_insert_rowid(cat->db);
out:
    cat_stmt_done(st);
    return rc;
}

int cat_event_insert(cat_t *cat, const struct cat_event_new *e, int64_t *id)
{
    if (cat == NULL || e == NULL) return CAT_EINVAL;
    cat_lock(cat);
    int rc = cat_event_insert_locked(cat, e, id);
    cat_unlock(cat);
    return rc;
}

int cat_event_get(cat_t *cat, int64_t id, struct cat_event *out)
{
    if (cat == NULL || out == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(cat_stmt(cat, STMT_EVENT_GET, "SELECT " EVENT_COLUMNS " FROM events WHERE id = ?1", &st));
    CHECK(cat_bind_int64(cat, st, 1, id));
    CHECK(cat_step_row(cat, st, "reading an event"));
    if (rc == 0) {
        rc = cat_fail(cat, CAT_ENOTFOUND, "no event %lld", (long long)id);
        goto out;
    }
    CHECK(read_event(cat, st, out));
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}

/* Picks the statement whose index serves the most selective filter (an equality on the indexed
 * column, which also lets SQLite use the partial indexes); the other filters are checked row by
 * row. All four take the same parameters: ?1 instance or NULL, ?2 backup id or NULL, ?3 restore id
 * or NULL, ?4 after id, ?5 limit. */
static int list_stmt(cat_t *cat, const struct cat_event_filter *f, sqlite3_stmt **st)
{
#define OPT_INSTANCE " (?1 IS NULL OR instance = ?1)"
#define OPT_BACKUP " (?2 IS NULL OR backup_id = ?2)"
#define OPT_RESTORE " (?3 IS NULL OR restore_id = ?3)"
#define CURSOR " id > ?4 ORDER BY id LIMIT ?5"
    if (f->backup_id > 0)
        return cat_stmt(cat, STMT_EVENT_LIST_BACKUP,
                        "SELECT " EVENT_COLUMNS " FROM events WHERE backup_id = ?2 AND" OPT_INSTANCE
                        " AND" OPT_RESTORE " AND" CURSOR,
                        st);
    if (f->restore_id > 0)
        return cat_stmt(cat, STMT_EVENT_LIST_RESTORE,
                        "SELECT " EVENT_COLUMNS
                        " FROM events WHERE restore_id = ?3 AND" OPT_INSTANCE " AND" OPT_BACKUP
                        " AND" CURSOR,
                        st);
    if (f->instance != NULL && f->instance[0] != '\0')
        return cat_stmt(cat, STMT_EVENT_LIST_INSTANCE,
                        "SELECT " EVENT_COLUMNS " FROM events WHERE instance = ?1 AND" OPT_BACKUP
                        " AND" OPT_RESTORE " AND" CURSOR,
                        st);
    return cat_stmt(cat, STMT_EVENT_LIST_ALL,
                    "SELECT " EVENT_COLUMNS " FROM events WHERE" OPT_INSTANCE " AND" OPT_BACKUP
                    " AND" OPT_RESTORE " AND" CURSOR,
                    st);
#undef OPT_INSTANCE
#undef OPT_BACKUP
#undef OPT_RESTORE
#undef CURSOR
}

int cat_event_list(cat_t *cat, const struct cat_event_filter *f, struct cat_event **out,
                   size_t *count)
{
    if (cat == NULL || out == NULL || count == NULL) return CAT_EINVAL;
    static const struct cat_event_filter no_filter;
    if (f == NULL) f = &no_filter;
    cat_lock(cat);
    struct cat_vec v = {.elem_size = sizeof(struct cat_event)};
    sqlite3_stmt *st = NULL;
    int rc;
    CHECK(list_stmt(cat, f, &st));
    CHECK(cat_bind_text(cat, st, 1, f->instance, true));
    CHECK(cat_bind_int64_or_null(cat, st, 2, f->backup_id > 0 ? f->backup_id : 0));
    CHECK(cat_bind_int64_or_null(cat, st, 3, f->restore_id > 0 ? f->restore_id : 0));
    CHECK(cat_bind_int64(cat, st, 4, f->after_id > 0 ? f->after_id : 0));
    CHECK(cat_bind_int64(cat, st, 5, (int64_t)cat_clamp_limit(f->limit)));
    for (;;) {
        CHECK(cat_step_row(cat, st, "listing events"));
        if (rc == 0) break;
        struct cat_event *e = cat_vec_push(cat, &v);
        if (e == NULL) {
            rc = CAT_ENOMEM;
            goto out;
        }
        CHECK(read_event(cat, st, e));
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

int cat_event_prune(cat_t *cat, uint64_t keep, uint64_t *deleted)
{
    if (cat == NULL) return CAT_EINVAL;
    cat_lock(cat);
    sqlite3_stmt *st = NULL;
    int rc;
    /* The newest `keep` ids stay; OFFSET finds the first id to delete. */
    CHECK(cat_stmt(cat, STMT_EVENT_PRUNE,
                   "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC"
                   " LIMIT 1 OFFSET ?1)",
                   &st));
    CHECK(cat_bind_u64(cat, st, 1, keep));
    CHECK(cat_step_done(cat, st, "pruning events"));
    if (deleted != NULL) *deleted = (uint64_t)sqlite3_changes64(cat->db);
out:
    cat_stmt_done(st);
    cat_unlock(cat);
    return rc;
}
