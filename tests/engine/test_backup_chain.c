/*
 * test_backup_chain.c — backup chains and truncation (spec/backup-api.md, the end call's header
 * table and JetTruncateLog): full + incremental + incremental restored together, a differential, a
 * copy backup that neither resets nor satisfies the incremental chain (checked in the headers with
 * JetGetDatabaseFileInfo / JET_DBINFOMISC4), truncation that keeps what a restore still needs, and
 * the header update being logged so that roll-forward re-applies it.
 *
 * Each backup goes to its own directory under the test's root; a restore copies what it needs into
 * a fresh directory and is verified row by row (bk_verify).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bk_fixture.h"

#define MAX_SEQ 20000

struct cc {
    struct bk_env e;
    struct bk_events *ev;
    uint32_t next;
};

static int setup(void **state)
{
    struct cc *t = calloc(1, sizeof *t);
    if (!t) return -1;
    struct bk_opts o = {.ckpt_depth = 64 * 1024};
    t->ev = bk_events_start();
    JET_ERR err = bk_env_open(&t->e, "chain", &o);
    t->next = 1;
    if (err >= 0) err = bk_write_gens(&t->e, 1, 2, &t->next);
    if (err < 0) {
        fprintf(stderr, "setup failed: %s\n", JetXErrorName(err));
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
    struct cc *t = *state;
    if (t) {
        bk_env_close(&t->e);
        bk_events_stop(t->ev);
        free(t);
    }
    return 0;
}

/* ---- helpers
 * ------------------------------------------------------------------------------------- */
/* Writes about `gens` generations of transactions and waits for a checkpoint near the end. */
static void work(struct cc *t, unsigned gens)
{
    uint32_t next = t->next;
    BK_OK(bk_write_gens(&t->e, next, gens, &next));
    double until = bk_now() + 10;
    while (bk_checkpoint_gen(t->e.inst) + 1 < bk_current_gen(t->e.inst) && bk_now() < until) {
        BK_OK(bk_write_txns(&t->e, next, next));
        next++;
        bk_sleep_ms(20);
    }
    t->next = next;
}

static void backup_to(struct cc *t, const char *tag, JET_GRBIT grbit, int truncate, JET_LOGINFO *li)
{
    char dir[BK_PATH];
    bk_join(dir, sizeof dir, t->e.root, tag);
    assert_int_equal(bk_mkdir(dir), 0);
    struct bk_run r = {.begin_grbit = grbit, .truncate = truncate};
    JET_ERR err = bk_backup_seq(t->e.inst, dir, &r);
    if (err < 0) fprintf(stderr, "backup %s failed at %s\n", tag, r.failed_at ? r.failed_at : "?");
    BK_OK(err);
    *li = r.li;
}

/* Copies every edbXXXXXXXX.log of src into dst (overlapping generations must be identical). */
static void gather_logs(struct cc *t, const char *src_tag, const char *dst)
{
    char src[BK_PATH], from[BK_PATH], to[BK_PATH];
    unsigned long lo, hi;
    bk_join(src, sizeof src, t->e.root, src_tag);
    assert_int_equal(bk_mkdir(dst), 0);
    assert_true(bk_log_range(src, &lo, &hi) > 0);
    for (unsigned long g = lo; g <= hi; g++) {
        bk_log_name(from, sizeof from, src, g);
        bk_log_name(to, sizeof to, dst, g);
        if (!bk_exists(from)) continue;
        if (bk_exists(to)) assert_true(bk_same_file(from, to));
        assert_int_equal(bk_copy(from, to), 0);
    }
}

/* Copies the live log directory's generations after gen_high (those still there) and edb.log into
 * dst. */
