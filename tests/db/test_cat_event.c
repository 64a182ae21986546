/*
 * test_cat_event.c — the event log (cat_event.c): round trip, filters, the after-id cursor, limits,
 * truncation of long text, references, pruning.
 */
#include "db_fixture.h"

static int64_t add_event(cat_t *cat, const char *instance, int64_t backup_id, int64_t restore_id,
                         const char *message)
{
    struct cat_event_new e = {.instance = instance,
                              .level = CAT_LEVEL_INFO,
                              .message = message,
                              .backup_id = backup_id,
                              .restore_id = restore_id};
    int64_t id = 0;
    CAT_OK_OR_FAIL(cat, cat_event_insert(cat, &e, &id));
    return id;
}

static void event_round_trips_every_field(void **state)
{
    struct fixture *fx = *state;
    int64_t bid = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    struct cat_event_new e = {.time = 1795881074123456LL,
                              .instance = "default",
                              .level = CAT_LEVEL_ERROR,
                              .event_id = 477,
                              .category = "Logging/Recovery",
                              .message = "page 7 failed verification",
                              .backup_id = bid,
                              .error_code = -1018};
    int64_t id = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_event_insert(fx->cat, &e, &id));
    assert_true(id > 0);
    struct cat_event got;
    CAT_OK_OR_FAIL(fx->cat, cat_event_get(fx->cat, id, &got));
    assert_int_equal(got.id, id);
    assert_int_equal(got.time, 1795881074123456LL);
    assert_string_equal(got.instance, "default");
    assert_int_equal(got.level, CAT_LEVEL_ERROR);
    assert_int_equal(got.event_id, 477);
    assert_string_equal(got.category, "Logging/Recovery");
    assert_string_equal(got.message, "page 7 failed verification");
    assert_int_equal(got.backup_id, bid);
    assert_int_equal(got.restore_id, 0);
    assert_int_equal(got.error_code, -1018);

    /* Defaults: time now, no instance, no category, no references. */
    struct cat_event_new bare = {.level = CAT_LEVEL_INFO, .message = ""};
    int64_t before = cat_now_us();
    CAT_OK_OR_FAIL(fx->cat, cat_event_insert(fx->cat, &bare, &id));
    CAT_OK_OR_FAIL(fx->cat, cat_event_get(fx->cat, id, &got));
    assert_true(got.time >= before);
    assert_string_equal(got.instance, "");
    assert_string_equal(got.category, "");
    assert_int_equal(got.backup_id, 0);
    assert_int_equal(cat_event_get(fx->cat, id + 1, &got), CAT_ENOTFOUND);
}

static void bad_events_are_refused(void **state)
{
    struct fixture *fx = *state;
    struct cat_event_new e = {.level = CAT_LEVEL_INFO, .message = "m", .backup_id = 99};
    assert_int_equal(cat_event_insert(fx->cat, &e, NULL), CAT_ENOTFOUND);
    e.backup_id = 0;
    e.restore_id = 98;
    assert_int_equal(cat_event_insert(fx->cat, &e, NULL), CAT_ENOTFOUND);
    e.restore_id = 0;
    e.level = 0;
    assert_int_equal(cat_event_insert(fx->cat, &e, NULL), CAT_EINVAL);
    e.level = CAT_LEVEL_WARNING;
    e.message = NULL;
    assert_int_equal(cat_event_insert(fx->cat, &e, NULL), CAT_EINVAL);
    assert_int_equal(raw_query_int(fx->path, "SELECT count(*) FROM events"), 0);
}

static void long_text_is_cut_at_a_character_boundary(void **state)
{
    struct fixture *fx = *state;
    /* 3000 two-byte characters: longer than CAT_MESSAGE_MAX, and an odd cut would split one. */
    static char msg[6001];
    for (int i = 0; i < 3000; i++)
        memcpy(msg + 2 * i, "\xc3\xa9", 2); /* é */
    msg[6000] = '\0';
    int64_t id = add_event(fx->cat, "default", 0, 0, msg);
    struct cat_event got;
    CAT_OK_OR_FAIL(fx->cat, cat_event_get(fx->cat, id, &got));
    size_t len = strlen(got.message);
    assert_true(len <= CAT_MESSAGE_MAX - 1);
    assert_true(len >= CAT_MESSAGE_MAX - 2);
    assert_int_equal(len % 2, 0);
    assert_memory_equal(got.message, msg, len);
    /* What was stored is what was read: the database holds the cut text too. */
    assert_int_equal(raw_query_int(fx->path, "SELECT length(CAST(message AS BLOB)) FROM events"),
                     len);
}

