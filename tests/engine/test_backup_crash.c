/*
 * test_backup_crash.c — a process killed in the middle of backups and truncations
 * (spec/backup-api.md "Online backup"; DESIGN.md "Recovery"): recovery works, no acknowledged
 * transaction is lost, no transaction is half there, and the next backup and its restore succeed.
 *
 * One live directory lives through every round. A round forks a child that starts the instance on
 * it (soft recovery after the previous kill), runs a workload (two threads; a transaction's number
 * is sent to the parent only after JetCommitTransaction returned) and, on its main thread, backs up
 * in a loop (full, then incrementals, with truncation), announcing each step. The parent SIGKILLs
 * it at a random moment: after a random delay, or just after the child announces the log call or
 * the truncation. Besides the SIGKILLs, some rounds make the child die inside JetTruncateLog itself
 * (fault point JET_XFAULT_UNLINK in crash mode, after a random number of deletions). In the
 * other rounds each log deletion is slowed to 2 ms (JET_XFAULT_DELAY), so kills just after the
 * truncation's announcement land inside it whatever the disk's speed.
 * After each round the parent recovers the directory in-process, checks every acknowledged
 * transaction, takes a full backup, restores it into a fresh directory and checks that too.
 *
 * HOTCOPY_CRASH_KILLS sets the number of SIGKILL rounds (default 30); HOTCOPY_CRASH_SEED replays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <poll.h>

#include <cmocka.h>

#include "bk_fixture.h"

#define STRIDE                                                                                     \
    20000 /* transaction numbers per round: a killed round's unacknowledged ones stay unused */
#define CHILD_THREADS 2
#define CHILD_PAUSE_US 700

enum msg {
    MSG_READY = 1,
    MSG_ACK,
    MSG_BEGIN,
    MSG_DB_COPIED,
    MSG_LOG_CALL,
    MSG_TRUNCATING,
    MSG_TRUNCATED,
    MSG_ENDED
};
static const char *const phase_names[] = {"",           "starting",         "",
                                          "begin",      "databases copied", "log call",
                                          "truncating", "truncated",        "ended"};

struct msgbuf {
    uint32_t type, value;
};

struct child_arg {
    char dir[BK_PATH], bkdir[BK_PATH];
    uint32_t base;
    int create;
    int crash_in_truncate;
    unsigned long crash_skip;
    uint64_t seed;
    int wfd;
};

static void child_send(int wfd, uint32_t type, uint32_t value)
{
    struct msgbuf m = {type, value};
    while (write(wfd, &m, sizeof m) != (ssize_t)sizeof m)
        if (errno != EINTR) _exit(3);
}

static void child_ack(uint32_t seq, void *ctx)
{
    child_send(*(int *)ctx, MSG_ACK, seq);
}

