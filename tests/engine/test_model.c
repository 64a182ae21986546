/*
 * test_model.c — a seeded random sequence of inserts, replaces, deletes, seeks, moves and nested
 * transactions (commit and rollback) run against libjet and against an in-memory model of the
 * table, compared after every commit and rollback, after a clean restart (JetTerm + JetInit +
 * attach) and after a crash (JetTerm2 JET_bitTermDirty) and soft recovery, where everything
 * committed durably must be there and nothing else.
 *
 * The model: keys 0..NKEYS-1, each absent or holding a value fully determined by (tag, length)
 * (tfx_fill), so comparing a record costs one regeneration. Each transaction level keeps a copy of
 * the model as it was when the level began: a rollback restores it, an inner commit drops it.
 * A second session compares its view with the committed model while transactions are open (it
 * must never see uncommitted data).
 *
 * HOTCOPY_MODEL_SEED replays a run (the seed is printed at the start and in every failure);
 * HOTCOPY_MODEL_OPS sets the number of operations (default 5000); HOTCOPY_MODEL_TRACE=1 prints
 * each operation (to find the first wrong step of a failing seed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/jetfx.h"

#define NKEYS 300
#define MAX_LEVEL 4
#define VMAX 70000

struct mval {
    int present;
    uint32_t len;
    uint64_t tag;
};

struct model {
    struct mval v[NKEYS];
};

struct run {
    struct tfx_env *e;
    struct tfx_kv kv;
    JET_SESID other;
    JET_DBID other_db;
    struct tfx_kv other_kv;
    uint64_t seed, rnd;
    long op;
    int level;
    struct model cur;                    /* what the session sees */
    struct model committed;              /* what is committed */
    struct model saved[MAX_LEVEL + 1];   /* cur when level i began (1-based) */
    int lazy_pending;                    /* a lazy commit since the last durable one */
    uint64_t next_tag;
    unsigned char *want, *got;
    int trace;
};