static void gather_live_logs(struct cc *t, unsigned long gen_high, const char *dst)
{
    char from[BK_PATH], to[BK_PATH];
    unsigned long lo, hi;
    assert_int_equal(bk_mkdir(dst), 0);
    bk_log_range(t->e.dir, &lo, &hi);
    for (unsigned long g = gen_high + 1; g <= hi; g++) {
        bk_log_name(from, sizeof from, t->e.dir, g);
        bk_log_name(to, sizeof to, dst, g);
        if (bk_exists(from)) assert_int_equal(bk_copy(from, to), 0);
    }
    bk_join(from, sizeof from, t->e.dir, "edb.log");
    bk_join(to, sizeof to, dst, "edb.log");
    assert_int_equal(bk_copy(from, to), 0);
}

/* Restores the database copy of backup `db_tag` with the logs in logs_dir (generations lo..hi),
 * roll-forward logs from later_dir (NULL: none), and checks that transactions 1..last all are
 * there. The restored file is left at *restored. */
static void restore_check(struct cc *t, const char *tag, const char *db_tag, const char *logs_dir,
                          unsigned long lo, unsigned long hi, const char *later_dir, uint32_t last,
                          char *restored)
{
    char dir[BK_PATH], from[BK_PATH], empty[BK_PATH], verify[BK_PATH], bkdir[BK_PATH];
    bk_join(dir, sizeof dir, t->e.root, tag);
    assert_int_equal(bk_mkdir(dir), 0);
    bk_join(restored, BK_PATH, dir, BK_DB_FILE);
    bk_join(bkdir, sizeof bkdir, t->e.root, db_tag);
    bk_join(from, sizeof from, bkdir, BK_DB_FILE);
    assert_int_equal(bk_copy(from, restored), 0);
    bk_join(empty, sizeof empty, dir, "logs");
    JET_LOGINFO li = {sizeof li, lo, hi, "edb"};
    size_t m = bk_events_mark(t->ev);
    JET_ERR err =
        bk_restore(logs_dir, t->e.dbpath, restored, &li, later_dir ? later_dir : empty, NULL);
    if (err < 0) bk_events_dump(t->ev, m);
    BK_OK(err);
    uint8_t *req = calloc(MAX_SEQ + 2, 1);
    for (uint32_t s = 1; s <= last; s++)
        req[s] = 1;
    struct bk_check c;
    bk_join(verify, sizeof verify, dir, "verify");
    err = bk_verify_file(verify, restored, MAX_SEQ, req, &c);
    bk_check_print(tag, err, &c);
    BK_OK(err);
    assert_true(bk_check_ok(&c));
    bk_check_free(&c);
    free(req);
}

/* Transactions written so far are 1..t->next - 1; after them, the restored copy must hold no more.
 */
static void assert_holds_exactly(struct cc *t, const char *restored, const char *tag, uint32_t last)
{
    char verify[BK_PATH];
    struct bk_check c;
    bk_join(verify, sizeof verify, t->e.root, tag);
    BK_OK(bk_verify_file(verify, restored, MAX_SEQ, NULL, &c));
    assert_true(bk_check_ok(&c));
    for (uint32_t s = last + 1; s <= MAX_SEQ; s++)
        assert_int_equal(c.count[s], 0);
    bk_check_free(&c);
}

static void header(struct cc *t, JET_DBINFOMISC4 *h)
{
    BK_OK(bk_header(t->e.dbpath, h));
}

