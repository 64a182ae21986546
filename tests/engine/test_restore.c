/*
 * test_restore.c — hard recovery (spec/backup-api.md, "Hard recovery"): every check of
 * JetExternalRestore2 provoked with its code and event, the status callback's sequence and its
 * cancel, the events of success and failure, a failed check leaving the copy untouched for a retry,
 * the legacy JetExternalRestore signature, a backup copy refused by attach without restore, and
 * the restore map (bound by original path or, as ESE does, by the copy's database signature).
 *
 * setup: an instance with transactions over a few generations, one full backup (sequential API,
 * truncated) in root/bk, then more transactions (material for roll-forward). Each test assembles
 * its restore in a fresh directory from root/bk and changes what it needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bk_fixture.h"

#define MAX_SEQ 20000

struct rc {
    struct bk_env e;
    struct bk_env other; /* another instance (another log set), opened on demand */
    struct bk_events *ev;
    char bk[BK_PATH];
    JET_LOGINFO li;
    uint32_t at_backup; /* transactions 1..at_backup are in the backup */
    uint32_t next;
    /* one restore under construction */
    char dir[BK_PATH], db[BK_PATH], logs[BK_PATH], later[BK_PATH];
};

static int setup(void **state)
{
    struct rc *t = calloc(1, sizeof *t);
    if (!t) return -1;
    t->ev = bk_events_start();
    /* Default checkpoint depth: the backup reaches back to generation 1 (several generations). */
    JET_ERR err = bk_env_open(&t->e, "restore", NULL);
    t->next = 1;
    if (err >= 0) err = bk_write_gens(&t->e, 1, 3, &t->next);
    bk_join(t->bk, sizeof t->bk, t->e.root, "bk");
    struct bk_run r = {.truncate = 1};
    if (err >= 0 && bk_mkdir(t->bk) == 0) err = bk_backup_seq(t->e.inst, t->bk, &r);
    t->li = r.li;
    t->at_backup = t->next - 1;
    if (err >= 0) err = bk_write_gens(&t->e, t->next, 2, &t->next);
    if (err < 0 || t->li.ulGenHigh < t->li.ulGenLow + 2) {
        fprintf(stderr, "setup failed: %s (generations %lu..%lu)\n", JetXErrorName(err),
                t->li.ulGenLow, t->li.ulGenHigh);
        bk_env_close(&t->e);
        bk_events_stop(t->ev);
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct rc *t = *state;
    if (t) {
        if (t->other.root[0]) bk_env_close(&t->other);
        bk_env_close(&t->e);
        bk_events_stop(t->ev);
        free(t);
    }
    return 0;
}

/* ---- helpers
 * ------------------------------------------------------------------------------------- */
/* A restore directory `tag`: logs/ (the backup's logs), test.edb (the copy), later/ (empty). */
static void prepare(struct rc *t, const char *tag)
{
    char from[BK_PATH], to[BK_PATH];
    bk_join(t->dir, sizeof t->dir, t->e.root, tag);
    assert_int_equal(bk_mkdir(t->dir), 0);
    bk_join(t->logs, sizeof t->logs, t->dir, "logs");
    bk_join(t->later, sizeof t->later, t->dir, "later");
    assert_int_equal(bk_mkdir(t->logs), 0);
    assert_int_equal(bk_mkdir(t->later), 0);
    for (unsigned long g = t->li.ulGenLow; g <= t->li.ulGenHigh; g++) {
        bk_log_name(from, sizeof from, t->bk, g);
        bk_log_name(to, sizeof to, t->logs, g);
        assert_int_equal(bk_copy(from, to), 0);
    }
    bk_join(from, sizeof from, t->bk, BK_DB_FILE);
    bk_join(t->db, sizeof t->db, t->dir, BK_DB_FILE);
    assert_int_equal(bk_copy(from, t->db), 0);
}

static JET_ERR restore_with(struct rc *t, unsigned long lo, unsigned long hi, JET_PFNSTATUS pfn)
{
    JET_LOGINFO li = {sizeof li, lo, hi, "edb"};
    return bk_restore(t->logs, t->e.dbpath, t->db, &li, t->later, pfn);
}

static JET_ERR restore(struct rc *t)
{
    return restore_with(t, t->li.ulGenLow, t->li.ulGenHigh, NULL);
}

/* A failed restore: its code, the check's event, then 454 and 205. */
static void expect_failure(struct rc *t, JET_ERR want, unsigned long event)
{
    size_t m = bk_events_mark(t->ev);
    BK_EQ(restore(t), want);
    assert_int_equal(bk_events_since(t->ev, m, 204), 1);
    if (event) {
        assert_int_equal(bk_events_since(t->ev, m, event), 1);
        assert_int_equal(bk_events_err(t->ev, m, event), want);
    }
    assert_int_equal(bk_events_since(t->ev, m, 454), 1);
    assert_int_equal(bk_events_err(t->ev, m, 454), want);
    assert_int_equal(bk_events_since(t->ev, m, 205), 1);
}

static void verify(struct rc *t, uint32_t last)
{
    char vdir[BK_PATH];
    uint8_t *req = calloc(MAX_SEQ + 2, 1);
    for (uint32_t s = 1; s <= last; s++)
        req[s] = 1;
    bk_join(vdir, sizeof vdir, t->dir, "verify");
    struct bk_check c;
    JET_ERR err = bk_verify_file(vdir, t->db, MAX_SEQ, req, &c);
    bk_check_print("verify", err, &c);
    BK_OK(err);
    assert_true(bk_check_ok(&c));
    bk_check_free(&c);
    free(req);
}

/* Another instance (its own log set) with archived generations up to at least `gen`. */
static struct bk_env *other_instance(struct rc *t, unsigned long gen)
{
    if (!t->other.root[0]) BK_OK(bk_env_open(&t->other, "other", NULL));
    uint32_t next = 1;
    while (bk_current_gen(t->other.inst) <= gen)
        BK_OK(bk_write_gens(&t->other, next, 1, &next));
    return &t->other;
}

/* The live log directory's generations from..to into dir (no edb.log). */
static void copy_live(struct rc *t, unsigned long from_gen, unsigned long to_gen, const char *dir)
{
    char from[BK_PATH], to[BK_PATH];
    for (unsigned long g = from_gen; g <= to_gen; g++) {
        bk_log_name(from, sizeof from, t->e.dir, g);
        bk_log_name(to, sizeof to, dir, g);
        assert_int_equal(bk_copy(from, to), 0);
    }
}

static void copy_live_current(struct rc *t, const char *dir)
{
    char from[BK_PATH], to[BK_PATH];
    bk_join(from, sizeof from, t->e.dir, "edb.log");
    bk_join(to, sizeof to, dir, "edb.log");
    assert_int_equal(bk_copy(from, to), 0);
}

/* ---- success, status, events
 * --------------------------------------------------------------------- */
/* The status callback has no context argument: what it saw is kept here. */
#define STATUS_MAX 256
static struct {
    int n;
    JET_SNP snp[STATUS_MAX];
    JET_SNT snt[STATUS_MAX];
    unsigned long done[STATUS_MAX], total[STATUS_MAX];
    int cancel; /* return cancel_err on the first notification of type cancel_at */
    JET_SNT cancel_at;
    JET_ERR cancel_err;
} g_status;

static void status_reset(int cancel, JET_SNT cancel_at, JET_ERR cancel_err)
{
    memset(&g_status, 0, sizeof g_status);
    g_status.cancel = cancel;
    g_status.cancel_at = cancel_at;
    g_status.cancel_err = cancel_err;
}

static JET_ERR record_status(JET_SESID ses, JET_SNP snp, JET_SNT snt, void *pv)
{
    int i = g_status.n < STATUS_MAX ? g_status.n++ : STATUS_MAX - 1;
    const JET_SNPROG *prog = pv;
    g_status.snp[i] = snp;
    g_status.snt[i] = snt;
    g_status.done[i] = prog ? prog->cunitDone : 999;
    g_status.total[i] = prog ? prog->cunitTotal : 999;
    if (g_status.cancel && snt == g_status.cancel_at) return g_status.cancel_err;
    return JET_errSuccess;
}

static void test_restore_reports_begin_progress_complete_and_events(void **state)
{
    struct rc *t = *state;
    prepare(t, "ok");
    status_reset(0, 0, 0);
    size_t m = bk_events_mark(t->ev);
    BK_OK(restore_with(t, t->li.ulGenLow, t->li.ulGenHigh, record_status));
    assert_true(g_status.n >= 3);
    for (int i = 0; i < g_status.n; i++) {
        assert_int_equal(g_status.snp[i], JET_snpRestore);
        assert_int_equal(g_status.total[i], 100);
        if (i > 0) assert_true(g_status.done[i] >= g_status.done[i - 1]);
    }
    assert_int_equal(g_status.snt[0], JET_sntBegin);
    assert_int_equal(g_status.done[0], 0);
    for (int i = 1; i < g_status.n - 1; i++)
        assert_int_equal(g_status.snt[i], JET_sntProgress);
    assert_int_equal(g_status.snt[g_status.n - 1], JET_sntComplete);
    assert_int_equal(g_status.done[g_status.n - 1], 100);
    assert_int_equal(bk_events_since(t->ev, m, 204), 1);
    assert_int_equal(bk_events_since(t->ev, m, 205), 1);
    assert_int_equal(bk_events_since(t->ev, m, 454), 0);
    JET_DBINFOMISC4 h;
    BK_OK(bk_header(t->db, &h));
    assert_int_equal(h.dbstate, JET_dbstateCleanShutdown);
    assert_int_equal(h.bkinfoFullCur.genLow, 0);
    verify(t, t->at_backup);
}

static void test_restore_cancelled_by_status_callback(void **state)
{
    struct rc *t = *state;
    prepare(t, "cancel");
    status_reset(1, JET_sntProgress, JET_errOutOfMemory);
    size_t m = bk_events_mark(t->ev);
    BK_EQ(restore_with(t, t->li.ulGenLow, t->li.ulGenHigh, record_status), JET_errOutOfMemory);
    assert_int_equal(g_status.snt[g_status.n - 1], JET_sntProgress); /* nothing after the cancel */
    assert_int_equal(bk_events_since(t->ev, m, 454), 1);
    assert_int_equal(bk_events_since(t->ev, m, 205), 1);
    /* A cancelled restore did not produce a usable database. */
    char vdir[BK_PATH];
    struct bk_env v;
    memset(&v, 0, sizeof v);
    bk_join(vdir, sizeof vdir, t->dir, "verify");
    assert_int_equal(bk_mkdir(vdir), 0);
    snprintf(v.dir, sizeof v.dir, "%s", vdir);
    BK_OK(bk_env_start(&v));
    assert_true(JetAttachDatabase(v.ses, t->db, 0) < 0);
    bk_env_term(&v, JET_bitTermComplete);
    /* Cancelled at the very beginning: nothing is checked or touched. */
    prepare(t, "cancel-begin");
    status_reset(1, JET_sntBegin, -1234);
    BK_EQ(restore_with(t, t->li.ulGenLow, t->li.ulGenHigh, record_status), -1234);
    assert_int_equal(g_status.n, 1);
    char orig[BK_PATH];
    bk_join(orig, sizeof orig, t->bk, BK_DB_FILE);
    assert_true(bk_same_file(orig, t->db));
}

static void test_failed_check_leaves_copy_untouched_and_retry_works(void **state)
{
    struct rc *t = *state;
    char path[BK_PATH], saved[BK_PATH], orig[BK_PATH];
    prepare(t, "retry");
    bk_log_name(path, sizeof path, t->logs, t->li.ulGenHigh);
    bk_join(saved, sizeof saved, t->dir, "saved.log");
    assert_int_equal(rename(path, saved), 0);
    BK_EQ(restore(t), JET_errMissingRestoreLogFiles);
    bk_join(orig, sizeof orig, t->bk, BK_DB_FILE);
    assert_true(bk_same_file(orig, t->db));
    assert_int_equal(rename(saved, path), 0);
    BK_OK(restore(t));
    verify(t, t->at_backup);
}

static void test_legacy_restore_signature_works(void **state)
{
    struct rc *t = *state;
    prepare(t, "legacy");
    JET_RSTMAP map = {t->e.dbpath, t->db};
    BK_OK(JetExternalRestore(t->later, t->later, &map, 1, t->logs, (long)t->li.ulGenLow,
                             (long)t->li.ulGenHigh, NULL));
    verify(t, t->at_backup);
}

static void test_restore_rolls_forward_through_later_logs(void **state)
{
    struct rc *t = *state;
    prepare(t, "roll");
    unsigned long cur = bk_current_gen(t->e.inst);
    copy_live(t, t->li.ulGenHigh + 1, cur - 1, t->later);
    copy_live_current(t, t->later);
    BK_OK(restore(t));
    verify(t, t->next - 1);
}

/* ---- the backup's logs
 * --------------------------------------------------------------------------- */
static void test_missing_backup_log_is_missing_restore_log_files_435(void **state)
{
    struct rc *t = *state;
    char path[BK_PATH];
    prepare(t, "missing");
    bk_log_name(path, sizeof path, t->logs, t->li.ulGenLow + 1);
    assert_int_equal(unlink(path), 0);
    expect_failure(t, JET_errMissingRestoreLogFiles, 435);
    /* Asking for more generations than the backup has fails the same way. */
    prepare(t, "missing-high");
    size_t m = bk_events_mark(t->ev);
    BK_EQ(restore_with(t, t->li.ulGenLow, t->li.ulGenHigh + 1, NULL),
          JET_errMissingRestoreLogFiles);
    assert_int_equal(bk_events_since(t->ev, m, 435), 1);
}

static void test_backup_log_of_another_log_set_is_bad_signature_433(void **state)
{
    struct rc *t = *state;
    char from[BK_PATH], to[BK_PATH];
    struct bk_env *o = other_instance(t, t->li.ulGenLow + 2);
    prepare(t, "badsig");
    bk_log_name(from, sizeof from, o->dir, t->li.ulGenLow + 1);
    bk_log_name(to, sizeof to, t->logs, t->li.ulGenLow + 1);
    assert_int_equal(bk_copy(from, to), 0);
    expect_failure(t, JET_errGivenLogFileHasBadSignature, 433);
}

static void test_backup_log_out_of_sequence_is_not_contiguous_434(void **state)
{
    struct rc *t = *state;
    char from[BK_PATH], to[BK_PATH];
    prepare(t, "notcontig");
    /* The file named for generation genLow+1 holds generation genLow. */
    bk_log_name(from, sizeof from, t->logs, t->li.ulGenLow);
    bk_log_name(to, sizeof to, t->logs, t->li.ulGenLow + 1);
    assert_int_equal(bk_copy(from, to), 0);
    expect_failure(t, JET_errGivenLogFileIsNotContiguous, 434);
}

/* ---- later logs in the log path
 * ------------------------------------------------------------------ */
static void test_later_log_of_another_log_set_is_existing_bad_signature_457(void **state)
{
    struct rc *t = *state;
    char from[BK_PATH], to[BK_PATH];
    struct bk_env *o = other_instance(t, t->li.ulGenHigh + 2);
    prepare(t, "later-badsig");
    bk_log_name(from, sizeof from, o->dir, t->li.ulGenHigh + 1);
    bk_log_name(to, sizeof to, t->later, t->li.ulGenHigh + 1);
    assert_int_equal(bk_copy(from, to), 0);
    copy_live_current(t, t->later);
    expect_failure(t, JET_errExistingLogFileHasBadSignature, 457);
}

static void test_later_logs_with_gap_are_existing_not_contiguous_458(void **state)
{
    struct rc *t = *state;
    unsigned long cur = bk_current_gen(t->e.inst);
    assert_true(cur >= t->li.ulGenHigh + 3);
    prepare(t, "later-gap");
    copy_live(t, t->li.ulGenHigh + 2, cur - 1, t->later); /* genHigh + 1 is missing */
    copy_live_current(t, t->later);
    expect_failure(t, JET_errExistingLogFileIsNotContiguous, 458);
}

static void test_later_logs_without_current_are_missing_current_450(void **state)
{
    struct rc *t = *state;
    unsigned long cur = bk_current_gen(t->e.inst);
    prepare(t, "later-nocur");
    copy_live(t, t->li.ulGenHigh + 1, cur - 1, t->later);
    expect_failure(t, JET_errMissingCurrentLogFiles, 450);
}

/* ---- the database copy
 * --------------------------------------------------------------------------- */
static void test_plain_database_is_restore_of_non_backup_database(void **state)
{
    struct rc *t = *state;
    struct bk_env *o = other_instance(t, 1);
    prepare(t, "plain");
    BK_OK(JetCloseTable(o->ses, o->kv.t));
    BK_OK(JetCloseDatabase(o->ses, o->dbid, 0));
    BK_OK(JetDetachDatabase(o->ses, o->dbpath));
    assert_int_equal(bk_copy(o->dbpath, t->db), 0);
    expect_failure(t, JET_errRestoreOfNonBackupDatabase, 0);
}

static void test_damaged_or_missing_trailer_is_patch_file_mismatch_430(void **state)
{
    struct rc *t = *state;
    prepare(t, "trailer-damaged");
    long long size = bk_size(t->db);
    assert_int_equal(bk_flip_byte(t->db, size - BK_PAGE + 200), 0);
    expect_failure(t, JET_errDatabasePatchFileMismatch, 430);
    prepare(t, "trailer-missing");
    assert_int_equal(truncate(t->db, size - BK_PAGE), 0);
    expect_failure(t, JET_errDatabasePatchFileMismatch, 430);
}

static void test_trailer_of_another_backup_is_patch_file_mismatch(void **state)
{
    struct rc *t = *state;
    char bk2[BK_PATH], db2[BK_PATH];
    bk_join(bk2, sizeof bk2, t->e.root, "bk2");
    assert_int_equal(bk_mkdir(bk2), 0);
    struct bk_run r = {0};
    BK_OK(bk_backup_seq(t->e.inst, bk2, &r));
    bk_join(db2, sizeof db2, bk2, BK_DB_FILE);
    prepare(t, "trailer-other");
    /* Same database, same log set, but the trailer of a later backup. */
    uint8_t *page = malloc(BK_PAGE);
    long long size1 = bk_size(t->db), size2 = bk_size(db2);
    assert_int_equal(bk_read_at(db2, page, BK_PAGE, size2 - BK_PAGE), 0);
    assert_int_equal(truncate(t->db, size1 - BK_PAGE), 0);
    int fd = open(t->db, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, page, BK_PAGE), BK_PAGE);
    close(fd);
    free(page);
    expect_failure(t, JET_errDatabasePatchFileMismatch, 430);
}

