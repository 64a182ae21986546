/*
 * test_catalog.c — opening the catalog (cat_open.c), migrations (cat_migrate.c), per-thread error
 * messages and thread safety (cat_core.c), names and times (cat_names.c).
 */
#include "db_fixture.h"

#include <pthread.h>
#include <sys/stat.h>

/* ---- open ------------------------------------------------------------------------------------ */

static void open_creates_private_file_in_wal_mode_with_schema(void **state)
{
    struct fixture *fx = *state;
    struct stat sb;
    assert_int_equal(stat(fx->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    int version = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_schema_version(fx->cat, &version));
    int known = 0;
    while (db_migrations[known].name != NULL)
        known++;
    assert_true(known >= 1);
    assert_int_equal(version, known);
    assert_int_equal(raw_query_int(fx->path, "PRAGMA user_version"), known);

    /* WAL is a property of the file: a second connection sees it. */
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);

    const char *tables[] = {"backups",       "backup_files", "events",      "restores",
                            "restore_files", "uploads",      "upload_parts"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE name = '%s'",
                 tables[i]);
        assert_int_equal(raw_query_int(fx->path, sql), 1);
    }
}

static void foreign_keys_are_enforced(void **state)
{
    struct fixture *fx = *state;
    /* A file row for a backup that does not exist is refused by the foreign key. */
    assert_int_equal(cat_backup_file_put(fx->cat, 4242, "main.edb", CAT_FILE_DATABASE, 8192),
                     CAT_ENOTFOUND);
    assert_non_null(strstr(cat_errmsg(fx->cat), "4242"));
    assert_int_equal(raw_query_int(fx->path, "SELECT count(*) FROM backup_files"), 0);
}

static void missing_parent_directory_is_a_clear_error(void **state)
{
    struct fixture *fx = *state;
    char path[256], err[512];
    cat_t *cat = (cat_t *)&path; /* must be reset to NULL */
    snprintf(path, sizeof path, "%s/no/such/dir/catalog.db", fx->dir);
    assert_int_equal(cat_open(path, &cat, err, sizeof err), CAT_EINVAL);
    assert_null(cat);
    assert_non_null(strstr(err, "no/such/dir"));
    assert_non_null(strstr(err, "No such file or directory"));
    /* Nothing was created on the way. */
    snprintf(path, sizeof path, "%s/no", fx->dir);
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0);
}

