/*
 * test_database.c — the database calls (engine/src/database.c, dbfile.c, dbheader.c) against jet.h:
 * JetCreateDatabase(2), JetAttachDatabase(2), JetDetachDatabase(2), JetOpenDatabase,
 * JetCloseDatabase, JetGetDatabaseFileInfo, JetGetDatabaseInfo.
 *
 * Proves: a created database is attached, open and dirty on disk until detached or the instance
 * ends cleanly; duplicates, missing files, non-database files, a database still open, an unknown
 * database and a dirty-shut-down database (JetTerm2 JET_bitTermDirty, then an instance with
 * JET_paramRecovery "Off") give their documented codes; a second attach warns; records survive
 * detach/attach; the header survives the loss of one copy but not of both; the file-info levels
 * and their buffer rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../common/jetfx.h"

static JET_DBINFOMISC4 misc_of(const char *path)
{
    JET_DBINFOMISC4 m;
    memset(&m, 0xcc, sizeof m);
    assert_int_equal(JetGetDatabaseFileInfo(path, &m, sizeof m, JET_DbInfoMisc), JET_errSuccess);
    return m;
}

static void test_create_database_is_attached_open_and_dirty(void **state)
{
    struct tfx_env *e = *state;
    char name[TFX_PATH_MAX];
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, name, sizeof name, JET_DbInfoFilename), JET_errSuccess);
    assert_non_null(strstr(name, TFX_DB_NAME));
    assert_true(name[0] == '/'); /* recorded in its absolute, canonical form */
    JET_DBINFOMISC4 m = misc_of(e->dbpath);
    assert_int_equal(m.dbstate, JET_dbstateDirtyShutdown);
    assert_int_equal(m.cbPageSize, 8192);
    assert_true(m.lgposAttach.lGeneration >= 1);
    assert_int_equal(m.bkinfoFullPrev.genLow, 0);
    unsigned long type = 0;
    assert_int_equal(JetGetDatabaseFileInfo(e->dbpath, &type, sizeof type, JET_DbInfoFileType), JET_errSuccess);
    assert_int_equal(type, JET_filetypeDatabase);
    /* A second session may open it too. */
    JET_SESID s2;
    JET_DBID d2;
    assert_int_equal(JetBeginSession(e->inst, &s2, NULL, NULL), JET_errSuccess);
    assert_int_equal(JetOpenDatabase(s2, e->dbpath, NULL, &d2, 0), JET_errSuccess);
    assert_int_equal(d2, e->dbid);
    assert_int_equal(JetCloseDatabase(s2, d2, 0), JET_errSuccess);
    assert_int_equal(JetEndSession(s2, 0), JET_errSuccess);
}

static void test_create_database_refuses_duplicates(void **state)
{
    struct tfx_env *e = *state;
    JET_DBID db;
    /* Attached already. */
    assert_int_equal(JetCreateDatabase(e->ses, e->dbpath, NULL, &db, 0), JET_errDatabaseDuplicate);
    /* A file that exists but is not attached. */
    char other[TFX_PATH_MAX];
    tfx_join(other, sizeof other, e->dir, "other.edb");
    FILE *f = fopen(other, "w");
    assert_non_null(f);
    fputs("not a database", f);
    fclose(f);
    assert_int_equal(JetCreateDatabase(e->ses, other, NULL, &db, 0), JET_errDatabaseDuplicate);
    /* The refused call left the file alone. */
    assert_int_equal(tfx_file_size(other), 14);
    /* Overwriting is asked for explicitly. */
    assert_int_equal(JetCreateDatabase(e->ses, other, NULL, &db, JET_bitDbOverwriteExisting), JET_errSuccess);
    assert_true(db != e->dbid);
    assert_int_equal(misc_of(other).dbstate, JET_dbstateDirtyShutdown);
    assert_int_equal(JetCreateDatabase(e->ses, other, NULL, NULL, 0), JET_errInvalidParameter);
}