static void test_first_generation_after_copy_start_is_starting_too_high_431(void **state)
{
    struct rc *t = *state;
    prepare(t, "too-high");
    size_t m = bk_events_mark(t->ev);
    BK_EQ(restore_with(t, t->li.ulGenLow + 1, t->li.ulGenHigh, NULL),
          JET_errStartingRestoreLogTooHigh);
    assert_int_equal(bk_events_since(t->ev, m, 431), 1);
    assert_int_equal(bk_events_since(t->ev, m, 454), 1);
}

static void test_last_generation_before_copy_end_is_ending_too_low_432(void **state)
{
    struct rc *t = *state;
    prepare(t, "too-low");
    size_t m = bk_events_mark(t->ev);
    BK_EQ(restore_with(t, t->li.ulGenLow, t->li.ulGenHigh - 1, NULL),
          JET_errEndingRestoreLogTooLow);
    assert_int_equal(bk_events_since(t->ev, m, 432), 1);
    assert_int_equal(bk_events_since(t->ev, m, 454), 1);
}

static void test_unreadable_header_is_database_corrupted(void **state)
{
    struct rc *t = *state;
    prepare(t, "corrupt");
    assert_int_equal(bk_flip_byte(t->db, 100), 0);
    assert_int_equal(bk_flip_byte(t->db, BK_PAGE + 100), 0);
    expect_failure(t, JET_errDatabaseCorrupted, 0);
    /* One damaged header copy is not enough to fail: the shadow copy is used. */
    prepare(t, "one-header");
    assert_int_equal(bk_flip_byte(t->db, 100), 0);
    BK_OK(restore(t));
}