/* One backup of the child's loop, announcing its steps. */
static void child_backup(struct child_arg *a, JET_INSTANCE inst, int incremental, uint64_t *rng)
{
    char szz[16384], dest[BK_PATH];
    unsigned long cb;
    char(*list)[BK_PATH] = calloc(64, BK_PATH);
    BK_CHILD_CHECK(list != NULL);
    child_send(a->wfd, MSG_BEGIN, (uint32_t)incremental);
    BK_CHILD_EQ(JetBeginExternalBackupInstance(inst, incremental ? JET_bitBackupIncremental : 0),
                JET_errSuccess);
    if (!incremental) {
        BK_CHILD_EQ(JetGetAttachInfoInstance(inst, szz, sizeof szz, &cb), JET_errSuccess);
        int n = bk_szz_split(szz, list, 64);
        for (int i = 0; i < n; i++) {
            bk_join(dest, sizeof dest, a->bkdir, bk_basename(list[i]));
            BK_CHILD_EQ(bk_copy_seq(inst, list[i], dest,
                                    (unsigned long)(3 + bk_rand_below(rng, 6)) * BK_PAGE, NULL),
                        JET_errSuccess);
        }
        child_send(a->wfd, MSG_DB_COPIED, 0);
    }
    JET_LOGINFO li = {sizeof li, 0, 0, ""};
    BK_CHILD_EQ(JetGetLogInfoInstance2(inst, szz, sizeof szz, &cb, &li), JET_errSuccess);
    child_send(a->wfd, MSG_LOG_CALL, (uint32_t)li.ulGenHigh);
    int n = bk_szz_split(szz, list, 64);
    for (int i = 0; i < n; i++) {
        bk_join(dest, sizeof dest, a->bkdir, bk_basename(list[i]));
        BK_CHILD_EQ(bk_copy_seq(inst, list[i], dest, 64 * 1024, NULL), JET_errSuccess);
    }
    if (a->crash_in_truncate) {
        JET_XFAULT f = {.op = JET_XFAULT_UNLINK,
                        .mode = JET_XFAULT_CRASH,
                        .szPathContains = ".log",
                        .cSkip = a->crash_skip};
        BK_CHILD_EQ(JetXFaultSet(&f), JET_errSuccess);
    } else {
        /* Each deletion takes 2 ms, as on a slow disk, so a kill 0-3 ms after "truncating" lands
         * inside the truncation (between deletions) on any disk, tmpfs included. */
        JET_XFAULT slow = {.op = JET_XFAULT_UNLINK, .mode = JET_XFAULT_DELAY, .szPathContains = ".log",
                           .ulDelayMs = 2};
        BK_CHILD_EQ(JetXFaultSet(&slow), JET_errSuccess);
    }
    child_send(a->wfd, MSG_TRUNCATING, 0);
    BK_CHILD_EQ(JetTruncateLogInstance(inst), JET_errSuccess);
    JetXFaultClear();
    child_send(a->wfd, MSG_TRUNCATED, 0);
    BK_CHILD_EQ(JetEndExternalBackupInstance(inst), JET_errSuccess);
    child_send(a->wfd, MSG_ENDED, 0);
    free(list);
}

static void child_main(void *p)
{
    struct child_arg *a = p;
    struct bk_env e;
    struct bk_load load;
    uint64_t rng = a->seed;
    memset(&e, 0, sizeof e);
    memset(&load, 0, sizeof load);
    snprintf(e.dir, sizeof e.dir, "%s", a->dir);
    bk_join(e.dbpath, sizeof e.dbpath, e.dir, BK_DB_FILE);
    struct bk_opts o = {.ckpt_depth = 64 * 1024};
    e.opts = o;
    if (a->create) {
        BK_CHILD_EQ(bk_env_start(&e), JET_errSuccess);
        BK_CHILD_EQ(JetCreateDatabase(e.ses, e.dbpath, NULL, &e.dbid, 0), JET_errSuccess);
        BK_CHILD_EQ(bk_kv_create(e.ses, e.dbid, &e.kv), JET_errSuccess);
    } else {
        BK_CHILD_EQ(bk_env_reopen(&e), JET_errSuccess);
    }
    child_send(a->wfd, MSG_READY, 0);
    load.on_ack = child_ack;
    load.ctx = &a->wfd;
    BK_CHILD_CHECK(bk_load_start(&load, e.inst, e.dbpath, CHILD_THREADS, a->base,
                                 a->base + STRIDE - 1, CHILD_PAUSE_US) == 0);
    JET_DBINFOMISC4 h;
    for (int i = 0;; i++) {
        BK_CHILD_EQ(bk_header(e.dbpath, &h), JET_errSuccess);
        int incremental = h.bkinfoFullPrev.genHigh != 0 && i % 3 != 0;
        child_backup(a, e.inst, incremental, &rng);
        BK_CHILD_CHECK(atomic_load(&load.errors) == 0);
        bk_sleep_ms((long)bk_rand_below(&rng, 20));
    }
}

/* ---- parent
 * ---------------------------------------------------------------------------------------- */
struct crash {
    char root[BK_PATH], live[BK_PATH], dbpath[BK_PATH];
    uint8_t *acked;
    uint32_t max_seq;
    long acked_count;
    long by_phase[9];
    long sigkills, fault_crashes;
};

/* Reads the child's messages for up to timeout_ms (or until it announces `until_phase`); returns
 * the last phase seen, -1 when the child is gone. */
