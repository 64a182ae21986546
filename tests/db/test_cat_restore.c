/*
 * test_cat_restore.c — restores and their files (cat_restore.c): creation rules, the state machine,
 * start-up recovery, deletion, listing, received-bytes accounting.
 */
#include "db_fixture.h"

static int64_t add_restore(cat_t *cat, const char *instance)
{
    struct cat_restore_new r = {.instance = instance, .source = CAT_SOURCE_UPLOAD};
    int64_t id = 0;
    CAT_OK_OR_FAIL(cat, cat_restore_create(cat, &r, &id));
    return id;
}

static struct cat_restore_end end_of(enum cat_restore_state state, int32_t code, const char *name)
{
    struct cat_restore_end e = {.state = state};
    e.result.code = code;
    snprintf(e.result.name, sizeof e.result.name, "%s", name);
    snprintf(e.result.message, sizeof e.result.message, "%s message", name);
    return e;
}

static void create_checks_source_and_starts_staging(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_restore(fx->cat, "restored-1");
    struct cat_restore r;
    CAT_OK_OR_FAIL(fx->cat, cat_restore_get(fx->cat, id, &r));
    assert_string_equal(r.instance, "restored-1");
    assert_int_equal(r.state, CAT_RESTORE_STAGING);
    assert_int_equal(r.source, CAT_SOURCE_UPLOAD);
    assert_true(r.created_at > 0);
    assert_int_equal(r.ended_at, 0);
    assert_false(r.has_result);
    assert_string_equal(r.target, "");

    struct cat_restore_new t = {.instance = "restored-2",
                                .source = CAT_SOURCE_TARGET,
                                .target = "rgw",
                                .manifest_key = "p/default/7-full-x/manifest.json"};
    int64_t tid = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_restore_create(fx->cat, &t, &tid));
    CAT_OK_OR_FAIL(fx->cat, cat_restore_get(fx->cat, tid, &r));
    assert_int_equal(r.source, CAT_SOURCE_TARGET);
    assert_string_equal(r.target, "rgw");
    assert_string_equal(r.manifest_key, "p/default/7-full-x/manifest.json");

    t.manifest_key = NULL; /* a target restore needs both */
    assert_int_equal(cat_restore_create(fx->cat, &t, &tid), CAT_EINVAL);
    struct cat_restore_new u = {.instance = "x", .source = CAT_SOURCE_UPLOAD, .target = "rgw"};
    assert_int_equal(cat_restore_create(fx->cat, &u, &tid), CAT_EINVAL);
    u.target = NULL;
    u.instance = NULL;
    assert_int_equal(cat_restore_create(fx->cat, &u, &tid), CAT_EINVAL);
    u.instance = "x";
    u.source = 0;
    assert_int_equal(cat_restore_create(fx->cat, &u, &tid), CAT_EINVAL);
    assert_int_equal(cat_restore_get(fx->cat, tid + 1, &r), CAT_ENOTFOUND);
}

static void state_machine_allows_one_start_and_one_finish(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_restore(fx->cat, "restored-1");
    CAT_OK_OR_FAIL(fx->cat, cat_restore_start(fx->cat, id, 3, 9));
    assert_int_equal(cat_restore_start(fx->cat, id, 3, 9), CAT_ECONFLICT);
    assert_non_null(strstr(cat_errmsg(fx->cat), "running"));
    assert_int_equal(cat_restore_delete(fx->cat, id), CAT_ECONFLICT);

    struct cat_restore_end e = end_of(CAT_RESTORE_SUCCEEDED, 0, "JET_errSuccess");
    CAT_OK_OR_FAIL(fx->cat, cat_restore_finish(fx->cat, id, &e));
    struct cat_restore r;
    CAT_OK_OR_FAIL(fx->cat, cat_restore_get(fx->cat, id, &r));
    assert_int_equal(r.state, CAT_RESTORE_SUCCEEDED);
    assert_int_equal(r.gen_low, 3);
    assert_int_equal(r.gen_high, 9);
    assert_true(r.has_result);
    assert_string_equal(r.result.name, "JET_errSuccess");
    assert_string_equal(r.result.message, "JET_errSuccess message");
    assert_true(r.ended_at > 0);

    assert_int_equal(cat_restore_finish(fx->cat, id, &e), CAT_ECONFLICT);
    assert_int_equal(cat_restore_start(fx->cat, id, 0, 0), CAT_ECONFLICT);
    e.state = CAT_RESTORE_RUNNING;
    assert_int_equal(cat_restore_finish(fx->cat, id, &e), CAT_EINVAL);
    assert_int_equal(cat_restore_start(fx->cat, id + 5, 0, 0), CAT_ENOTFOUND);
    assert_int_equal(cat_restore_start(fx->cat, id, 9, 3), CAT_EINVAL);

    /* A staging restore can fail directly (e.g. a bad upload). */
    int64_t id2 = add_restore(fx->cat, "restored-2");
    e = end_of(CAT_RESTORE_FAILED, -1018, "JET_errReadVerifyFailure");
    CAT_OK_OR_FAIL(fx->cat, cat_restore_finish(fx->cat, id2, &e));
    CAT_OK_OR_FAIL(fx->cat, cat_restore_get(fx->cat, id2, &r));
    assert_int_equal(r.state, CAT_RESTORE_FAILED);
    assert_int_equal(r.result.code, -1018);
}