static void test_attaching_backup_copy_without_restore_is_refused(void **state)
{
    struct rc *t = *state;
    prepare(t, "attach");
    char vdir[BK_PATH];
    struct bk_env v;
    memset(&v, 0, sizeof v);
    bk_join(vdir, sizeof vdir, t->dir, "inst");
    assert_int_equal(bk_mkdir(vdir), 0);
    snprintf(v.dir, sizeof v.dir, "%s", vdir);
    BK_OK(bk_env_start(&v));
    BK_EQ(JetAttachDatabase(v.ses, t->db, 0), JET_errSoftRecoveryOnBackupDatabase);
    bk_env_term(&v, JET_bitTermComplete);
    /* After hard recovery it attaches. */
    BK_OK(restore(t));
    verify(t, t->at_backup);
}

/* ---- the restore map ----------------------------------------------------------------------------
 */
static void test_map_with_other_original_path_binds_by_signature(void **state)
{
    struct rc *t = *state;
    prepare(t, "moved");
    JET_RSTMAP map = {(char *)"/elsewhere/moved/test.edb", t->db};
    JET_LOGINFO li = t->li;
    BK_OK(JetExternalRestore2(t->later, t->later, &map, 1, t->logs, &li, NULL, NULL, NULL, NULL));
    verify(t, t->at_backup);
}