static void directory_or_foreign_file_is_refused(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    cat_t *cat = NULL;
    assert_int_equal(cat_open(fx->dir, &cat, err, sizeof err), CAT_EINVAL);
    assert_non_null(strstr(err, "is a directory"));
    assert_null(cat);

    char path[256];
    snprintf(path, sizeof path, "%s/not-a-db", fx->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not an SQLite database file. ", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(cat_open(path, &cat, err, sizeof err), CAT_ERR);
    assert_null(cat);
    assert_non_null(strstr(err, "not a database"));

    assert_int_equal(cat_open(NULL, &cat, err, sizeof err), CAT_EINVAL);
    assert_int_equal(cat_open(path, NULL, err, sizeof err), CAT_EINVAL);
}

/* ---- migrations ------------------------------------------------------------------------------ */

#define FILE_OF(n, sql)                                                                            \
    {                                                                                              \
        n, (const unsigned char *)(sql), sizeof(sql) - 1                                           \
    }
static const struct embedded_file TWO_MIGRATIONS[] = {
    FILE_OF("001_table.sql", "CREATE TABLE t (x INTEGER);\n-- a comment at the end\n"),
    FILE_OF("002_row.sql", "INSERT INTO t VALUES (1);"),
    {NULL, NULL, 0},
};
static const struct embedded_file THREE_MIGRATIONS[] = {
    FILE_OF("001_table.sql", "CREATE TABLE t (x INTEGER);\n-- a comment at the end\n"),
    FILE_OF("002_row.sql", "INSERT INTO t VALUES (1);"),
    FILE_OF("003_more.sql", "INSERT INTO t VALUES (2); INSERT INTO t VALUES (3);"),
    {NULL, NULL, 0},
};
static const struct embedded_file BROKEN_SECOND[] = {
    FILE_OF("001_table.sql", "CREATE TABLE t (x INTEGER);"),
    FILE_OF("002_broken.sql", "CREATE TABLE u (y INTEGER); INSERT INTO nosuch VALUES (1);"),
    {NULL, NULL, 0},
};
static const struct embedded_file GAP[] = {
    FILE_OF("001_table.sql", "CREATE TABLE t (x INTEGER);"),
    FILE_OF("003_row.sql", "INSERT INTO t VALUES (1);"),
    {NULL, NULL, 0},
};

static void open_with(const char *path, const struct embedded_file *m)
{
    char err[512];
    cat_t *cat = NULL;
    int rc = cat_open_with(path, m, &cat, err, sizeof err);
    if (rc != CAT_OK) fail_msg("cat_open_with: %d %s", rc, err);
    cat_close(cat);
}

static void migrations_apply_once_and_reopen_is_idempotent(void **state)
{
    struct fixture *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/m.db", fx->dir);
    open_with(path, TWO_MIGRATIONS);
    assert_int_equal(raw_query_int(path, "PRAGMA user_version"), 2);
    assert_int_equal(raw_query_int(path, "SELECT count(*) FROM t"), 1);
    open_with(path, TWO_MIGRATIONS); /* a second run of 002 would insert a second row */
    open_with(path, TWO_MIGRATIONS);
    assert_int_equal(raw_query_int(path, "SELECT count(*) FROM t"), 1);
    assert_int_equal(raw_query_int(path, "PRAGMA user_version"), 2);
    /* An upgrade applies only the new file. */
    open_with(path, THREE_MIGRATIONS);
    assert_int_equal(raw_query_int(path, "PRAGMA user_version"), 3);
    assert_int_equal(raw_query_int(path, "SELECT count(*) FROM t"), 3);
    assert_int_equal(raw_query_int(path, "SELECT sum(x) FROM t"), 6);
}

static void embedded_schema_reopen_changes_nothing(void **state)
{
    struct fixture *fx = *state;
    int64_t objects = raw_query_int(fx->path, "SELECT count(*) FROM sqlite_schema");
    add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    fixture_reopen(fx);
    fixture_reopen(fx);
    assert_int_equal(raw_query_int(fx->path, "SELECT count(*) FROM sqlite_schema"), objects);
    assert_int_equal(raw_query_int(fx->path, "SELECT count(*) FROM backups"), 1);
}

static void failing_migration_rolls_back_only_itself(void **state)
{
    struct fixture *fx = *state;
    char path[256], err[512];
    cat_t *cat = NULL;
    snprintf(path, sizeof path, "%s/broken.db", fx->dir);
    assert_int_equal(cat_open_with(path, BROKEN_SECOND, &cat, err, sizeof err), CAT_ERR);
    assert_null(cat);
    assert_non_null(strstr(err, "002_broken.sql"));
    assert_non_null(strstr(err, "nosuch"));
    assert_int_equal(raw_query_int(path, "PRAGMA user_version"), 1);
    assert_int_equal(raw_query_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 't'"), 1);
    assert_int_equal(raw_query_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'u'"), 0);
}

static void migration_list_with_a_gap_is_refused(void **state)
{
    struct fixture *fx = *state;
    char path[256], err[512];
    cat_t *cat = NULL;
    snprintf(path, sizeof path, "%s/gap.db", fx->dir);
    assert_int_equal(cat_open_with(path, GAP, &cat, err, sizeof err), CAT_ERR);
    assert_non_null(strstr(err, "003_row.sql"));
    assert_int_equal(raw_query_int(path, "PRAGMA user_version"), 0);
}

static void newer_schema_version_is_refused_untouched(void **state)
{
    struct fixture *fx = *state;
    cat_close(fx->cat);
    fx->cat = NULL;
    int64_t objects = raw_query_int(fx->path, "SELECT count(*) FROM sqlite_schema");
    raw_query_int(fx->path, "PRAGMA user_version = 99");

    char err[512];
    cat_t *cat = NULL;
    assert_int_equal(cat_open(fx->path, &cat, err, sizeof err), CAT_ENEWER);
    assert_null(cat);
    assert_non_null(strstr(err, "99"));
    assert_non_null(strstr(err, "newer"));
    assert_int_equal(raw_query_int(fx->path, "PRAGMA user_version"), 99);
    assert_int_equal(raw_query_int(fx->path, "SELECT count(*) FROM sqlite_schema"), objects);

    raw_query_int(fx->path, "PRAGMA user_version = 1"); /* so teardown's fixture is sane */
    fixture_reopen(fx);
}

/* ---- persistence ----------------------------------------------------------------------------- */

static void data_survives_close_and_reopen(void **state)
{
    struct fixture *fx = *state;
    int64_t id = add_backup(fx->cat, "default", CAT_BACKUP_INCREMENTAL);
    CAT_OK_OR_FAIL(fx->cat, cat_backup_set_phase(fx->cat, id, CAT_PHASE_LOGS));
    CAT_OK_OR_FAIL(fx->cat,
                   cat_backup_file_put(fx->cat, id, "edb00000003.log", CAT_FILE_LOG, 4096));
    CAT_OK_OR_FAIL(fx->cat,
                   cat_backup_file_add_served(fx->cat, id, "edb00000003.log", 0, 1000, NULL));
    struct cat_event_new ev = {.instance = "default",
                               .level = CAT_LEVEL_WARNING,
                               .event_id = 210,
                               .message = "log rolled",
                               .backup_id = id};
    int64_t eid = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_event_insert(fx->cat, &ev, &eid));

    fixture_reopen(fx);

    struct cat_backup b;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_string_equal(b.instance, "default");
    assert_int_equal(b.type, CAT_BACKUP_INCREMENTAL);
    assert_int_equal(b.phase, CAT_PHASE_LOGS);
    struct cat_backup_file f;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_get(fx->cat, id, "edb00000003.log", &f));
    assert_int_equal(f.size_bytes, 4096);
    assert_int_equal(f.bytes_served, 1000);
    struct cat_event e;
    CAT_OK_OR_FAIL(fx->cat, cat_event_get(fx->cat, eid, &e));
    assert_string_equal(e.message, "log rolled");
    assert_int_equal(e.backup_id, id);
    /* Ids continue after a reopen, never reused. */
    int64_t id2 = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    assert_true(id2 > id);
}

static void sql_metacharacters_round_trip(void **state)
{
    struct fixture *fx = *state;
    const char *nasty = "x'); DROP TABLE backups; -- \"quoted\" %s %n ? ?1 :a @b $c \\ é漢字";
    struct cat_backup_new nb = {.instance = nasty, .type = CAT_BACKUP_FULL, .target = nasty};
    int64_t id = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_insert(fx->cat, &nb, &id));
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_put(fx->cat, id, nasty, CAT_FILE_DATABASE, 10));
    struct cat_event_new ev = {.instance = nasty,
                               .level = CAT_LEVEL_ERROR,
                               .category = nasty,
                               .message = nasty,
                               .backup_id = id};
    int64_t eid = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_event_insert(fx->cat, &ev, &eid));

    struct cat_backup b;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_string_equal(b.instance, nasty);
    assert_string_equal(b.target, nasty);
    struct cat_backup_file f;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_file_get(fx->cat, id, nasty, &f));
    assert_string_equal(f.name, nasty);
    struct cat_event e;
    CAT_OK_OR_FAIL(fx->cat, cat_event_get(fx->cat, eid, &e));
    assert_string_equal(e.instance, nasty);
    assert_string_equal(e.category, nasty);
    assert_string_equal(e.message, nasty);

    /* Filters match the exact string and nothing else. */
    struct cat_backup *list = NULL;
    size_t n = 0;
    struct cat_backup_filter bf = {.instance = nasty};
    CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, &bf, &list, &n));
    assert_int_equal(n, 1);
    free(list);
    bf.instance = "x'";
    CAT_OK_OR_FAIL(fx->cat, cat_backup_list(fx->cat, &bf, &list, &n));
    assert_int_equal(n, 0);
    free(list);
    assert_int_equal(raw_query_int(fx->path, "SELECT count(*) FROM backups"), 1);
}

