/*
 * test_crash.c — durability under process death: a child process initialises the instance (soft
 * recovery runs), verifies the table against what the parent knows, then commits transactions and
 * reports each acknowledged commit through a pipe; the parent kills it at random moments and the
 * next child recovers and verifies.
 *
 * Transaction t inserts K(t) = 1..5 records (keys t*8+j; a quarter of them longer than a page, so
 * long values and their page chains are exercised), deletes the records of transaction t-40, and
 * sets the meta record (key -1) to t. After recovery the meta record names the last committed
 * transaction X, and the table must hold exactly the records of transactions X-39..X, each
 * complete and with its content. The parent checks X against its knowledge: every acknowledged
 * transaction is there (X >= last ack) and nothing beyond the one commit that may have been in
 * flight (X <= last ack + 1); the child checks that no transaction is half there.
 *
 * Deaths, chosen per cycle by the seed:
 *   SIGKILL at a random moment (after a random number of acks plus up to 3 ms, or 0-15 ms after
 *   start, i.e. possibly during recovery) — most cycles;
 *   _exit inside a database page write (JET_XFAULT_CRASH): in the middle of a checkpoint's flush;
 *   a torn database page write: half of it stored, then death inside it (JET_XFAULT_TORN_EXIT);
 *   _exit inside the checkpoint file write;
 *   _exit at a generation switch (the rename of edb.log to its archive name, or of the spare to
 *   edb.log);
 *   a torn log write and death at the fdatasync that follows it (so the torn commit is never
 *   acknowledged, as with a real power loss).
 * Small log files (128 KiB) and JET_paramCheckpointDepthMax 64 KiB make switches and checkpoints
 * frequent.
 *
 * HOTCOPY_CRASH_KILLS sets the number of deaths (default 200: about 25 s, 70 s under ASan);
 * HOTCOPY_CRASH_SEED replays a run (the seed is printed); HOTCOPY_CRASH_TRACE=1 prints every
 * cycle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/jetfx.h"

#define DEFAULT_KILLS 200

#define KEEP 40            /* transaction t deletes transaction t - KEEP */
#define META_KEY (-1L)
#define BIG_MIN 9000
#define BIG_SPAN 21000
#define DB_FILE "crash.edb"

enum msg_type { MSG_VERIFIED = 1, MSG_ACK = 2 };
struct msg {
    int32_t type;
    int32_t value;
};

enum death {
    DEATH_KILL,          /* SIGKILL from the parent */
    DEATH_DB_WRITE,      /* _exit in a database page write */
    DEATH_DB_TORN,       /* half a database page written, _exit inside the write */
    DEATH_CKPT_WRITE,    /* _exit in the checkpoint file write */
    DEATH_SWITCH,        /* _exit in a generation switch's rename */
    DEATH_LOG_TORN,      /* torn log write, _exit in its fdatasync */
    DEATH_NONE,          /* final verification: no death, clean term */
    DEATH_KINDS
};
static const char *const death_names[DEATH_KINDS] = {"sigkill",  "db-write", "db-torn", "ckpt-write",
                                                     "gen-switch", "log-torn", "none"};

struct child_cfg {
    char dir[TFX_PATH_MAX];
    long acked;   /* transactions 1..acked are acknowledged */
    int maybe;    /* transaction acked + 1 may have committed */
    int death;
    unsigned long skip;
    int variant;
};

/* ---- the deterministic workload ------------------------------------------------------------------- */
static uint64_t h(uint64_t a, uint64_t b)
{
    uint64_t s = a * 0x9E3779B97F4A7C15ull ^ b;
    return tfx_rand(&s);
}
static int records_of(long t) { return 1 + (int)(h((uint64_t)t, 1) % 5); }
static long key_of(long t, int j) { return t * 8 + j; }
static unsigned long len_of(long t, int j)
{
    uint64_t x = h((uint64_t)t, 100 + (uint64_t)j);
    return x % 4 == 0 ? BIG_MIN + (unsigned long)(x >> 8) % BIG_SPAN : 20 + (unsigned long)(x >> 8) % 600;
}

