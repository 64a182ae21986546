/*
 * test_cat_backup.c — backups (cat_backup.c) and their files and served-bytes accounting
 * (cat_backup_file.c).
 */
#include "db_fixture.h"

static struct cat_backup_end end_of(enum cat_backup_phase phase, int32_t code, const char *name,
                                    const char *message)
{
    struct cat_backup_end e = {.phase = phase};
    e.result.code = code;
    snprintf(e.result.name, sizeof e.result.name, "%s", name);
    snprintf(e.result.message, sizeof e.result.message, "%s", message);
    return e;
}

static void new_backup_starts_in_phase_database_without_result(void **state)
{
    struct fixture *fx = *state;
    int64_t before = cat_now_us();
    int64_t id = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    struct cat_backup b;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_int_equal(b.id, id);
    assert_string_equal(b.instance, "default");
    assert_int_equal(b.type, CAT_BACKUP_FULL);
    assert_int_equal(b.phase, CAT_PHASE_DATABASE);
    assert_true(b.started_at >= before && b.started_at <= cat_now_us());
    assert_int_equal(b.ended_at, 0);
    assert_int_equal(b.gen_low, 0);
    assert_int_equal(b.gen_high, 0);
    assert_int_equal(b.recorded_as, CAT_RECORDED_NONE);
    assert_false(b.has_result);
    assert_string_equal(b.target, "");
    assert_int_equal(b.target_state, CAT_TARGET_NONE);
    assert_int_equal(b.max_bytes_per_second, 0);

    assert_int_equal(cat_backup_get(fx->cat, id + 1, &b), CAT_ENOTFOUND);
    struct cat_backup_new missing = {.instance = "", .type = CAT_BACKUP_FULL};
    int64_t id2 = 0;
    assert_int_equal(cat_backup_insert(fx->cat, &missing, &id2), CAT_EINVAL);
}

static void phases_advance_and_finish_records_the_result(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    CAT_OK_OR_FAIL(fx->cat, cat_backup_set_phase(fx->cat, id, CAT_PHASE_LOGS));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_set_gens(fx->cat, id, 3, 9));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_set_phase(fx->cat, id, CAT_PHASE_TRUNCATED));
    struct cat_backup b;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_int_equal(b.phase, CAT_PHASE_TRUNCATED);
    assert_int_equal(b.gen_low, 3);
    assert_int_equal(b.gen_high, 9);

    struct cat_backup_end e = end_of(CAT_PHASE_ENDED, 0, "JET_errSuccess", "success");
    e.recorded_as = CAT_RECORDED_FULL;
    e.ended_at = 1795881074000000LL;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_finish(fx->cat, id, &e)); /* gens 0: keep 3..9 */
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_int_equal(b.phase, CAT_PHASE_ENDED);
    assert_int_equal(b.ended_at, 1795881074000000LL);
    assert_true(b.has_result);
    assert_int_equal(b.result.code, 0);
    assert_string_equal(b.result.name, "JET_errSuccess");
    assert_string_equal(b.result.message, "success");
    assert_int_equal(b.recorded_as, CAT_RECORDED_FULL);
    assert_int_equal(b.gen_low, 3);
    assert_int_equal(b.gen_high, 9);

    /* A finished backup never goes back to a running phase. */
    assert_int_equal(cat_backup_set_phase(fx->cat, id, CAT_PHASE_LOGS), CAT_ECONFLICT);
    assert_non_null(strstr(cat_errmsg(fx->cat), "finished"));
    assert_int_equal(cat_backup_set_phase(fx->cat, id + 100, CAT_PHASE_LOGS), CAT_ENOTFOUND);
    assert_int_equal(cat_backup_set_phase(fx->cat, id, CAT_PHASE_STOPPED), CAT_EINVAL);
    e.phase = CAT_PHASE_LOGS;
    assert_int_equal(cat_backup_finish(fx->cat, id, &e), CAT_EINVAL);
    e.phase = CAT_PHASE_FAILED;
    assert_int_equal(cat_backup_finish(fx->cat, id + 100, &e), CAT_ENOTFOUND);
    assert_int_equal(cat_backup_set_gens(fx->cat, id, 9, 3), CAT_EINVAL);
    assert_int_equal(cat_backup_set_gens(fx->cat, id + 100, 1, 2), CAT_ENOTFOUND);
}