/* ---- errors and threads ---------------------------------------------------------------------- */

static void identifiers_too_long_are_refused_not_truncated(void **state)
{
    struct fixture *fx = *state;
    char name[CAT_NAME_MAX + 1];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    struct cat_backup_new nb = {.instance = name, .type = CAT_BACKUP_FULL};
    int64_t id = 0;
    assert_int_equal(cat_backup_insert(fx->cat, &nb, &id), CAT_EINVAL);
    assert_non_null(strstr(cat_errmsg(fx->cat), "instance"));
    name[CAT_NAME_MAX - 1] = '\0'; /* exactly the maximum fits */
    CAT_OK_OR_FAIL(fx->cat, cat_backup_insert(fx->cat, &nb, &id));
    struct cat_backup b;
    CAT_OK_OR_FAIL(fx->cat, cat_backup_get(fx->cat, id, &b));
    assert_int_equal(strlen(b.instance), CAT_NAME_MAX - 1);
    nb.type = 0;
    assert_int_equal(cat_backup_insert(fx->cat, &nb, &id), CAT_EINVAL);
}

struct err_thread {
    cat_t *cat;
    char seen[512];
};

static void *fail_in_thread(void *arg)
{
    struct err_thread *t = arg;
    struct cat_backup b;
    if (cat_backup_get(t->cat, 777, &b) == CAT_ENOTFOUND)
        snprintf(t->seen, sizeof t->seen, "%s", cat_errmsg(t->cat));
    return NULL;
}