static void test_detach_attach_keeps_records(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, "alpha", 5), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(JetCloseDatabase(e->ses, e->dbid, 0), JET_errSuccess);
    assert_int_equal(JetDetachDatabase(e->ses, e->dbpath), JET_errSuccess);
    JET_DBINFOMISC4 m = misc_of(e->dbpath);
    assert_int_equal(m.dbstate, JET_dbstateCleanShutdown);
    assert_true(m.lgposDetach.lGeneration >= 1);
    assert_true(m.lgposConsistent.lGeneration >= 1);
    /* Detached: not openable, not detachable again. */
    JET_DBID db;
    assert_int_equal(JetOpenDatabase(e->ses, e->dbpath, NULL, &db, 0), JET_errDatabaseNotFound);
    assert_int_equal(JetDetachDatabase(e->ses, e->dbpath), JET_errDatabaseNotFound);
    assert_int_equal(JetAttachDatabase(e->ses, e->dbpath, 0), JET_errSuccess);
    assert_int_equal(misc_of(e->dbpath).dbstate, JET_dbstateDirtyShutdown);
    assert_int_equal(JetAttachDatabase(e->ses, e->dbpath, 0), JET_wrnDatabaseAttached);
    assert_int_equal(JetOpenDatabase(e->ses, e->dbpath, NULL, &e->dbid, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    char buf[8];
    unsigned long cb;
    assert_int_equal(tfx_kv_get(e->ses, &kv, 1, buf, sizeof buf, &cb), JET_errSuccess);
    assert_int_equal(cb, 5);
    assert_memory_equal(buf, "alpha", 5);
}

static void test_attach_accepts_other_spellings_of_the_path(void **state)
{
    struct tfx_env *e = *state;
    char alt[TFX_PATH_MAX + 32];
    assert_int_equal(JetCloseDatabase(e->ses, e->dbid, 0), JET_errSuccess);
    snprintf(alt, sizeof alt, "%s/./%s", e->dir, TFX_DB_NAME);
    assert_int_equal(JetDetachDatabase(e->ses, alt), JET_errSuccess);
    assert_int_equal(JetAttachDatabase(e->ses, alt, 0), JET_errSuccess);
    assert_int_equal(JetAttachDatabase(e->ses, e->dbpath, 0), JET_wrnDatabaseAttached);
    assert_int_equal(JetOpenDatabase(e->ses, alt, NULL, &e->dbid, 0), JET_errSuccess);
}

static void test_detach_of_an_open_database_is_in_use(void **state)
{
    struct tfx_env *e = *state;
    assert_int_equal(JetDetachDatabase(e->ses, e->dbpath), JET_errDatabaseInUse);
    assert_int_equal(JetDetachDatabase2(e->ses, NULL, 0), JET_errDatabaseInUse);
    /* Opened twice, closed once: still in use. */
    JET_DBID again;
    assert_int_equal(JetOpenDatabase(e->ses, e->dbpath, NULL, &again, 0), JET_errSuccess);
    assert_int_equal(JetCloseDatabase(e->ses, again, 0), JET_errSuccess);
    assert_int_equal(JetDetachDatabase(e->ses, e->dbpath), JET_errDatabaseInUse);
    assert_int_equal(JetCloseDatabase(e->ses, e->dbid, 0), JET_errSuccess);
    assert_int_equal(JetCloseDatabase(e->ses, e->dbid, 0), JET_errInvalidDatabaseId);
    assert_int_equal(JetCloseDatabase(e->ses, 99, 0), JET_errInvalidDatabaseId);
    /* NULL detaches every attached database. */
    assert_int_equal(JetDetachDatabase2(e->ses, NULL, 0), JET_errSuccess);
    assert_int_equal(misc_of(e->dbpath).dbstate, JET_dbstateCleanShutdown);
}

/* A cursor keeps its table's database in use even after JetCloseDatabase. */
static void test_detach_while_a_table_is_open(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    JET_SESID s2;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, "one", 3), JET_errSuccess);
    assert_int_equal(JetCloseDatabase(e->ses, e->dbid, 0), JET_errSuccess);
    assert_int_equal(JetBeginSession(e->inst, &s2, NULL, NULL), JET_errSuccess);
    assert_int_equal(JetDetachDatabase(s2, e->dbpath), JET_errDatabaseInUse);
    /* The cursor still works. */
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(JetDetachDatabase(s2, e->dbpath), JET_errSuccess);
    assert_int_equal(JetEndSession(s2, 0), JET_errSuccess);
}