static void stop_then_end_records_the_later_result(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_backup(fx->cat, "default", CAT_BACKUP_INCREMENTAL);
    struct cat_backup_end e = end_of(CAT_PHASE_STOPPED, 0, "JET_errSuccess", "stopped");
    CAT_OK_OR_FAIL(fx->cat, cat_backup_finish(fx->cat, id, &e));
    e = end_of(CAT_PHASE_STOPPED, -524, "JET_errBackupAbortByServer", "aborted by the server");
    e.gen_low = 4;
    e.gen_high = 4;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_finish(fx->cat, id, &e));
    struct cat_backup b;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_int_equal(b.phase, CAT_PHASE_STOPPED);
    assert_int_equal(b.result.code, -524);
    assert_string_equal(b.result.name, "JET_errBackupAbortByServer");
    assert_int_equal(b.recorded_as, CAT_RECORDED_NONE);
    assert_int_equal(b.gen_low, 4);
}

static void list_is_newest_first_with_instance_filter_and_pagination(void **state)
{
    struct fixture *fx = *state;
    int64_t a[5], b[3];
    int ia = 0, ib = 0;
    for (int i = 0; i < 8; i++) {
        if (i % 3 == 1)
            b[ib++] = add_backup(fx->cat, "b", CAT_BACKUP_FULL);
        else
            a[ia++] = add_backup(fx->cat, "a", CAT_BACKUP_INCREMENTAL);
    }
    struct cat_backup *list = NULL;
    size_t n = 0;

    CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, NULL, &list, &n));
    assert_int_equal(n, 8);
    for (size_t i = 1; i < n; i++)
        assert_true(list[i].id < list[i - 1].id);
    free(list);

    struct cat_backup_filter f = {.limit = 3};
    CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, &f, &list, &n));
    assert_int_equal(n, 3);
    assert_int_equal(list[0].id, b[2]); /* i = 7, the last inserted */
    assert_int_equal(list[1].id, a[4]);
    f.before_id = list[2].id;
    free(list);
    CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, &f, &list, &n));
    assert_int_equal(n, 3);
    assert_true(list[0].id < f.before_id);
    free(list);

    /* Instance filter with pagination: a's five, two per page. */
    struct cat_backup_filter fa = {.instance = "a", .limit = 2};
    int64_t seen[5];
    size_t got = 0;
    for (;;) {
        CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, &fa, &list, &n));
        if (n == 0) break;
        assert_true(n <= 2);
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(list[i].instance, "a");
            assert_true(got < 5);
            seen[got++] = list[i].id;
        }
        fa.before_id = list[n - 1].id;
        free(list);
    }
    assert_null(list);
    assert_int_equal(got, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(seen[i], a[4 - i]);

    struct cat_backup_filter fb = {.instance = "b"};
    CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, &fb, &list, &n));
    assert_int_equal(n, 3);
    assert_int_equal(list[0].id, b[2]);
    assert_int_equal(list[2].id, b[0]);
    free(list);

    struct cat_backup_filter none = {.instance = "nobody"};
    CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, &none, &list, &n));
    assert_int_equal(n, 0);
    assert_null(list);
}

static void list_limit_defaults_and_clamps(void **state)
{
    struct fixture *fx = *state;
    for (int i = 0; i < CAT_LIST_DEFAULT + 5; i++)
        add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    struct cat_backup *list = NULL;
    size_t n = 0;
    struct cat_backup_filter f = {.limit = 0};
    CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, &f, &list, &n));
    assert_int_equal(n, CAT_LIST_DEFAULT);
    free(list);
    f.limit = (size_t)-1; /* clamped to CAT_LIST_MAX, which is more than there are */
    CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, &f, &list, &n));
    assert_int_equal(n, CAT_LIST_DEFAULT + 5);
    free(list);
}