static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = ~0u;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    }
    return ~c;
}

/* Gives a copy another database signature (both header pages and the trailer, resealed). */
static void change_db_signature(const char *path)
{
    uint8_t *pg = malloc(BK_PAGE);
    long long pages = bk_size(path) / BK_PAGE;
    long long which[3] = {0, 1, pages - 1};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bk_read_at(path, pg, BK_PAGE, which[i] * BK_PAGE), 0);
        pg[48] ^= 0x5a; /* the database signature's random part */
        uint32_t crc = crc32c_bitwise(pg + 4, BK_PAGE - 4);
        for (int b = 0; b < 4; b++)
            pg[b] = (uint8_t)(crc >> (8 * b));
        assert_int_equal(bk_write_at(path, pg, BK_PAGE, which[i] * BK_PAGE), 0);
    }
    free(pg);
}

static void test_copy_of_no_logged_database_is_database_not_found(void **state)
{
    struct rc *t = *state;
    char saved[BK_PATH];
    prepare(t, "stranger");
    change_db_signature(t->db);
    bk_join(saved, sizeof saved, t->dir, "saved.edb");
    assert_int_equal(bk_copy(t->db, saved), 0);
    JET_RSTMAP map = {(char *)"/elsewhere/other.edb", t->db};
    JET_LOGINFO li = t->li;
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetExternalRestore2(t->later, t->later, &map, 1, t->logs, &li, NULL, NULL, NULL, NULL),
          JET_errDatabaseNotFound);
    assert_int_equal(bk_events_since(t->ev, m, 454), 1);
    assert_true(bk_same_file(saved, t->db)); /* refused before anything was changed */
}