static void test_attach_errors(void **state)
{
    struct tfx_env *e = *state;
    char p[TFX_PATH_MAX];
    tfx_join(p, sizeof p, e->dir, "missing.edb");
    assert_int_equal(JetAttachDatabase(e->ses, p, 0), JET_errFileNotFound);
    JET_DBID db;
    assert_int_equal(JetOpenDatabase(e->ses, p, NULL, &db, 0), JET_errDatabaseNotFound);
    /* Not a database: garbage pages. */
    tfx_join(p, sizeof p, e->dir, "junk.edb");
    char junk[16384];
    tfx_fill(junk, sizeof junk, 1, 2);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(junk, 1, sizeof junk, f), sizeof junk);
    fclose(f);
    assert_int_equal(JetAttachDatabase(e->ses, p, 0), JET_errInvalidDatabase);
    /* An empty file. */
    tfx_join(p, sizeof p, e->dir, "empty.edb");
    f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(JetAttachDatabase(e->ses, p, 0), JET_errInvalidDatabase);
    assert_int_equal(JetAttachDatabase(e->ses, "", 0), JET_errInvalidPath);
}

static void test_too_many_attached_databases(void **state)
{
    struct tfx_env *e = *state;
    JET_DBID db;
    char p[TFX_PATH_MAX];
    int made = 1; /* test.edb */
    JET_ERR err = JET_errSuccess;
    for (int i = 0; i < 16 && err >= 0; i++) {
        char n[32];
        snprintf(n, sizeof n, "db%d.edb", i);
        tfx_join(p, sizeof p, e->dir, n);
        err = JetCreateDatabase(e->ses, p, NULL, &db, 0);
        if (err >= 0) made++;
    }
    assert_int_equal(err, JET_errTooManyAttachedDatabases);
    assert_true(made >= 2);
    /* The refused one left no file behind. */
    assert_false(tfx_exists(p));
}

static void test_dirty_shutdown_refuses_attach_without_recovery(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 5, "five", 4), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(misc_of(e->dbpath).dbstate, JET_dbstateDirtyShutdown);
    /* Without recovery the database cannot be attached. */
    JET_SETSYSPARAM off[] = {{JET_paramRecovery, 0, "Off", 0}};
    assert_int_equal(tfx_env_reopen_with(e, 0, off, 1), JET_errSuccess);
    assert_int_equal(JetAttachDatabase(e->ses, e->dbpath, 0), JET_errDatabaseDirtyShutdown);
    assert_int_equal(misc_of(e->dbpath).dbstate, JET_dbstateDirtyShutdown);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    /* With recovery it is brought back, clean, with its record. */
    assert_int_equal(tfx_env_reopen(e, 0), JET_errSuccess);
    assert_int_equal(misc_of(e->dbpath).dbstate, JET_dbstateCleanShutdown);
    assert_int_equal(JetAttachDatabase(e->ses, e->dbpath, 0), JET_errSuccess);
    assert_int_equal(JetOpenDatabase(e->ses, e->dbpath, NULL, &e->dbid, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 5), JET_errSuccess);
}