static int bkinfo_same(const JET_BKINFO *a, const JET_BKINFO *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* ---- tests
 * --------------------------------------------------------------------------------------- */
static void test_full_and_two_incrementals_restore_together(void **state)
{
    struct cc *t = *state;
    JET_LOGINFO full, inc1, inc2;
    JET_DBINFOMISC4 h;
    char logs[BK_PATH], restored[BK_PATH];
    backup_to(t, "full", 0, 1, &full);
    uint32_t after_full = t->next - 1;
    work(t, 2);
    backup_to(t, "inc1", JET_bitBackupIncremental, 1, &inc1);
    header(t, &h);
    assert_int_equal(h.bkinfoIncPrev.genLow, inc1.ulGenLow);
    assert_int_equal(h.bkinfoIncPrev.genHigh, inc1.ulGenHigh);
    /* An incremental starts where the log on disk starts and goes on from the full backup. */
    assert_true(inc1.ulGenLow <= full.ulGenHigh + 1);
    assert_true(inc1.ulGenHigh > full.ulGenHigh);
    work(t, 2);
    backup_to(t, "inc2", JET_bitBackupIncremental, 1, &inc2);
    assert_true(inc2.ulGenLow <= inc1.ulGenHigh + 1);
    uint32_t last = t->next - 1;
    bk_join(logs, sizeof logs, t->e.root, "all-logs");
    gather_logs(t, "full", logs);
    gather_logs(t, "inc1", logs);
    gather_logs(t, "inc2", logs);
    restore_check(t, "restore", "full", logs, full.ulGenLow, inc2.ulGenHigh, NULL, last, restored);
    assert_holds_exactly(t, restored, "verify-exact", last);
    /* The full backup's logs alone bring it only to the full backup. */
    char full_dir[BK_PATH];
    bk_join(full_dir, sizeof full_dir, t->e.root, "full");
    restore_check(t, "restore-full", "full", full_dir, full.ulGenLow, full.ulGenHigh, NULL,
                  after_full, restored);
    assert_holds_exactly(t, restored, "verify-full", after_full);
}

static void test_differential_holds_everything_since_the_full_backup(void **state)
{
    struct cc *t = *state;
    JET_LOGINFO full, d1, d2;
    JET_DBINFOMISC4 h;
    char logs[BK_PATH], restored[BK_PATH];
    backup_to(t, "full", 0, 1, &full);
    work(t, 2);
    backup_to(t, "diff1", JET_bitBackupIncremental, 0, &d1);
    work(t, 2);
    backup_to(t, "diff2", JET_bitBackupIncremental, 0, &d2);
    header(t, &h);
    assert_int_equal(h.bkinfoDiffPrev.genLow, d2.ulGenLow);
    assert_int_equal(h.bkinfoDiffPrev.genHigh, d2.ulGenHigh);
    assert_int_equal(h.bkinfoIncPrev.genHigh, 0);
    assert_int_equal(h.bkinfoFullPrev.genHigh, full.ulGenHigh);
    /* Without truncation the second differential still reaches back to the full backup. */
    assert_true(d2.ulGenLow <= full.ulGenHigh + 1);
    uint32_t last = t->next - 1;
    bk_join(logs, sizeof logs, t->e.root, "logs");
    gather_logs(t, "full", logs);
    gather_logs(t, "diff2", logs); /* the first differential is not needed */
    restore_check(t, "restore", "full", logs, full.ulGenLow, d2.ulGenHigh, NULL, last, restored);
    assert_holds_exactly(t, restored, "verify-exact", last);
}

static void test_copy_backup_neither_resets_nor_satisfies_the_chain(void **state)
{
    struct cc *t = *state;
    JET_LOGINFO full, inc1, copy, inc2;
    JET_DBINFOMISC4 h;
    char logs[BK_PATH], restored[BK_PATH];
    backup_to(t, "full", 0, 1, &full);
    work(t, 1);
    backup_to(t, "inc1", JET_bitBackupIncremental, 1, &inc1);
    header(t, &h);
    JET_BKINFO full_info = h.bkinfoFullPrev, inc_info = h.bkinfoIncPrev;
    work(t, 1);
    backup_to(t, "copy", 0, 0, &copy);
    uint32_t at_copy = t->next - 1;
    header(t, &h);
    assert_int_equal(h.bkinfoCopyPrev.genLow, copy.ulGenLow);
    assert_int_equal(h.bkinfoCopyPrev.genHigh, copy.ulGenHigh);
    assert_true(bkinfo_same(&h.bkinfoFullPrev, &full_info));
    assert_true(bkinfo_same(&h.bkinfoIncPrev, &inc_info));
    /* The next incremental continues the full + incremental chain, not the copy. */
    work(t, 1);
    backup_to(t, "inc2", JET_bitBackupIncremental, 1, &inc2);
    assert_true(inc2.ulGenLow <= inc1.ulGenHigh + 1);
    uint32_t last = t->next - 1;
    bk_join(logs, sizeof logs, t->e.root, "chain-logs");
    gather_logs(t, "full", logs);
    gather_logs(t, "inc1", logs);
    gather_logs(t, "inc2", logs);
    restore_check(t, "restore-chain", "full", logs, full.ulGenLow, inc2.ulGenHigh, NULL, last,
                  restored);
    /* The copy restores on its own, to the moment it was taken. */
    char copy_dir[BK_PATH];
    bk_join(copy_dir, sizeof copy_dir, t->e.root, "copy");
    restore_check(t, "restore-copy", "copy", copy_dir, copy.ulGenLow, copy.ulGenHigh, NULL, at_copy,
                  restored);
    assert_holds_exactly(t, restored, "verify-copy", at_copy);
}

static void test_copy_backup_alone_does_not_satisfy_an_incremental(void **state)
{
    struct cc *t = *state;
    JET_LOGINFO copy;
    backup_to(t, "copy", 0, 0, &copy);
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental),
          JET_errMissingFullBackup);
}