static int pump(struct crash *c, int rfd, int timeout_ms, int until_phase, int *last_phase)
{
    double end = bk_now() + timeout_ms / 1000.0;
    struct msgbuf buf[512];
    for (;;) {
        int left = (int)((end - bk_now()) * 1000);
        if (left <= 0) return 0;
        struct pollfd pfd = {rfd, POLLIN, 0};
        int pr = poll(&pfd, 1, left);
        if (pr <= 0) continue;
        ssize_t n = read(rfd, buf, sizeof buf);
        if (n <= 0) return -1;
        for (ssize_t i = 0; i < n / (ssize_t)sizeof buf[0]; i++) {
            if (buf[i].type == MSG_ACK) {
                if (buf[i].value <= c->max_seq && !c->acked[buf[i].value]) {
                    c->acked[buf[i].value] = 1;
                    c->acked_count++;
                }
            } else {
                *last_phase = (int)buf[i].type;
                if ((int)buf[i].type == until_phase) return 1;
            }
        }
    }
}

/* Reads until the child has closed its end (exited); 0, or -1 after timeout_s. */
static int drain(struct crash *c, int rfd, int *last_phase, double timeout_s)
{
    double end = bk_now() + timeout_s;
    while (pump(c, rfd, 50, -2, last_phase) == 0)
        if (bk_now() > end) return -1;
    return 0;
}

/* Recovers the live directory, checks it, backs it up, restores that and checks the restore. */
static void verify_round(struct crash *c, int round)
{
    struct bk_env e;
    memset(&e, 0, sizeof e);
    snprintf(e.root, sizeof e.root, "%s", c->root);
    snprintf(e.dir, sizeof e.dir, "%s", c->live);
    snprintf(e.dbpath, sizeof e.dbpath, "%s", c->dbpath);
    JET_ERR err = bk_env_reopen(&e);
    if (err < 0) fprintf(stderr, "round %d: recovery failed: %s\n", round, JetXErrorName(err));
    BK_OK(err);
    struct bk_check chk;
    err = bk_verify(e.ses, &e.kv, c->max_seq, c->acked, &chk);
    bk_check_print("recovered", err, &chk);
    BK_OK(err);
    assert_true(bk_check_ok(&chk));
    assert_true(chk.txns >= c->acked_count);
    bk_check_free(&chk);
    JetCloseTable(e.ses, e.kv.t);
    /* The next backup and its restore. */
    char bk[BK_PATH], rst[BK_PATH], rdb[BK_PATH], from[BK_PATH], logs[BK_PATH], verify[BK_PATH];
    bk_join(bk, sizeof bk, c->root, "parent-bk");
    bk_join(rst, sizeof rst, c->root, "parent-restore");
    bk_rmtree(bk);
    bk_rmtree(rst);
    assert_int_equal(bk_mkdir(bk), 0);
    assert_int_equal(bk_mkdir(rst), 0);
    struct bk_run r = {.truncate = 1};
    err = bk_backup_seq(e.inst, bk, &r);
    if (err < 0)
        fprintf(stderr, "round %d: backup failed at %s\n", round, r.failed_at ? r.failed_at : "?");
    BK_OK(err);
    BK_OK(bk_env_term(&e, JET_bitTermComplete));
    bk_join(rdb, sizeof rdb, rst, BK_DB_FILE);
    bk_join(from, sizeof from, bk, BK_DB_FILE);
    bk_join(logs, sizeof logs, rst, "logs");
    bk_join(verify, sizeof verify, rst, "verify");
    assert_int_equal(bk_copy(from, rdb), 0);
    BK_OK(bk_restore(bk, c->dbpath, rdb, &r.li, logs, NULL));
    err = bk_verify_file(verify, rdb, c->max_seq, c->acked, &chk);
    bk_check_print("restored", err, &chk);
    BK_OK(err);
    assert_true(bk_check_ok(&chk));
    bk_check_free(&chk);
}