static void test_recovery_off_instance_creates_and_detaches_clean(void **state)
{
    (void)state;
    struct tfx_env e;
    JET_SETSYSPARAM off[] = {{JET_paramRecovery, 0, "Off", 0}};
    assert_int_equal(tfx_env_open_with(&e, "nolog", 1, off, 1), JET_errSuccess);
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e.ses, e.dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e.ses, &kv, 3, "three", 5), JET_errSuccess);
    char p[TFX_PATH_MAX];
    tfx_join(p, sizeof p, e.dir, "edb.log");
    assert_false(tfx_exists(p)); /* no logging at all */
    assert_int_equal(tfx_env_term(&e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(misc_of(e.dbpath).dbstate, JET_dbstateCleanShutdown);
    assert_int_equal(tfx_env_reopen_with(&e, 1, off, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e.ses, e.dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e.ses, &kv, 3), JET_errSuccess);
    tfx_env_close(&e);
}

static void test_database_file_info_levels(void **state)
{
    struct tfx_env *e = *state;
    unsigned long pgsz = 0;
    unsigned long long size = 0;
    assert_int_equal(JetGetDatabaseFileInfo(e->dbpath, &pgsz, sizeof pgsz, JET_DbInfoPageSize), JET_errSuccess);
    assert_int_equal(pgsz, 8192);
    assert_int_equal(JetGetDatabaseFileInfo(e->dbpath, &size, sizeof size, JET_DbInfoFilesize), JET_errSuccess);
    assert_int_equal(size, (unsigned long long)tfx_file_size(e->dbpath));
    assert_int_equal(size % 8192, 0);
    /* The smaller JET_DBINFOMISC is filled when that is all the room given. */
    JET_DBINFOMISC small;
    assert_int_equal(JetGetDatabaseFileInfo(e->dbpath, &small, sizeof small, JET_DbInfoMisc), JET_errSuccess);
    assert_int_equal(small.cbPageSize, 8192);
    assert_int_equal(small.dbstate, JET_dbstateDirtyShutdown);
    JET_DBINFOMISC4 big = misc_of(e->dbpath);
    assert_int_equal(big.signDb.ulRandom, small.signDb.ulRandom);
    assert_int_equal(big.signLog.ulRandom, small.signLog.ulRandom);
    char tiny[8];
    assert_int_equal(JetGetDatabaseFileInfo(e->dbpath, tiny, sizeof tiny, JET_DbInfoMisc), JET_errBufferTooSmall);
    assert_int_equal(JetGetDatabaseFileInfo(e->dbpath, tiny, 2, JET_DbInfoPageSize), JET_errBufferTooSmall);
    assert_int_equal(JetGetDatabaseFileInfo(e->dbpath, &pgsz, sizeof pgsz, 999), JET_errInvalidParameter);
    char p[TFX_PATH_MAX];
    tfx_join(p, sizeof p, e->dir, "nothing.edb");
    assert_int_equal(JetGetDatabaseFileInfo(p, &big, sizeof big, JET_DbInfoMisc), JET_errFileNotFound);
    /* Two databases have different signatures. */
    JET_DBID db2;
    tfx_join(p, sizeof p, e->dir, "second.edb");
    assert_int_equal(JetCreateDatabase(e->ses, p, NULL, &db2, 0), JET_errSuccess);
    JET_DBINFOMISC4 m2 = misc_of(p);
    assert_true(m2.signDb.ulRandom != big.signDb.ulRandom ||
                memcmp(&m2.signDb.logtimeCreate, &big.signDb.logtimeCreate, sizeof m2.signDb.logtimeCreate) != 0);
    /* Both belong to the instance's log set. */
    assert_int_equal(m2.signLog.ulRandom, big.signLog.ulRandom);
}

static void test_database_info_of_an_open_database(void **state)
{
    struct tfx_env *e = *state;
    unsigned long v = 0;
    unsigned long long size = 0;
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, &v, sizeof v, JET_DbInfoPageSize), JET_errSuccess);
    assert_int_equal(v, 8192);
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, &v, sizeof v, JET_DbInfoSpaceOwned), JET_errSuccess);
    assert_true(v >= 4); /* header, shadow, space page, catalog root */
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, &size, sizeof size, JET_DbInfoFilesize), JET_errSuccess);
    assert_int_equal(size, (unsigned long long)v * 8192);
    JET_DBINFOMISC m;
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, &m, sizeof m, JET_DbInfoMisc), JET_errSuccess);
    assert_int_equal(m.cbPageSize, 8192);
    char name[4];
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, name, sizeof name, JET_DbInfoFilename), JET_errBufferTooSmall);
    assert_int_equal(JetGetDatabaseInfo(e->ses, 99, &v, sizeof v, JET_DbInfoPageSize), JET_errInvalidDatabaseId);
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, &v, sizeof v, 999), JET_errInvalidParameter);
    /* Growing: many records take more pages. */
    struct tfx_kv kv;
    char val[2000];
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    for (int i = 0; i < 200; i++) {
        tfx_fill(val, sizeof val, 3, (uint64_t)i);
        assert_int_equal(tfx_kv_insert(e->ses, &kv, i, val, sizeof val), JET_errSuccess);
    }
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    unsigned long after = 0;
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, &after, sizeof after, JET_DbInfoSpaceOwned), JET_errSuccess);
    assert_true(after >= v + 40);
}