static void delete_removes_files_and_keeps_events(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_restore(fx->cat, "restored-1");
    CAT_OK_OR_FAIL(fx->cat, cat_restore_file_put(fx->cat, id, "main.edb", 8192));
    struct cat_event_new ev = {
        .instance = "restored-1", .level = CAT_LEVEL_INFO, .message = "staged", .restore_id = id};
    int64_t eid = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_event_insert(fx->cat, &ev, &eid));
    CAT_OK_OR_FAIL(fx->cat, cat_restore_delete(fx->cat, id));
    struct cat_restore r;
    assert_int_equal(cat_restore_get(fx->cat, id, &r), CAT_ENOTFOUND);
    assert_int_equal(cat_restore_delete(fx->cat, id), CAT_ENOTFOUND);
    assert_int_equal(raw_query_int(fx->path, "SELECT count(*) FROM restore_files"), 0);
    struct cat_event e;
    CAT_OK_OR_FAIL(fx->cat, cat_event_get(fx->cat, eid, &e));
    assert_int_equal(e.restore_id, 0);
    assert_string_equal(e.message, "staged");
    /* Ids are not reused after a delete. */
    assert_true(add_restore(fx->cat, "restored-2") > id);
}

static void restart_marks_running_restores_failed(void **state)
{
    struct fixture *fx = *state;
    int64_t staging = add_restore(fx->cat, "s");
    int64_t running = add_restore(fx->cat, "r");
    int64_t done = add_restore(fx->cat, "d");
    CAT_OK_OR_FAIL(fx->cat, cat_restore_start(fx->cat, running, 2, 5));
    CAT_OK_OR_FAIL(fx->cat, cat_restore_start(fx->cat, done, 2, 5));
    struct cat_restore_end e = end_of(CAT_RESTORE_SUCCEEDED, 0, "JET_errSuccess");
    CAT_OK_OR_FAIL(fx->cat, cat_restore_finish(fx->cat, done, &e));

    fixture_reopen(fx);
    int count = -1;
    CAT_OK_OR_FAIL(fx->cat,
                   cat_restore_fail_interrupted(fx->cat, -1, "JET_errInternalError", &count));
    assert_int_equal(count, 1);
    struct cat_restore r;
    CAT_OK_OR_FAIL(fx->cat, cat_restore_get(fx->cat, running, &r));
    assert_int_equal(r.state, CAT_RESTORE_FAILED);
    assert_non_null(strstr(r.result.message, "restarted"));
    assert_string_equal(r.result.name, "JET_errInternalError");
    CAT_OK_OR_FAIL(fx->cat, cat_restore_get(fx->cat, staging, &r));
    assert_int_equal(r.state, CAT_RESTORE_STAGING);
    CAT_OK_OR_FAIL(fx->cat, cat_restore_get(fx->cat, done, &r));
    assert_int_equal(r.state, CAT_RESTORE_SUCCEEDED);

    struct cat_event *ev = NULL;
    size_t n = 0;
    struct cat_event_filter f = {.restore_id = running};
    CAT_OK_OR_FAIL(fx->cat, cat_event_list(fx->cat, &f, &ev, &n));
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].level, CAT_LEVEL_ERROR);
    assert_string_equal(ev[0].instance, "r");
    free(ev);

    CAT_OK_OR_FAIL(fx->cat, cat_restore_fail_interrupted(fx->cat, -1, "x", &count));
    assert_int_equal(count, 0);
}