static void restart_marks_running_backups_failed(void **state)
{
    struct fixture *fx = *state;
    int64_t in_db = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    int64_t in_logs = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    int64_t truncated = add_backup(fx->cat, "other", CAT_BACKUP_INCREMENTAL);
    int64_t ended = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    int64_t stopped = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    CAT_OK_OR_FAIL(fx->cat, cat_backup_set_phase(fx->cat, in_logs, CAT_PHASE_LOGS));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_set_phase(fx->cat, truncated, CAT_PHASE_TRUNCATED));
    struct cat_backup_end e = end_of(CAT_PHASE_ENDED, 0, "JET_errSuccess", "ok");
    CAT_OK_OR_FAIL(fx->cat, cat_backup_finish(fx->cat, ended, &e));
    e = end_of(CAT_PHASE_STOPPED, 0, "JET_errSuccess", "stopped");
    CAT_OK_OR_FAIL(fx->cat, cat_backup_finish(fx->cat, stopped, &e));

    fixture_reopen(fx); /* the "restart" */
    int count = -1;
    CAT_OK_OR_FAIL(
        fx->cat, cat_backup_fail_interrupted(fx->cat, -524, "JET_errBackupAbortByServer", &count));
    assert_int_equal(count, 3);

    int64_t interrupted[] = {in_db, in_logs, truncated};
    for (int i = 0; i < 3; i++) {
        struct cat_backup b;
        CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, interrupted[i], &b));
        assert_int_equal(b.phase, CAT_PHASE_FAILED);
        assert_true(b.has_result);
        assert_int_equal(b.result.code, -524);
        assert_string_equal(b.result.name, "JET_errBackupAbortByServer");
        assert_non_null(strstr(b.result.message, "restarted"));
        assert_true(b.ended_at > 0);
        /* ... and the backup's own event log says so. */
        struct cat_event *ev = NULL;
        size_t n = 0;
        struct cat_event_filter f = {.backup_id = interrupted[i]};
        CAT_OK_OR_FAIL(fx->cat, cat_event_list(fx->cat, &f, &ev, &n));
        assert_int_equal(n, 1);
        assert_int_equal(ev[0].level, CAT_LEVEL_ERROR);
        assert_non_null(strstr(ev[0].message, "restarted"));
        assert_string_equal(ev[0].instance, i == 2 ? "other" : "default");
        free(ev);
    }
    struct cat_backup b;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, ended, &b));
    assert_int_equal(b.phase, CAT_PHASE_ENDED);
    assert_string_equal(b.result.message, "ok");
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, stopped, &b));
    assert_int_equal(b.phase, CAT_PHASE_STOPPED);

    /* A second start-up finds nothing left to mark. */
    CAT_OK_OR_FAIL(fx->cat, cat_backup_fail_interrupted(fx->cat, -524, "x", &count));
    assert_int_equal(count, 0);
}