static void test_header_survives_one_damaged_copy_not_two(void **state)
{
    struct tfx_env *e = *state;
    assert_int_equal(JetCloseDatabase(e->ses, e->dbid, 0), JET_errSuccess);
    assert_int_equal(JetDetachDatabase(e->ses, e->dbpath), JET_errSuccess);
    JET_DBINFOMISC4 before = misc_of(e->dbpath);
    /* Damage the primary header page: the shadow copy answers. */
    assert_int_equal(tfx_flip_byte(e->dbpath, 100), 0);
    JET_DBINFOMISC4 after = misc_of(e->dbpath);
    assert_int_equal(after.dbstate, JET_dbstateCleanShutdown);
    assert_int_equal(after.signDb.ulRandom, before.signDb.ulRandom);
    assert_int_equal(JetAttachDatabase(e->ses, e->dbpath, 0), JET_errSuccess);
    assert_int_equal(JetDetachDatabase(e->ses, e->dbpath), JET_errSuccess);
    /* The attach/detach rewrote both copies; now damage both. */
    assert_int_equal(tfx_flip_byte(e->dbpath, 100), 0);
    assert_int_equal(tfx_flip_byte(e->dbpath, 8192 + 100), 0);
    JET_DBINFOMISC4 m;
    assert_int_equal(JetGetDatabaseFileInfo(e->dbpath, &m, sizeof m, JET_DbInfoMisc), JET_errDatabaseCorrupted);
    assert_int_equal(JetAttachDatabase(e->ses, e->dbpath, 0), JET_errDatabaseCorrupted);
}

static void test_database_page_size_follows_the_instance(void **state)
{
    (void)state;
    struct tfx_env e;
    JET_SETSYSPARAM big[] = {{JET_paramDatabasePageSize, 32768, NULL, 0}};
    assert_int_equal(tfx_env_open_with(&e, "page32", 1, big, 1), JET_errSuccess);
    struct tfx_kv kv;
    char val[20000];
    assert_int_equal(tfx_kv_create(e.ses, e.dbid, "t", &kv), JET_errSuccess);
    for (int i = 0; i < 20; i++) {
        tfx_fill(val, sizeof val, 9, (uint64_t)i);
        assert_int_equal(tfx_kv_insert(e.ses, &kv, i, val, sizeof val), JET_errSuccess);
    }
    assert_int_equal(JetCloseDatabase(e.ses, e.dbid, 0), JET_errSuccess);
    assert_int_equal(JetCloseTable(e.ses, kv.t), JET_errSuccess);
    assert_int_equal(JetDetachDatabase(e.ses, e.dbpath), JET_errSuccess);
    assert_int_equal(misc_of(e.dbpath).cbPageSize, 32768);
    assert_int_equal(tfx_file_size(e.dbpath) % 32768, 0);
    assert_int_equal(tfx_env_term(&e, JET_bitTermComplete), JET_errSuccess);
    /* An instance with another page size cannot attach it. */
    assert_int_equal(tfx_env_reopen(&e, 0), JET_errSuccess);
    assert_int_equal(JetAttachDatabase(e.ses, e.dbpath, 0), JET_errPageSizeMismatch);
    assert_int_equal(tfx_env_term(&e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(tfx_env_reopen_with(&e, 1, big, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e.ses, e.dbid, "t", &kv), JET_errSuccess);
    unsigned long cb = 0;
    char got[20000];
    tfx_fill(val, sizeof val, 9, 19);
    assert_int_equal(tfx_kv_get(e.ses, &kv, 19, got, sizeof got, &cb), JET_errSuccess);
    assert_int_equal(cb, sizeof val);
    assert_memory_equal(got, val, sizeof val);
    tfx_env_close(&e);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup_db, tfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_database_is_attached_open_and_dirty),
        T(test_create_database_refuses_duplicates),
        T(test_detach_attach_keeps_records),
        T(test_attach_accepts_other_spellings_of_the_path),
        T(test_detach_of_an_open_database_is_in_use),
        T(test_detach_while_a_table_is_open),
        T(test_attach_errors),
        T(test_too_many_attached_databases),
        T(test_dirty_shutdown_refuses_attach_without_recovery),
        cmocka_unit_test(test_recovery_off_instance_creates_and_detaches_clean),
        T(test_database_file_info_levels),
        T(test_database_info_of_an_open_database),
        T(test_header_survives_one_damaged_copy_not_two),
        cmocka_unit_test(test_database_page_size_follows_the_instance),
    };
#undef T
    return cmocka_run_group_tests_name("database", tests, NULL, NULL);
}