/* Truncation keeps what the previous full backup needs when this full backup did not copy the
 * database to its end, and a restore of that previous backup rolls forward through what is left. */
static void test_truncation_keeps_what_a_restore_still_needs(void **state)
{
    struct cc *t = *state;
    JET_LOGINFO full, partial;
    char restored[BK_PATH], later[BK_PATH];
    backup_to(t, "full", 0, 1, &full);
    work(t, 4);
    /* A full backup that reads only part of the database, then truncates. */
    JET_HANDLE hf;
    unsigned long lo, hi, got, cb;
    uint8_t *buf = malloc(3 * BK_PAGE);
    char szz[16384], dir[BK_PATH], dest[BK_PATH];
    char(*list)[BK_PATH] = calloc(64, BK_PATH);
    bk_join(dir, sizeof dir, t->e.root, "partial");
    assert_int_equal(bk_mkdir(dir), 0);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 3 * BK_PAGE, &got));
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    work(t, 2);
    memset(&partial, 0, sizeof partial);
    partial.cbSize = sizeof partial;
    BK_OK(JetGetLogInfoInstance2(t->e.inst, szz, sizeof szz, &cb, &partial));
    int n = bk_szz_split(szz, list, 64);
    for (int i = 0; i < n; i++) {
        bk_join(dest, sizeof dest, dir, bk_basename(list[i]));
        BK_OK(bk_copy_seq(t->e.inst, list[i], dest, 64 * 1024, NULL));
    }
    unsigned long ck = bk_checkpoint_gen(t->e.inst);
    assert_true(ck > full.ulGenHigh +
                         1); /* without the rule, generations the full backup needs would go */
    BK_OK(JetGetTruncateLogInfoInstance(t->e.inst, szz, sizeof szz, &cb));
    int nt = bk_szz_split(szz, list, 64);
    BK_OK(JetTruncateLogInstance(t->e.inst));
    for (int i = 0; i < nt; i++)
        assert_true(bk_log_gen(list[i]) < full.ulGenHigh);
    char path[BK_PATH];
    for (unsigned long g = full.ulGenHigh; g <= partial.ulGenHigh; g++) {
        bk_log_name(path, sizeof path, t->e.dir, g);
        assert_true(bk_exists(path));
    }
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    JET_DBINFOMISC4 h;
    header(t, &h);
    assert_int_equal(h.bkinfoFullPrev.genHigh,
                     full.ulGenHigh); /* the partial one is not recorded */
    work(t, 1);
    uint32_t last = t->next - 1;
    /* The previous full backup + every later generation still on disk = everything. */
    bk_join(later, sizeof later, t->e.root, "later");
    gather_live_logs(t, full.ulGenHigh, later);
    char full_dir[BK_PATH];
    bk_join(full_dir, sizeof full_dir, t->e.root, "full");
    restore_check(t, "restore", "full", full_dir, full.ulGenLow, full.ulGenHigh, later, last,
                  restored);
    free(list);
    free(buf);
}