static void target_state_throttle_and_upload_sums(void **state)
{
    struct fixture *fx = *state;
    struct cat_backup_new nb = {.instance = "default",
                                .type = CAT_BACKUP_FULL,
                                .target = "rgw",
                                .max_bytes_per_second = 1000000};
    int64_t id = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_insert(fx->cat, &nb, &id));
    struct cat_backup b;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_string_equal(b.target, "rgw");
    assert_int_equal(b.target_state, CAT_TARGET_UPLOADING);
    assert_int_equal(b.max_bytes_per_second, 1000000);
    assert_string_equal(b.manifest_key, "");

    struct cat_upload_new u = {.backup_id = id,
                               .target = "rgw",
                               .object_key = "p/default/1/main.edb",
                               .file_name = "main.edb",
                               .part_size_bytes = 100,
                               .bytes_total = 250};
    int64_t uid = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_upload_insert(fx->cat, &u, &uid));
    CAT_OK_OR_FAIL(fx->cat, cat_upload_set_multipart(fx->cat, uid, "mp-1"));
    CAT_OK_OR_FAIL(fx->cat, cat_upload_add_part(fx->cat, uid, 1, 0, 100, "\"e1\""));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_int_equal(b.target_bytes_uploaded, 100);
    assert_int_equal(b.target_bytes_total, 250);

    CAT_OK_OR_FAIL(fx->cat, cat_backup_set_max_rate(fx->cat, id, 0));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_set_target_state(fx->cat, id, CAT_TARGET_COMPLETE,
                                                        "p/default/1/manifest.json"));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_set_target_state(fx->cat, id, CAT_TARGET_COMPLETE, NULL));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_int_equal(b.max_bytes_per_second, 0);
    assert_int_equal(b.target_state, CAT_TARGET_COMPLETE);
    assert_string_equal(b.manifest_key, "p/default/1/manifest.json"); /* NULL kept it */

    int64_t plain = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    assert_int_equal(cat_backup_set_target_state(fx->cat, plain, CAT_TARGET_FAILED, NULL),
                     CAT_ECONFLICT);
    assert_int_equal(cat_backup_set_target_state(fx->cat, id, CAT_TARGET_NONE, NULL), CAT_EINVAL);
    assert_int_equal(cat_backup_set_max_rate(fx->cat, plain + 1, 5), CAT_ENOTFOUND);
}

static void counts_group_by_type_phase_and_result(void **state)
{
    struct fixture *fx = *state;
    int64_t x = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    int64_t y = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    struct cat_backup_end e = end_of(CAT_PHASE_ENDED, 0, "JET_errSuccess", "");
    CAT_OK_OR_FAIL(fx->cat, cat_backup_finish(fx->cat, x, &e));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_finish(fx->cat, y, &e));
    struct cat_backup_count *c = NULL;
    size_t n = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_counts(fx->cat, &c, &n));
    assert_int_equal(n, 2);
    /* Ordered by instance, type, phase name: "database" < "ended". */
    assert_int_equal(c[0].phase, CAT_PHASE_DATABASE);
    assert_int_equal(c[0].count, 1);
    assert_string_equal(c[0].result_name, "");
    assert_int_equal(c[1].phase, CAT_PHASE_ENDED);
    assert_int_equal(c[1].count, 2);
    assert_string_equal(c[1].result_name, "JET_errSuccess");
    free(c);
}

/* ---- files ----------------------------------------------------------------------------------- */

static uint64_t served_after(struct fixture *fx, int64_t id, uint64_t off, uint64_t len)
{
    uint64_t total = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_add_served(fx->cat, id, "main.edb", off, len, &total));
    return total;
}

static void served_bytes_count_each_byte_once(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, id, "main.edb", CAT_FILE_DATABASE, 1000));
    assert_int_equal(served_after(fx, id, 0, 100), 100);
    assert_int_equal(served_after(fx, id, 50, 100), 150);  /* overlaps [0,100) */
    assert_int_equal(served_after(fx, id, 0, 100), 150);   /* a retry adds nothing */
    assert_int_equal(served_after(fx, id, 300, 100), 250); /* a separate range */
    assert_int_equal(served_after(fx, id, 400, 10), 260);  /* touching: merged */
    assert_int_equal(served_after(fx, id, 140, 200), 410); /* bridges both */
    assert_int_equal(raw_query_int(fx->path, "SELECT count(*) FROM backup_file_ranges"), 1);
    assert_int_equal(served_after(fx, id, 999, 1), 411);
    assert_int_equal(served_after(fx, id, 0, 1000), 1000);
    assert_int_equal(served_after(fx, id, 0, 1000), 1000);

    uint64_t total = 7;
    assert_int_equal(cat_backup_file_add_served(fx->cat, id, "main.edb", 999, 2, &total),
                     CAT_EINVAL);
    assert_int_equal(cat_backup_file_add_served(fx->cat, id, "main.edb", 5, 0, &total), CAT_EINVAL);
    assert_int_equal(cat_backup_file_add_served(fx->cat, id, "main.edb", UINT64_MAX, 2, &total),
                     CAT_EINVAL);
    assert_int_equal(total, 7); /* untouched on failure */
    assert_int_equal(cat_backup_file_add_served(fx->cat, id, "other.edb", 0, 1, NULL),
                     CAT_ENOTFOUND);
}