static void test_log_path_may_be_the_backup_log_path(void **state)
{
    struct rc *t = *state;
    prepare(t, "same-path");
    JET_RSTMAP map = {t->e.dbpath, t->db};
    JET_LOGINFO li = t->li;
    BK_OK(JetExternalRestore2(t->logs, t->logs, &map, 1, t->logs, &li, NULL, NULL, NULL, NULL));
    verify(t, t->at_backup);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_restore_reports_begin_progress_complete_and_events,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_cancelled_by_status_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_check_leaves_copy_untouched_and_retry_works,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_restore_signature_works, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_rolls_forward_through_later_logs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_backup_log_is_missing_restore_log_files_435,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_log_of_another_log_set_is_bad_signature_433,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_log_out_of_sequence_is_not_contiguous_434,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_later_log_of_another_log_set_is_existing_bad_signature_457, setup, teardown),
        cmocka_unit_test_setup_teardown(test_later_logs_with_gap_are_existing_not_contiguous_458,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_later_logs_without_current_are_missing_current_450,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_database_is_restore_of_non_backup_database,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_or_missing_trailer_is_patch_file_mismatch_430,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailer_of_another_backup_is_patch_file_mismatch,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_first_generation_after_copy_start_is_starting_too_high_431, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_generation_before_copy_end_is_ending_too_low_432,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_header_is_database_corrupted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_attaching_backup_copy_without_restore_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_with_other_original_path_binds_by_signature, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_copy_of_no_logged_database_is_database_not_found,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_path_may_be_the_backup_log_path, setup, teardown),
    };
    return cmocka_run_group_tests_name("restore", tests, NULL, NULL);
}