static void list_filters_by_instance_backup_and_restore(void **state)
{
    struct fixture *fx = *state;
    int64_t b1 = add_backup(fx->cat, "a", CAT_BACKUP_FULL);
    int64_t b2 = add_backup(fx->cat, "b", CAT_BACKUP_FULL);
    struct cat_restore_new rn = {.instance = "r", .source = CAT_SOURCE_UPLOAD};
    int64_t r1 = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_restore_create(fx->cat, &rn, &r1));
    add_event(fx->cat, "a", b1, 0, "a1");
    add_event(fx->cat, "b", b2, 0, "b1");
    add_event(fx->cat, "a", 0, 0, "a2");
    add_event(fx->cat, "", 0, 0, "service");
    add_event(fx->cat, "r", 0, r1, "r1");
    add_event(fx->cat, "a", b1, 0, "a3");

    struct {
        struct cat_event_filter f;
        const char *expect[4];
    } cases[] = {
        {{0}, {"a1", "b1", "a2", "service"}}, /* limit 0 = default; checked for 4 below */
        {{.instance = "a"}, {"a1", "a2", "a3"}},
        {{.backup_id = b1}, {"a1", "a3"}},
        {{.backup_id = b2}, {"b1"}},
        {{.restore_id = r1}, {"r1"}},
        {{.instance = "b", .backup_id = b1}, {NULL}},
        {{.instance = "a", .backup_id = b1}, {"a1", "a3"}},
        {{.instance = "nobody"}, {NULL}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct cat_event *ev = NULL;
        size_t n = 0;
        CAT_OK_OR_FAIL(fx->cat, cat_event_list(fx->cat, &cases[c].f, &ev, &n));
        size_t expected = 0;
        while (expected < 4 && cases[c].expect[expected] != NULL)
            expected++;
        if (c == 0) {
            assert_int_equal(n, 6);
        } else if (n != expected) {
            fail_msg("case %zu: %zu events, expected %zu", c, n, expected);
        }
        for (size_t i = 0; i < expected && i < n; i++)
            assert_string_equal(ev[i].message, cases[c].expect[i]);
        for (size_t i = 1; i < n; i++)
            assert_true(ev[i].id > ev[i - 1].id); /* oldest first */
        free(ev);
    }
}

static void after_id_cursor_with_limit_visits_each_event_once(void **state)
{
    struct fixture *fx = *state;
    int64_t ids[23];
    char msg[16];
    for (int i = 0; i < 23; i++) {
        snprintf(msg, sizeof msg, "e%d", i);
        ids[i] = add_event(fx->cat, i % 2 ? "odd" : "even", 0, 0, msg);
    }
    int64_t after = 0;
    int seen = 0, pages = 0;
    for (;;) {
        struct cat_event_filter f = {.after_id = after, .limit = 5};
        struct cat_event *ev = NULL;
        size_t n = 0;
        CAT_OK_OR_FAIL(fx->cat, cat_event_list(fx->cat, &f, &ev, &n));
        if (n == 0) break;
        assert_true(n <= 5);
        pages++;
        for (size_t i = 0; i < n; i++)
            assert_int_equal(ev[i].id, ids[seen++]);
        after = ev[n - 1].id;
        free(ev);
    }
    assert_int_equal(seen, 23);
    assert_int_equal(pages, 5);

    /* The same with an instance filter: the even ones after e10. */
    struct cat_event_filter f = {.instance = "even", .after_id = ids[10], .limit = 100};
    struct cat_event *ev = NULL;
    size_t n = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_event_list(fx->cat, &f, &ev, &n));
    assert_int_equal(n, 6); /* e12 e14 ... e22 */
    assert_string_equal(ev[0].message, "e12");
    assert_string_equal(ev[5].message, "e22");
    free(ev);
}

static void prune_keeps_the_newest_and_ids_keep_growing(void **state)
{
    struct fixture *fx = *state;
    int64_t last = 0;
    for (int i = 0; i < 10; i++)
        last = add_event(fx->cat, "default", 0, 0, "x");
    uint64_t deleted = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_event_prune(fx->cat, 3, &deleted));
    assert_int_equal(deleted, 7);
    struct cat_event *ev = NULL;
    size_t n = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_event_list(fx->cat, NULL, &ev, &n));
    assert_int_equal(n, 3);
    assert_int_equal(ev[2].id, last);
    assert_int_equal(ev[0].id, last - 2);
    free(ev);
    CAT_OK_OR_FAIL(fx->cat, cat_event_prune(fx->cat, 3, &deleted));
    assert_int_equal(deleted, 0);
    CAT_OK_OR_FAIL(fx->cat, cat_event_prune(fx->cat, 0, &deleted));
    assert_int_equal(deleted, 3);
    /* An after-id cursor held by a client stays valid: new ids are above every old one. */
    assert_true(add_event(fx->cat, "default", 0, 0, "y") > last);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)
        T(event_round_trips_every_field),
        T(bad_events_are_refused),
        T(long_text_is_cut_at_a_character_boundary),
        T(list_filters_by_instance_backup_and_restore),
        T(after_id_cursor_with_limit_visits_each_event_once),
        T(prune_keeps_the_newest_and_ids_keep_growing),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