static void test_kills_during_backup_and_truncation_lose_nothing(void **state)
{
    (void)state;
    long kills = bk_env_long("HOTCOPY_CRASH_KILLS", 30);
    long fault_rounds = kills / 4 > 0 ? kills / 4 : 1;
    long rounds = kills + fault_rounds;
    uint64_t rng = bk_seed("HOTCOPY_CRASH_SEED");
    struct crash c;
    memset(&c, 0, sizeof c);
    assert_int_equal(bk_mkdtemp(c.root, sizeof c.root, "crash"), 0);
    bk_join(c.live, sizeof c.live, c.root, "live");
    bk_join(c.dbpath, sizeof c.dbpath, c.live, BK_DB_FILE);
    assert_int_equal(bk_mkdir(c.live), 0);
    c.max_seq = (uint32_t)((rounds + 1) * STRIDE);
    c.acked = calloc((size_t)c.max_seq + 2, 1);
    assert_non_null(c.acked);
    double started = bk_now();
    long fault_left = fault_rounds;
    for (long round = 0; round < rounds; round++) {
        struct child_arg a;
        memset(&a, 0, sizeof a);
        snprintf(a.dir, sizeof a.dir, "%s", c.live);
        bk_join(a.bkdir, sizeof a.bkdir, c.root, "child-bk");
        assert_int_equal(bk_mkdir(a.bkdir), 0);
        a.base = (uint32_t)(round * STRIDE + 1);
        a.create = round == 0;
        a.seed = bk_rand(&rng);
        /* Spread the fault rounds over the run. */
        a.crash_in_truncate =
            fault_left > 0 && (long)bk_rand_below(&rng, (uint64_t)(rounds - round)) < fault_left;
        a.crash_skip = (unsigned long)bk_rand_below(&rng, 2);
        if (a.crash_in_truncate) fault_left--;
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        a.wfd = fds[1];
        fflush(stderr);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_main(&a);
            _exit(0);
        }
        close(fds[1]);
        int phase = 0;
        int ready = pump(&c, fds[0], 20000, MSG_READY, &phase);
        assert_int_equal(ready, 1);
        int st = 0, killed = 0;
        if (a.crash_in_truncate) {
            /* The child dies inside JetTruncateLog (fault point); wait for it. */
            if (drain(&c, fds[0], &phase, 30) < 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                fprintf(stderr, "round %ld: no crash inside truncation within 30 s\n", round);
                fail();
            }
            assert_int_equal(waitpid(pid, &st, 0), pid);
            if (!(WIFEXITED(st) && WEXITSTATUS(st) == 99)) {
                fprintf(stderr, "round %ld: child status %d (phase %s)\n", round, st,
                        phase_names[phase]);
                fail();
            }
            c.fault_crashes++;
        } else {
            int mode = (int)bk_rand_below(&rng, 3);
            int alive = 1;
            if (mode == 0) {
                alive = pump(&c, fds[0], 20 + (int)bk_rand_below(&rng, 400), -2, &phase) >= 0;
            } else {
                int target = mode == 1 ? MSG_LOG_CALL : MSG_TRUNCATING;
                alive = pump(&c, fds[0], 20000, target, &phase) >= 0;
                struct timespec ts = {0, (long)bk_rand_below(&rng, 3000) * 1000L};
                nanosleep(&ts, NULL);
            }
            if (!alive) {
                waitpid(pid, &st, 0);
                fprintf(stderr, "round %ld: the child ended on its own (status %d, phase %s)\n",
                        round, st, phase_names[phase]);
                fail();
            }
            kill(pid, SIGKILL);
            killed = 1;
            assert_int_equal(drain(&c, fds[0], &phase, 30), 0);
            assert_int_equal(waitpid(pid, &st, 0), pid);
            if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)) {
                fprintf(stderr, "round %ld: child status %d (phase %s)\n", round, st,
                        phase_names[phase]);
                fail();
            }
            c.sigkills++;
        }
        close(fds[0]);
        if (killed && phase >= 0 && phase < 9) c.by_phase[phase]++;
        verify_round(&c, (int)round);
    }
    double took = bk_now() - started;
    fprintf(stderr,
            "[ info     ] %ld SIGKILLs (after: starting %ld, begin %ld, databases copied %ld, log "
            "call %ld, "
            "truncating %ld, truncated %ld, ended %ld), %ld crashes inside truncation; %ld "
            "transactions "
            "acknowledged; %.1f s\n",
            c.sigkills, c.by_phase[MSG_READY], c.by_phase[MSG_BEGIN], c.by_phase[MSG_DB_COPIED],
            c.by_phase[MSG_LOG_CALL], c.by_phase[MSG_TRUNCATING], c.by_phase[MSG_TRUNCATED],
            c.by_phase[MSG_ENDED], c.fault_crashes, c.acked_count, took);
    assert_int_equal(c.sigkills, kills);
    assert_true(c.by_phase[MSG_TRUNCATING] > 0 || kills < 10);
    free(c.acked);
    if (!getenv("BK_KEEP")) bk_rmtree(c.root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kills_during_backup_and_truncation_lose_nothing),
    };
    return cmocka_run_group_tests_name("backup_crash", tests, NULL, NULL);
}