static void error_messages_are_per_thread(void **state)
{
    struct fixture *fx = *state;
    struct cat_restore r;
    assert_int_equal(cat_restore_get(fx->cat, 555, &r), CAT_ENOTFOUND);
    struct err_thread t = {.cat = fx->cat};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, fail_in_thread, &t), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_non_null(strstr(t.seen, "backup 777"));
    /* The other thread's failure did not overwrite this thread's message. */
    assert_non_null(strstr(cat_errmsg(fx->cat), "restore 555"));
}

#define THREADS 4
#define EVENTS_PER_THREAD 200
#define BACKUPS_PER_THREAD 25

struct insert_thread {
    cat_t *cat;
    int n;
    int64_t event_ids[EVENTS_PER_THREAD];
    int64_t backup_ids[BACKUPS_PER_THREAD];
    int failures;
};

static void *insert_many(void *arg)
{
    struct insert_thread *t = arg;
    char instance[32], msg[64];
    snprintf(instance, sizeof instance, "inst-%d", t->n);
    for (int i = 0; i < EVENTS_PER_THREAD; i++) {
        snprintf(msg, sizeof msg, "thread %d event %d", t->n, i);
        struct cat_event_new ev = {.instance = instance, .level = CAT_LEVEL_INFO, .message = msg};
        if (cat_event_insert(t->cat, &ev, &t->event_ids[i]) != CAT_OK) t->failures++;
        if (i % (EVENTS_PER_THREAD / BACKUPS_PER_THREAD) == 0) {
            struct cat_backup_new nb = {.instance = instance, .type = CAT_BACKUP_FULL};
            int64_t *slot = &t->backup_ids[i / (EVENTS_PER_THREAD / BACKUPS_PER_THREAD)];
            if (cat_backup_insert(t->cat, &nb, slot) != CAT_OK) t->failures++;
        }
    }
    return NULL;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void concurrent_inserts_get_distinct_ids_and_all_rows(void **state)
{
    struct fixture *fx = *state;
    static struct insert_thread t[THREADS];
    pthread_t th[THREADS];
    memset(t, 0, sizeof t);
    for (int i = 0; i < THREADS; i++) {
        t[i].cat = fx->cat;
        t[i].n = i;
        assert_int_equal(pthread_create(&th[i], NULL, insert_many, &t[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);

    static int64_t all[THREADS * EVENTS_PER_THREAD];
    size_t k = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(t[i].failures, 0);
        for (int j = 0; j < EVENTS_PER_THREAD; j++) {
            if (j > 0) /* each thread sees its own ids ascend */
                assert_true(t[i].event_ids[j] > t[i].event_ids[j - 1]);
            all[k++] = t[i].event_ids[j];
        }
    }
    qsort(all, k, sizeof all[0], cmp_id);
    for (size_t j = 1; j < k; j++)
        assert_true(all[j] != all[j - 1]);

    /* Every row is there: walk the log with the after-id cursor. */
    size_t total = 0, per_instance[THREADS] = {0};
    int64_t after = 0;
    for (;;) {
        struct cat_event *ev = NULL;
        size_t n = 0;
        struct cat_event_filter f = {.after_id = after, .limit = 300};
        CAT_OK_OR_FAIL(fx->cat, cat_event_list(fx->cat, &f, &ev, &n));
        if (n == 0) break;
        for (size_t j = 0; j < n; j++) {
            int inst = ev[j].instance[5] - '0';
            assert_true(inst >= 0 && inst < THREADS);
            per_instance[inst]++;
        }
        after = ev[n - 1].id;
        total += n;
        free(ev);
    }
    assert_int_equal(total, THREADS * EVENTS_PER_THREAD);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(per_instance[i], EVENTS_PER_THREAD);
    assert_int_equal(raw_query_int(fx->path, "SELECT count(DISTINCT id) FROM backups"),
                     THREADS * BACKUPS_PER_THREAD);
}

/* ---- names and times ------------------------------------------------------------------------- */

static void enum_names_round_trip_and_unknown_names_fail(void **state)
{
    (void)state;
    for (int v = CAT_PHASE_DATABASE; v <= CAT_PHASE_FAILED; v++) {
        enum cat_backup_phase p;
        assert_int_equal(cat_backup_phase_parse(cat_backup_phase_name(v), &p), CAT_OK);
        assert_int_equal(p, v);
    }
    assert_string_equal(cat_backup_phase_name(CAT_PHASE_TRUNCATED), "truncated");
    assert_string_equal(cat_recorded_as_name(CAT_RECORDED_DIFFERENTIAL), "differential");
    assert_null(cat_recorded_as_name(CAT_RECORDED_NONE));
    assert_string_equal(cat_level_name(CAT_LEVEL_WARNING), "warning");
    assert_string_equal(cat_restore_state_name(CAT_RESTORE_SUCCEEDED), "succeeded");
    assert_string_equal(cat_upload_state_name(CAT_UPLOAD_PENDING), "pending");
    assert_string_equal(cat_target_state_name(CAT_TARGET_COMPLETE), "complete");
    assert_null(cat_backup_type_name((enum cat_backup_type)99));
    enum cat_backup_type t;
    assert_int_equal(cat_backup_type_parse("Full", &t), CAT_EINVAL);
    assert_int_equal(cat_backup_type_parse("incremental", &t), CAT_OK);
    assert_int_equal(t, CAT_BACKUP_INCREMENTAL);
    assert_true(cat_backup_phase_running(CAT_PHASE_LOGS));
    assert_false(cat_backup_phase_running(CAT_PHASE_STOPPED));
    assert_string_equal(cat_strerror(CAT_ENOTFOUND), "not found");
}

static void times_render_as_rfc3339_utc(void **state)
{
    (void)state;
    char buf[CAT_TIME_MAX];
    assert_int_equal(cat_time_rfc3339(0, buf, sizeof buf), CAT_OK);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    /* 2026-11-28T15:51:14.123456Z */
    assert_int_equal(cat_time_rfc3339(1795881074123456LL, buf, sizeof buf), CAT_OK);
    assert_string_equal(buf, "2026-11-28T15:51:14.123Z");
    assert_int_equal(cat_time_rfc3339(-1, buf, sizeof buf), CAT_OK);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    assert_int_equal(cat_time_rfc3339(0, buf, 10), CAT_EINVAL);
    int64_t now = cat_now_us();
    assert_true(now > 1700000000LL * 1000000); /* after 2023 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)
        T(open_creates_private_file_in_wal_mode_with_schema),
        T(foreign_keys_are_enforced),
        T(missing_parent_directory_is_a_clear_error),
        T(directory_or_foreign_file_is_refused),
        T(migrations_apply_once_and_reopen_is_idempotent),
        T(embedded_schema_reopen_changes_nothing),
        T(failing_migration_rolls_back_only_itself),
        T(migration_list_with_a_gap_is_refused),
        T(newer_schema_version_is_refused_untouched),
        T(data_survives_close_and_reopen),
        T(sql_metacharacters_round_trip),
        T(identifiers_too_long_are_refused_not_truncated),
        T(error_messages_are_per_thread),
        T(concurrent_inserts_get_distinct_ids_and_all_rows),
        T(enum_names_round_trip_and_unknown_names_fail),
        T(times_render_as_rfc3339_utc),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