#define TRACE(r, ...)                                                                              \
    do {                                                                                           \
        if ((r)->trace) {                                                                          \
            printf("op %ld L%d: ", (r)->op, (r)->level);                                           \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

#define MODEL_FAIL(r, ...)                                                                         \
    do {                                                                                           \
        char msg_[512];                                                                            \
        snprintf(msg_, sizeof msg_, __VA_ARGS__);                                                  \
        fail_msg("model mismatch (HOTCOPY_MODEL_SEED=%llu, op %ld, level %d): %s",                 \
                 (unsigned long long)(r)->seed, (r)->op, (r)->level, msg_);                        \
    } while (0)

#define MODEL_EXPECT(r, call, want_err)                                                            \
    do {                                                                                           \
        JET_ERR got_ = (call);                                                                     \
        if (got_ != (JET_ERR)(want_err))                                                           \
            MODEL_FAIL(r, "%s returned %s, expected %s", #call, JetXErrorName(got_),               \
                       JetXErrorName(want_err));                                                   \
    } while (0)

static uint32_t pick_len(struct run *r)
{
    uint64_t x = tfx_rand_below(&r->rnd, 100);
    if (x < 10) return 0;
    if (x < 80) return (uint32_t)tfx_rand_below(&r->rnd, 300);
    if (x < 96) return 1000 + (uint32_t)tfx_rand_below(&r->rnd, 6000);
    return 20000 + (uint32_t)tfx_rand_below(&r->rnd, VMAX - 20000);
}

/* ---- comparing ------------------------------------------------------------------------------------ */
/* The current record of (ses, t) against the model's key k. */
static void check_current(struct run *r, JET_SESID ses, const struct tfx_kv *kv, const struct model *m, long k)
{
    long got_k = tfx_current_long(ses, kv->t, kv->k);
    if (got_k != k) MODEL_FAIL(r, "cursor on key %ld, expected %ld", got_k, k);
    const struct mval *mv = &m->v[k];
    unsigned long cb = 0;
    JET_ERR err = JetRetrieveColumn(ses, kv->t, kv->v, r->got, VMAX, &cb, 0, NULL);
    if (mv->len == 0) {
        if (err != JET_wrnColumnNull) MODEL_FAIL(r, "key %ld: expected NULL, got %s (%lu bytes)", k, JetXErrorName(err), cb);
        return;
    }
    if (err != JET_errSuccess || cb != mv->len)
        MODEL_FAIL(r, "key %ld: %s, %lu bytes, expected %u", k, JetXErrorName(err), cb, mv->len);
    tfx_fill(r->want, mv->len, mv->tag, (uint64_t)k);
    if (memcmp(r->want, r->got, mv->len) != 0) MODEL_FAIL(r, "key %ld: content differs", k);
}

/* A full scan of (ses, kv) equals model m. */
static void compare_all(struct run *r, JET_SESID ses, const struct tfx_kv *kv, const struct model *m, const char *when)
{
    long k = -1;
    JET_ERR err = JetMove(ses, kv->t, JET_MoveFirst, 0);
    for (;;) {
        long next = k + 1;
        while (next < NKEYS && !m->v[next].present) next++;
        if (next >= NKEYS) {
            if (err != JET_errNoCurrentRecord)
                MODEL_FAIL(r, "%s: extra record %ld after the last (%s)", when,
                           err >= 0 ? tfx_current_long(ses, kv->t, kv->k) : -1, JetXErrorName(err));
            return;
        }
        if (err < 0) MODEL_FAIL(r, "%s: scan ended (%s) before key %ld", when, JetXErrorName(err), next);
        check_current(r, ses, kv, m, next);
        k = next;
        err = JetMove(ses, kv->t, JET_MoveNext, 0);
    }
}

static void compare_views(struct run *r, const char *when)
{
    compare_all(r, r->e->ses, &r->kv, &r->cur, when);
    compare_all(r, r->other, &r->other_kv, &r->committed, "other session");
}

/* ---- operations ----------------------------------------------------------------------------------- */
static void op_insert(struct run *r)
{
    long k = (long)tfx_rand_below(&r->rnd, NKEYS);
    struct mval nv = {1, pick_len(r), r->next_tag++};
    tfx_fill(r->want, nv.len, nv.tag, (uint64_t)k);
    TRACE(r, "insert %ld len %u", k, nv.len);
    JET_ERR err = tfx_kv_insert(r->e->ses, &r->kv, k, r->want, nv.len);
    if (r->cur.v[k].present) {
        if (err != JET_errKeyDuplicate) MODEL_FAIL(r, "insert of existing %ld: %s", k, JetXErrorName(err));
        return;
    }
    if (err != JET_errSuccess) MODEL_FAIL(r, "insert %ld: %s", k, JetXErrorName(err));
    r->cur.v[k] = nv;
    if (r->level == 0) r->committed.v[k] = nv;
}

static void op_replace(struct run *r)
{
    long k = (long)tfx_rand_below(&r->rnd, NKEYS);
    TRACE(r, "replace %ld", k);
    if (!r->cur.v[k].present) {
        MODEL_EXPECT(r, tfx_kv_seek(r->e->ses, &r->kv, k), JET_errRecordNotFound);
        return;
    }
    struct mval nv = {1, pick_len(r), r->next_tag++};
    tfx_fill(r->want, nv.len, nv.tag, (uint64_t)k);
    MODEL_EXPECT(r, tfx_kv_seek(r->e->ses, &r->kv, k), JET_errSuccess);
    MODEL_EXPECT(r, JetPrepareUpdate(r->e->ses, r->kv.t, r->level ? JET_prepReplace : JET_prepReplaceNoLock),
                 JET_errSuccess);
    /* NULL when empty: set NULL explicitly (a replace keeps the old value otherwise). */
    MODEL_EXPECT(r, JetSetColumn(r->e->ses, r->kv.t, r->kv.v, nv.len ? r->want : NULL, nv.len, 0, NULL), JET_errSuccess);
    MODEL_EXPECT(r, JetUpdate(r->e->ses, r->kv.t, NULL, 0, NULL), JET_errSuccess);
    r->cur.v[k] = nv;
    if (r->level == 0) r->committed.v[k] = nv;
    /* A replace leaves the cursor on the record. */
    check_current(r, r->e->ses, &r->kv, &r->cur, k);
}

static void op_delete(struct run *r)
{
    long k = (long)tfx_rand_below(&r->rnd, NKEYS);
    TRACE(r, "delete %ld", k);
    JET_ERR err = tfx_kv_delete(r->e->ses, &r->kv, k);
    if (!r->cur.v[k].present) {
        if (err != JET_errRecordNotFound) MODEL_FAIL(r, "delete of absent %ld: %s", k, JetXErrorName(err));
        return;
    }
    if (err != JET_errSuccess) MODEL_FAIL(r, "delete %ld: %s", k, JetXErrorName(err));
    r->cur.v[k].present = 0;
    if (r->level == 0) r->committed.v[k].present = 0;
}

/* The model's answer to a seek: the key, or -1. */
static long model_seek(const struct model *m, long k, JET_GRBIT how)
{
    switch (how) {
    case JET_bitSeekEQ: return m->v[k].present ? k : -1;
    case JET_bitSeekGE:
    case JET_bitSeekGT:
        for (long x = how == JET_bitSeekGE ? k : k + 1; x < NKEYS; x++)
            if (m->v[x].present) return x;
        return -1;
    default:
        for (long x = how == JET_bitSeekLE ? k : k - 1; x >= 0; x--)
            if (m->v[x].present) return x;
        return -1;
    }
}

static void op_seek_and_move(struct run *r)
{
    static const JET_GRBIT hows[] = {JET_bitSeekEQ, JET_bitSeekGE, JET_bitSeekGT, JET_bitSeekLE, JET_bitSeekLT};
    JET_GRBIT how = hows[tfx_rand_below(&r->rnd, 5)];
    long k = (long)tfx_rand_below(&r->rnd, NKEYS);
    int32_t k32 = (int32_t)k;
    TRACE(r, "seek %ld grbit %lu", k, how);
    MODEL_EXPECT(r, JetMakeKey(r->e->ses, r->kv.t, &k32, 4, JET_bitNewKey), JET_errSuccess);
    JET_ERR err = JetSeek(r->e->ses, r->kv.t, how);
    long want = model_seek(&r->cur, k, how);
    if (want < 0) {
        if (err != JET_errRecordNotFound) MODEL_FAIL(r, "seek %ld (grbit %lu): %s, expected not found", k, how, JetXErrorName(err));
        return;
    }
    if (err < 0) MODEL_FAIL(r, "seek %ld (grbit %lu): %s, expected key %ld", k, how, JetXErrorName(err), want);
    if ((how == JET_bitSeekGE || how == JET_bitSeekLE) && err != (want == k ? JET_errSuccess : JET_wrnSeekNotEqual))
        MODEL_FAIL(r, "seek %ld (grbit %lu) on %ld returned %s", k, how, want, JetXErrorName(err));
    check_current(r, r->e->ses, &r->kv, &r->cur, want);
    /* A few moves from there. */
    long pos = want;
    int steps = (int)tfx_rand_below(&r->rnd, 6);
    for (int i = 0; i < steps; i++) {
        int dir = tfx_rand_below(&r->rnd, 2) ? 1 : -1;
        TRACE(r, "  move %d", dir);
        long next = pos + dir;
        while (next >= 0 && next < NKEYS && !r->cur.v[next].present) next += dir;
        err = JetMove(r->e->ses, r->kv.t, dir, 0);
        if (next < 0 || next >= NKEYS) {
            if (err != JET_errNoCurrentRecord) MODEL_FAIL(r, "move %d from %ld past the end: %s", dir, pos, JetXErrorName(err));
            return;
        }
        if (err != JET_errSuccess) MODEL_FAIL(r, "move %d from %ld: %s, expected %ld", dir, pos, JetXErrorName(err), next);
        check_current(r, r->e->ses, &r->kv, &r->cur, next);
        pos = next;
    }
}

static void op_begin(struct run *r)
{
    if (r->level >= MAX_LEVEL) return;
    TRACE(r, "begin");
    MODEL_EXPECT(r, JetBeginTransaction(r->e->ses), JET_errSuccess);
    r->level++;
    r->saved[r->level] = r->cur;
}

static void op_commit(struct run *r)
{
    if (r->level == 0) return;
    int lazy = r->level == 1 && tfx_rand_below(&r->rnd, 3) == 0;
    TRACE(r, "commit%s", lazy ? " lazy" : "");
    MODEL_EXPECT(r, JetCommitTransaction(r->e->ses, lazy ? JET_bitCommitLazyFlush : 0), JET_errSuccess);
    r->level--;
    if (r->level == 0) {
        r->committed = r->cur;
        r->lazy_pending = lazy;
        compare_views(r, "after commit");
    }
}

static void op_rollback(struct run *r)
{
    if (r->level == 0) return;
    TRACE(r, "rollback");
    MODEL_EXPECT(r, JetRollback(r->e->ses, 0), JET_errSuccess);
    r->cur = r->saved[r->level];
    r->level--;
    compare_views(r, "after rollback");
}

/* ---- restarts ------------------------------------------------------------------------------------- */
static void reopen_tables(struct run *r)
{
    MODEL_EXPECT(r, tfx_kv_open(r->e->ses, r->e->dbid, "t", &r->kv), JET_errSuccess);
    MODEL_EXPECT(r, JetBeginSession(r->e->inst, &r->other, NULL, NULL), JET_errSuccess);
    MODEL_EXPECT(r, JetOpenDatabase(r->other, r->e->dbpath, NULL, &r->other_db, 0), JET_errSuccess);
    MODEL_EXPECT(r, tfx_kv_open(r->other, r->other_db, "t", &r->other_kv), JET_errSuccess);
}

static void restart(struct run *r, int crash)
{
    TRACE(r, "%s", crash ? "crash" : "restart");
    if (crash && r->lazy_pending) {
        /* Make the lazy commits durable with a durable one (an insert or a delete of key 0), in
         * a transaction of its own: open ones are dropped first (a crash would lose them). */
        if (r->level) {
            MODEL_EXPECT(r, JetRollback(r->e->ses, JET_bitRollbackAll), JET_errSuccess);
            r->level = 0;
            r->cur = r->committed;
        }
        op_begin(r);
        if (r->cur.v[0].present) {
            MODEL_EXPECT(r, tfx_kv_delete(r->e->ses, &r->kv, 0), JET_errSuccess);
            r->cur.v[0].present = 0;
        } else {
            tfx_fill(r->want, 1, 0, 0); /* the value model entry {1, 1, tag 0} stands for */
            MODEL_EXPECT(r, tfx_kv_insert(r->e->ses, &r->kv, 0, r->want, 1), JET_errSuccess);
            r->cur.v[0] = (struct mval){1, 1, 0};
        }
        MODEL_EXPECT(r, JetCommitTransaction(r->e->ses, 0), JET_errSuccess);
        r->level--;
        r->committed = r->cur;
    }
    JetEndSession(r->other, 0);
    /* Open transactions are lost either way. */
    MODEL_EXPECT(r, tfx_env_term(r->e, crash ? JET_bitTermDirty : JET_bitTermComplete), JET_errSuccess);
    r->level = 0;
    r->cur = r->committed;
    r->lazy_pending = 0;
    MODEL_EXPECT(r, tfx_env_reopen(r->e, 1), JET_errSuccess);
    reopen_tables(r);
    compare_views(r, crash ? "after crash recovery" : "after restart");
}

static void test_random_operations_match_the_model(void **state)
{
    struct run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->e = *state;
    r->seed = tfx_seed("HOTCOPY_MODEL_SEED");
    r->rnd = r->seed;
    r->next_tag = 1;
    r->want = malloc(VMAX);
    r->got = malloc(VMAX);
    assert_non_null(r->want);
    assert_non_null(r->got);
    long ops = tfx_env_long("HOTCOPY_MODEL_OPS", 5000);
    r->trace = tfx_env_long("HOTCOPY_MODEL_TRACE", 0) != 0;
    print_message("model seed: %llu (HOTCOPY_MODEL_SEED replays it), %ld operations\n", (unsigned long long)r->seed,
                  ops);
    assert_int_equal(tfx_kv_create(r->e->ses, r->e->dbid, "t", &r->kv), JET_errSuccess);
    assert_int_equal(JetCloseTable(r->e->ses, r->kv.t), JET_errSuccess);
    reopen_tables(r);
    for (r->op = 0; r->op < ops; r->op++) {
        uint64_t x = tfx_rand_below(&r->rnd, 1000);
        if (x < 90)
            op_begin(r);
        else if (x < 170)
            op_commit(r);
        else if (x < 220)
            op_rollback(r);
        else if (x < 470)
            op_insert(r);
        else if (x < 640)
            op_replace(r);
        else if (x < 760)
            op_delete(r);
        else if (x < 995)
            op_seek_and_move(r);
        else
            restart(r, tfx_rand_below(&r->rnd, 2) == 0);
    }
    /* End with both kinds of restart, whatever the dice said. */
    restart(r, 0);
    restart(r, 1);
    JetEndSession(r->other, 0);
    free(r->want);
    free(r->got);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_random_operations_match_the_model, tfx_setup_db, tfx_teardown),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