static void list_newest_first_with_filter_and_pagination(void **state)
{
    struct fixture *fx = *state;
    int64_t ids[6];
    for (int i = 0; i < 6; i++)
        ids[i] = add_restore(fx->cat, i % 2 ? "odd" : "even");
    struct cat_restore *list = NULL;
    size_t n = 0;
    struct cat_restore_filter f = {.limit = 4};
    CAT_OK_OR_FAIL(fx->cat, cat_restore_list(fx->cat, &f, &list, &n));
    assert_int_equal(n, 4);
    assert_int_equal(list[0].id, ids[5]);
    assert_int_equal(list[3].id, ids[2]);
    free(list);
    f.before_id = ids[2];
    CAT_OK_OR_FAIL(fx->cat, cat_restore_list(fx->cat, &f, &list, &n));
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, ids[1]);
    free(list);
    struct cat_restore_filter fo = {.instance = "odd", .before_id = ids[5]};
    CAT_OK_OR_FAIL(fx->cat, cat_restore_list(fx->cat, &fo, &list, &n));
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, ids[3]);
    assert_int_equal(list[1].id, ids[1]);
    free(list);
}

static void files_track_received_bytes_while_staging(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_restore(fx->cat, "restored-1");
    CAT_OK_OR_FAIL(fx->cat, cat_restore_file_put(fx->cat, id, "main.edb", 1000));
    CAT_OK_OR_FAIL(fx->cat, cat_restore_file_put(fx->cat, id, "edb00000003.log", 500));
    CAT_OK_OR_FAIL(fx->cat, cat_restore_file_set_received(fx->cat, id, "main.edb", 600));
    struct cat_restore_file f;
    CAT_OK_OR_FAIL(fx->cat, cat_restore_file_get(fx->cat, id, "main.edb", &f));
    assert_int_equal(f.size_bytes, 1000);
    assert_int_equal(f.bytes_received, 600);

    assert_int_equal(cat_restore_file_set_received(fx->cat, id, "main.edb", 1001), CAT_EINVAL);
    assert_int_equal(cat_restore_file_set_received(fx->cat, id, "nope.edb", 1), CAT_ENOTFOUND);
    CAT_OK_OR_FAIL(fx->cat, cat_restore_file_get(fx->cat, id, "main.edb", &f));
    assert_int_equal(f.bytes_received, 600);

    /* A smaller size (a re-upload announced differently) clamps what was received. */
    CAT_OK_OR_FAIL(fx->cat, cat_restore_file_put(fx->cat, id, "main.edb", 400));
    CAT_OK_OR_FAIL(fx->cat, cat_restore_file_get(fx->cat, id, "main.edb", &f));
    assert_int_equal(f.bytes_received, 400);

    struct cat_restore_file *files = NULL;
    size_t n = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_restore_file_list(fx->cat, id, &files, &n));
    assert_int_equal(n, 2);
    assert_string_equal(files[0].name, "edb00000003.log");
    assert_string_equal(files[1].name, "main.edb");
    free(files);

    CAT_OK_OR_FAIL(fx->cat, cat_restore_start(fx->cat, id, 0, 0));
    assert_int_equal(cat_restore_file_put(fx->cat, id, "late.log", 10), CAT_ECONFLICT);
    assert_int_equal(cat_restore_file_put(fx->cat, id + 1, "x.log", 10), CAT_ENOTFOUND);
    assert_int_equal(cat_restore_file_get(fx->cat, id, "late.log", &f), CAT_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)
        T(create_checks_source_and_starts_staging),
        T(state_machine_allows_one_start_and_one_finish),
        T(delete_removes_files_and_keeps_events),
        T(restart_marks_running_restores_failed),
        T(list_newest_first_with_filter_and_pagination),
        T(files_track_received_bytes_while_staging),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