/* ---- the child -------------------------------------------------------------------------------------- */
struct child {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID db;
    struct tfx_kv kv;
    unsigned char buf[BIG_MIN + BIG_SPAN];
    unsigned char want[BIG_MIN + BIG_SPAN];
};

#define CHILD_JET(call)                                                                            \
    do {                                                                                           \
        JET_ERR e_ = (call);                                                                       \
        if (e_ < 0) {                                                                              \
            fprintf(stderr, "crash child: %s failed: %s (%ld)\n", #call, JetXErrorName(e_), (long)e_); \
            _exit(2);                                                                              \
        }                                                                                          \
    } while (0)

static long child_verify(struct child *c, const struct child_cfg *cfg)
{
    int32_t meta = -1;
    unsigned long cb = 0;
    CHILD_JET(tfx_kv_get(c->ses, &c->kv, META_KEY, &meta, sizeof meta, &cb));
    TFX_CHILD_EQ(cb, sizeof meta);
    long x = meta;
    if (x < cfg->acked) {
        fprintf(stderr, "crash child: acknowledged transaction %ld lost (meta says %ld)\n", cfg->acked, x);
        _exit(1);
    }
    if (x > cfg->acked + (cfg->maybe ? 1 : 0)) {
        fprintf(stderr, "crash child: transaction %ld present, only %ld acknowledged (maybe %d)\n", x, cfg->acked,
                cfg->maybe);
        _exit(1);
    }
    long lo = x - KEEP + 1 < 1 ? 1 : x - KEEP + 1;
    int counts[KEEP] = {0};
    JET_ERR err = JetMove(c->ses, c->kv.t, JET_MoveFirst, 0);
    for (; err >= 0; err = JetMove(c->ses, c->kv.t, JET_MoveNext, 0)) {
        long k = tfx_current_long(c->ses, c->kv.t, c->kv.k);
        if (k == META_KEY) continue;
        long t = k / 8;
        int j = (int)(k % 8);
        if (t < lo || t > x || j >= records_of(t)) {
            fprintf(stderr, "crash child: record %ld (transaction %ld) should not exist; last committed %ld\n", k, t, x);
            _exit(1);
        }
        unsigned long len = len_of(t, j);
        CHILD_JET(JetRetrieveColumn(c->ses, c->kv.t, c->kv.v, c->buf, sizeof c->buf, &cb, 0, NULL));
        tfx_fill(c->want, len, (uint64_t)t, (uint64_t)j);
        if (cb != len || memcmp(c->buf, c->want, len) != 0) {
            fprintf(stderr, "crash child: record %ld has wrong content (%lu bytes, expected %lu)\n", k, cb, len);
            _exit(1);
        }
        counts[t - lo]++;
    }
    TFX_CHILD_EQ(err, JET_errNoCurrentRecord);
    for (long t = lo; t <= x; t++)
        if (counts[t - lo] != records_of(t)) {
            fprintf(stderr, "crash child: transaction %ld has %d of its %d records (last committed %ld)\n", t,
                    counts[t - lo], records_of(t), x);
            _exit(1);
        }
    return x;
}

static void child_commit(struct child *c, long t)
{
    int32_t meta = (int32_t)t;
    CHILD_JET(JetBeginTransaction(c->ses));
    for (int j = 0; j < records_of(t); j++) {
        unsigned long len = len_of(t, j);
        tfx_fill(c->buf, len, (uint64_t)t, (uint64_t)j);
        CHILD_JET(tfx_kv_insert(c->ses, &c->kv, key_of(t, j), c->buf, len));
    }
    long old = t - KEEP;
    if (old >= 1)
        for (int j = 0; j < records_of(old); j++) CHILD_JET(tfx_kv_delete(c->ses, &c->kv, key_of(old, j)));
    CHILD_JET(tfx_kv_replace(c->ses, &c->kv, META_KEY, &meta, sizeof meta));
    CHILD_JET(JetCommitTransaction(c->ses, 0));
}

static void arm(unsigned long op, unsigned long mode, const char *path, unsigned long skip)
{
    JET_XFAULT f = {op, mode, path, skip, 1, EIO, 0};
    CHILD_JET(JetXFaultSet(&f));
}

static void arm_death(const struct child_cfg *cfg)
{
    switch (cfg->death) {
    case DEATH_DB_WRITE: arm(JET_XFAULT_WRITE, JET_XFAULT_CRASH, DB_FILE, cfg->skip); break;
    case DEATH_DB_TORN:
        /* A torn write is a power loss: the process dies inside it. (A torn write reported as a
         * success, with the process going on, lets a checkpoint be recorded after it, which no
         * real machine does, and leaves a torn page no redo covers.) */
        arm(JET_XFAULT_WRITE, JET_XFAULT_TORN_EXIT, DB_FILE, cfg->skip);
        break;
    case DEATH_CKPT_WRITE: arm(JET_XFAULT_WRITE, JET_XFAULT_CRASH, "edb.chk", cfg->skip); break;
    case DEATH_SWITCH: arm(JET_XFAULT_RENAME, JET_XFAULT_CRASH, cfg->variant ? "edb.log" : "edb0", cfg->skip); break;
    case DEATH_LOG_TORN:
        /* Each log flush is one write and one fdatasync of edb.log: the skip-th write is torn and
         * the process dies in the fdatasync after it, before the commit could be acknowledged. */
        arm(JET_XFAULT_WRITE, JET_XFAULT_TORN, "edb.log", cfg->skip);
        arm(JET_XFAULT_FSYNC, JET_XFAULT_CRASH, "edb.log", cfg->skip);
        break;
    default: break;
    }
}

/* Error events (a recovery that fails says why) go to the test log. */
static void on_event(const JET_XEVENT *ev, void *ctx)
{
    (void)ctx;
    if (ev->level == JET_XEVENT_ERROR) fprintf(stderr, "crash child: event %lu: %s\n", ev->ulEventId, ev->szMessage);
}

static void child_main(int wfd, void *arg)
{
    const struct child_cfg *cfg = arg;
    JetXSetEventCallback(on_event, NULL);
    struct child *c = calloc(1, sizeof *c);
    char dbpath[TFX_PATH_MAX + 16];
    TFX_CHILD_CHECK(c != NULL);
    snprintf(dbpath, sizeof dbpath, "%s/%s", cfg->dir, DB_FILE);
    CHILD_JET(JetCreateInstance(&c->inst, "crash"));
    CHILD_JET(tfx_set_params(&c->inst, cfg->dir));
    CHILD_JET(JetSetSystemParameter(&c->inst, 0, JET_paramCheckpointDepthMax, 65536, NULL));
    CHILD_JET(JetInit(&c->inst));
    CHILD_JET(JetBeginSession(c->inst, &c->ses, NULL, NULL));
    CHILD_JET(JetAttachDatabase(c->ses, dbpath, 0));
    CHILD_JET(JetOpenDatabase(c->ses, dbpath, NULL, &c->db, 0));
    CHILD_JET(tfx_kv_open(c->ses, c->db, "t", &c->kv));
    long x = child_verify(c, cfg);
    struct msg m = {MSG_VERIFIED, (int32_t)x};
    tfx_child_send(wfd, &m, sizeof m);
    if (cfg->death == DEATH_NONE) {
        CHILD_JET(JetEndSession(c->ses, 0));
        CHILD_JET(JetTerm(c->inst));
        free(c);
        return;
    }
    arm_death(cfg);
    for (long t = x + 1;; t++) {
        child_commit(c, t);
        m = (struct msg){MSG_ACK, (int32_t)t};
        tfx_child_send(wfd, &m, sizeof m);
    }
}

/* ---- the parent ------------------------------------------------------------------------------------ */
struct parent {
    uint64_t seed, rnd;
    long acked;
    int maybe;
    long kills[DEATH_KINDS];
    long acks_total, verified;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Applies one message; 0 when it is consistent with what the parent knows. */
static int take(struct parent *p, const struct msg *m, int *verified, long *acks)
{
    if (m->type == MSG_VERIFIED) {
        if (m->value < p->acked || m->value > p->acked + (p->maybe ? 1 : 0)) return -1;
        p->acked = m->value;
        p->maybe = 0;
        *verified = 1;
        p->verified++;
        return 0;
    }
    if (m->type == MSG_ACK && *verified && m->value == p->acked + 1) {
        p->acked = m->value;
        (*acks)++;
        p->acks_total++;
        return 0;
    }
    return -1;
}

static void run_cycle(struct parent *p, const char *dir, int death)
{
    struct child_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.dir, sizeof cfg.dir, "%s", dir);
    cfg.acked = p->acked;
    cfg.maybe = p->maybe;
    cfg.death = death;
    cfg.skip = (unsigned long)tfx_rand_below(&p->rnd, death == DEATH_DB_WRITE || death == DEATH_DB_TORN ? 12 : 3);
    if (death == DEATH_LOG_TORN) cfg.skip = (unsigned long)tfx_rand_below(&p->rnd, 8);
    cfg.variant = (int)tfx_rand_below(&p->rnd, 2);
    int early = death == DEATH_KILL && tfx_rand_below(&p->rnd, 7) == 0;
    long target = (long)tfx_rand_below(&p->rnd, 12);
    int64_t extra = (int64_t)tfx_rand_below(&p->rnd, 3000);
    int64_t start = now_us(), early_at = start + (int64_t)tfx_rand_below(&p->rnd, 15000);
    int64_t give_up = start + 8000000; /* a fault that is never reached: kill after 8 s */

    struct tfx_child c;
    assert_int_equal(tfx_child_start(&c, child_main, &cfg), 0);
    int verified = 0, killed = 0, exited = 0;
    long acks = 0;
    struct msg m;
    while (!killed && !exited) {
        int64_t now = now_us();
        int64_t until = early ? early_at : give_up;
        if (death == DEATH_NONE) until = start + 60000000;
        if (now >= until) {
            if (death == DEATH_NONE) fail_msg("the verification child did not finish (seed %llu)", (unsigned long long)p->seed);
            kill(c.pid, SIGKILL);
            killed = 1;
            break;
        }
        int r = tfx_child_read(&c, &m, sizeof m, (int)((until - now) / 1000) + 1);
        if (r == 0) {
            exited = 1;
        } else if (r == 1) {
            if (take(p, &m, &verified, &acks) != 0)
                fail_msg("crash test (HOTCOPY_CRASH_SEED=%llu): child reported %s %d; acknowledged %ld, maybe %d",
                         (unsigned long long)p->seed, m.type == MSG_VERIFIED ? "verified" : "ack", m.value, p->acked,
                         p->maybe);
            if (death == DEATH_KILL && !early && verified && acks >= target) {
                int64_t until_kill = now_us() + extra;
                while (now_us() < until_kill) {
                    int rr = tfx_child_read(&c, &m, sizeof m, 1);
                    if (rr == 1 && take(p, &m, &verified, &acks) != 0)
                        fail_msg("crash test (HOTCOPY_CRASH_SEED=%llu): bad report", (unsigned long long)p->seed);
                    if (rr == 0) {
                        exited = 1;
                        break;
                    }
                }
                if (!exited) {
                    kill(c.pid, SIGKILL);
                    killed = 1;
                }
            }
        }
    }
    /* Reports written before the death still count. */
    int r;
    while ((r = tfx_child_read(&c, &m, sizeof m, 5000)) == 1)
        if (take(p, &m, &verified, &acks) != 0)
            fail_msg("crash test (HOTCOPY_CRASH_SEED=%llu): bad report after death", (unsigned long long)p->seed);
    int code = tfx_child_wait(&c);
    if (death == DEATH_NONE) {
        if (code != 0 || !verified)
            fail_msg("crash test (HOTCOPY_CRASH_SEED=%llu): final verification failed (exit %d)", (unsigned long long)p->seed,
                     code);
        return;
    }
    if (tfx_env_long("HOTCOPY_CRASH_TRACE", 0))
        print_message("cycle: death %s skip %lu variant %d early %d -> exit %d, verified %d, %ld acks, acked %ld\n",
                      death_names[death], cfg.skip, cfg.variant, early, code, verified, acks, p->acked);
    if (code != 128 + SIGKILL && code != 99)
        fail_msg("crash test (HOTCOPY_CRASH_SEED=%llu): child exited with %d after %ld acks (death %s); see its "
                 "message above",
                 (unsigned long long)p->seed, code, acks, death_names[death]);
    /* A commit may have been in flight when it died (only after it started committing). */
    if (verified) p->maybe = 1;
    p->kills[death]++;
}

static int pick_death(struct parent *p)
{
    uint64_t x = tfx_rand_below(&p->rnd, 100);
    if (x < 50) return DEATH_KILL;
    if (x < 64) return DEATH_DB_WRITE;
    if (x < 74) return DEATH_DB_TORN;
    if (x < 80) return DEATH_CKPT_WRITE;
    if (x < 90) return DEATH_SWITCH;
    return DEATH_LOG_TORN;
}

static void create_database(const char *dir)
{
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID db;
    struct tfx_kv kv;
    char dbpath[TFX_PATH_MAX + 16], name[64];
    int32_t zero = 0;
    snprintf(dbpath, sizeof dbpath, "%s/%s", dir, DB_FILE);
    assert_int_equal(tfx_instance_create(&inst, name, sizeof name, "crash-setup", dir), JET_errSuccess);
    assert_int_equal(JetInit(&inst), JET_errSuccess);
    assert_int_equal(JetBeginSession(inst, &ses, NULL, NULL), JET_errSuccess);
    assert_int_equal(JetCreateDatabase(ses, dbpath, NULL, &db, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_create(ses, db, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(ses, &kv, META_KEY, &zero, sizeof zero), JET_errSuccess);
    assert_int_equal(JetEndSession(ses, 0), JET_errSuccess);
    assert_int_equal(JetTerm(inst), JET_errSuccess);
}

static void test_every_acknowledged_commit_survives_random_deaths(void **state)
{
    (void)state;
    struct parent p;
    char dir[TFX_PATH_MAX];
    memset(&p, 0, sizeof p);
    p.seed = tfx_seed("HOTCOPY_CRASH_SEED");
    p.rnd = p.seed;
    long kills = tfx_env_long("HOTCOPY_CRASH_KILLS", DEFAULT_KILLS);
    print_message("crash seed: %llu (HOTCOPY_CRASH_SEED replays it), %ld deaths\n", (unsigned long long)p.seed, kills);
    assert_int_equal(tfx_mkdtemp(dir, sizeof dir, "crash"), 0);
    create_database(dir);
    int64_t t0 = now_us();
    for (long i = 0; i < kills; i++) run_cycle(&p, dir, pick_death(&p));
    run_cycle(&p, dir, DEATH_NONE);
    double secs = (double)(now_us() - t0) / 1e6;
    print_message("%ld deaths in %.1f s (%.0f ms each): ", kills, secs, kills ? secs * 1000 / (double)kills : 0.0);
    for (int d = 0; d < DEATH_NONE; d++) print_message("%s %ld%s", death_names[d], p.kills[d], d + 1 < DEATH_NONE ? ", " : "");
    print_message("; %ld acknowledged commits, %ld recoveries verified, last transaction %ld\n", p.acks_total,
                  p.verified, p.acked);
    assert_true(p.acks_total > 0);
    tfx_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_acknowledged_commit_survives_random_deaths),
    };
    return cmocka_run_group_tests_name("crash", tests, NULL, NULL);
}