/* After a complete full backup, truncation deletes what is below the checkpoint and the backup's
 * end, and the restore of that backup + the remaining logs still rolls forward to the present. */
static void test_restore_after_truncation_rolls_forward(void **state)
{
    struct cc *t = *state;
    JET_LOGINFO full, full2;
    char restored[BK_PATH], later[BK_PATH], dir[BK_PATH];
    work(t, 2);
    backup_to(t, "full", 0, 1, &full);
    unsigned long lo, hi;
    bk_log_range(t->e.dir, &lo, &hi);
    assert_true(lo > 1); /* the first truncation deleted the oldest generations */
    work(t, 3);
    backup_to(t, "full2", 0, 1, &full2);
    bk_log_range(t->e.dir, &lo, &hi);
    assert_true(lo > full.ulGenHigh); /* the second one deleted those of the first backup */
    assert_true(lo <= full2.ulGenHigh + 1);
    work(t, 2);
    uint32_t last = t->next - 1;
    bk_join(later, sizeof later, t->e.root, "later");
    gather_live_logs(t, full2.ulGenHigh, later);
    bk_join(dir, sizeof dir, t->e.root, "full2");
    restore_check(t, "restore", "full2", dir, full2.ulGenLow, full2.ulGenHigh, later, last,
                  restored);
}

/* The end call's header update is logged: a restore that rolls forward past a later backup's end
 * finds that backup in the restored header. */
static void test_header_update_is_logged_and_rolled_forward(void **state)
{
    struct cc *t = *state;
    JET_LOGINFO full, full2;
    char restored[BK_PATH], later[BK_PATH], dir[BK_PATH];
    backup_to(t, "full", 0, 1, &full);
    work(t, 1);
    /* A second full backup whose client truncated on its own: recorded as full, no log deleted. */
    bk_join(dir, sizeof dir, t->e.root, "full2");
    assert_int_equal(bk_mkdir(dir), 0);
    struct bk_run r = {.end_grbit = JET_bitBackupEndNormal | JET_bitBackupTruncateDone};
    BK_OK(bk_backup_seq(t->e.inst, dir, &r));
    full2 = r.li;
    JET_DBINFOMISC4 live;
    header(t, &live);
    assert_int_equal(live.bkinfoFullPrev.genHigh, full2.ulGenHigh);
    work(t, 1);
    uint32_t last = t->next - 1;
    bk_join(later, sizeof later, t->e.root, "later");
    gather_live_logs(t, full.ulGenHigh, later);
    bk_join(dir, sizeof dir, t->e.root, "full");
    restore_check(t, "restore", "full", dir, full.ulGenLow, full.ulGenHigh, later, last, restored);
    JET_DBINFOMISC4 h;
    BK_OK(bk_header(restored, &h));
    assert_int_equal(h.dbstate, JET_dbstateCleanShutdown);
    assert_int_equal(h.bkinfoFullPrev.genLow, full2.ulGenLow);
    assert_int_equal(h.bkinfoFullPrev.genHigh, full2.ulGenHigh);
    assert_true(bkinfo_same(&h.bkinfoFullPrev, &live.bkinfoFullPrev));
    assert_int_equal(h.bkinfoFullCur.genLow, 0); /* no longer a backup copy */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_and_two_incrementals_restore_together, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_differential_holds_everything_since_the_full_backup,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_backup_neither_resets_nor_satisfies_the_chain,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_backup_alone_does_not_satisfy_an_incremental,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation_keeps_what_a_restore_still_needs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_restore_after_truncation_rolls_forward, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_header_update_is_logged_and_rolled_forward, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("backup_chain", tests, NULL, NULL);
}