static void resizing_a_file_clips_served_ranges_and_clears_checksum(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, id, "main.edb", CAT_FILE_DATABASE, 1000));
    served_after(fx, id, 0, 100);
    served_after(fx, id, 150, 100);
    served_after(fx, id, 500, 100);
    const char *sum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_set_checksum(fx->cat, id, "main.edb", sum));
    struct cat_backup_file f;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_get(fx->cat, id, "main.edb", &f));
    assert_string_equal(f.checksum, sum);

    /* Same size again: nothing changes. */
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, id, "main.edb", CAT_FILE_DATABASE, 1000));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_get(fx->cat, id, "main.edb", &f));
    assert_int_equal(f.bytes_served, 300);
    assert_string_equal(f.checksum, sum);

    /* Shrink to 200: [0,100) stays, [150,250) becomes [150,200), [500,600) goes. */
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, id, "main.edb", CAT_FILE_DATABASE, 200));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_get(fx->cat, id, "main.edb", &f));
    assert_int_equal(f.size_bytes, 200);
    assert_int_equal(f.bytes_served, 150);
    assert_string_equal(f.checksum, "");

    assert_int_equal(cat_backup_file_set_checksum(fx->cat, id, "main.edb", "xyz"), CAT_EINVAL);
    assert_int_equal(cat_backup_file_set_checksum(fx->cat, id, "main.edb", ""), CAT_EINVAL);
    assert_int_equal(cat_backup_file_set_checksum(fx->cat, id, "nope.edb", sum), CAT_ENOTFOUND);
}

static void files_list_databases_first_and_need_a_backup(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    int64_t other = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, id, "edb00000004.log", CAT_FILE_LOG, 10));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, id, "b.edb", CAT_FILE_DATABASE, 20));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, id, "edb00000003.log", CAT_FILE_LOG, 10));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, id, "a.edb", CAT_FILE_DATABASE, 30));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, other, "a.edb", CAT_FILE_DATABASE, 5));
    struct cat_backup_file *files = NULL;
    size_t n = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_list(fx->cat, id, &files, &n));
    assert_int_equal(n, 4);
    const char *order[] = {"a.edb", "b.edb", "edb00000003.log", "edb00000004.log"};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(files[i].name, order[i]);
        assert_int_equal(files[i].backup_id, id);
        assert_int_equal(files[i].kind, i < 2 ? CAT_FILE_DATABASE : CAT_FILE_LOG);
        assert_int_equal(files[i].bytes_served, 0);
    }
    assert_int_equal(files[0].size_bytes, 30);
    free(files);

    assert_int_equal(cat_backup_file_put(fx->cat, other + 10, "a.edb", CAT_FILE_DATABASE, 5),
                     CAT_ENOTFOUND);
    assert_int_equal(cat_backup_file_put(fx->cat, id, "", CAT_FILE_DATABASE, 5), CAT_EINVAL);
    assert_int_equal(cat_backup_file_put(fx->cat, id, "x", (enum cat_file_kind)7, 5), CAT_EINVAL);
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_list(fx->cat, other + 10, &files, &n));
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)
        T(new_backup_starts_in_phase_database_without_result),
        T(phases_advance_and_finish_records_the_result),
        T(stop_then_end_records_the_later_result),
        T(list_is_newest_first_with_instance_filter_and_pagination),
        T(list_limit_defaults_and_clamps),
        T(restart_marks_running_backups_failed),
        T(target_state_throttle_and_upload_sums),
        T(counts_group_by_type_phase_and_result),
        T(served_bytes_count_each_byte_once),
        T(resizing_a_file_clips_served_ranges_and_clears_checksum),
        T(files_list_databases_first_and_need_a_backup),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
