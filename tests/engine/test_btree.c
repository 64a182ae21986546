/*
 * test_btree.c — the B+tree (engine/src/btree.c, space.c, mtr.c) driven directly through its
 * internal interface, in a database of 4 KiB pages of an instance without logging (recovery
 * "Off"), so splits, merges and long-value chains happen often and cheaply.
 *
 * Proves: 100,000 keys inserted in random order, half deleted at random, a fifth of the rest
 * replaced (values moving between inline and long-value form), then all deleted and some
 * re-inserted — after each phase bt_check finds a well-formed tree with exactly the model's record
 * count, every key is found with its value (absent ones are not), ordered scans both ways and
 * random GE/GT/LE/LT probes agree with the model; a batch of inserts and deletes that is aborted
 * leaves no trace; variable-length keys up to the 400-byte limit split and merge as well, and a
 * longer key is refused; dropping the trees returns every page to the free list.
 * HOTCOPY_BTREE_SEED replays a run; HOTCOPY_BTREE_KEYS changes the 100,000.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/src/btree.h"
#include "../../engine/src/codec.h"
#include "../../engine/src/space.h"
#include "../common/jetfx.h"

#define BATCH 400
#define VAL_MAX 6000

struct slot {
    uint8_t present;
    uint32_t len;
    uint32_t version;
};

struct bt {
    struct tfx_env env;
    struct inst *inst;
    struct db *db;
    uint32_t root;
    uint64_t seed, rnd;
    struct mtr m;
    int in_batch, ops;
    long n;               /* key ids 0..n-1 (fixed-length tree) */
    struct slot *model;
    long count;
    uint8_t *val, *got;
};

#define BT_FAIL(t, ...)                                                                            \
    do {                                                                                           \
        char msg_[400];                                                                            \
        snprintf(msg_, sizeof msg_, __VA_ARGS__);                                                  \
        fail_msg("btree (HOTCOPY_BTREE_SEED=%llu): %s", (unsigned long long)(t)->seed, msg_);      \
    } while (0)

/* ---- batches --------------------------------------------------------------------------------------- */
static void batch_begin(struct bt *t)
{
    tree_wrlock(t->inst);
    mtr_begin(&t->m, t->inst);
    t->in_batch = 1;
    t->ops = 0;
}

static void batch_end(struct bt *t)
{
    JET_ERR err = mtr_commit(&t->m, 1, NULL);
    tree_unlock(t->inst);
    t->in_batch = 0;
    if (err < 0) BT_FAIL(t, "mtr_commit: %s", JetXErrorName(err));
}

/* Keeps batches to BATCH operations. */
static void batch_tick(struct bt *t)
{
    if (!t->in_batch) batch_begin(t);
    if (++t->ops >= BATCH) {
        batch_end(t);
        batch_begin(t);
    }
}

static void batch_flush(struct bt *t)
{
    if (t->in_batch) batch_end(t);
}

/* ---- keys and values ------------------------------------------------------------------------------- */
static uint32_t key_of(long id, uint8_t *key)
{
    put_be64(key, (uint64_t)id);
    return 8;
}

static uint32_t pick_len(struct bt *t)
{
    uint64_t x = tfx_rand_below(&t->rnd, 100);
    if (x < 88) return (uint32_t)tfx_rand_below(&t->rnd, 100);
    if (x < 98) return 100 + (uint32_t)tfx_rand_below(&t->rnd, 900);
    return 1000 + (uint32_t)tfx_rand_below(&t->rnd, VAL_MAX - 1000);
}

static void put_id(struct bt *t, long id)
{
    uint8_t key[8];
    struct slot s = {1, pick_len(t), t->model[id].version + 1};
    tfx_fill(t->val, s.len, (uint64_t)id, s.version);
    batch_tick(t);
    JET_ERR err = bt_put(&t->m, t->db, t->root, key, key_of(id, key), t->val, s.len, NULL);
    if (err < 0) BT_FAIL(t, "bt_put %ld: %s", id, JetXErrorName(err));
    if (!t->model[id].present) t->count++;
    t->model[id] = s;
}

static void del_id(struct bt *t, long id)
{
    uint8_t key[8];
    batch_tick(t);
    JET_ERR err = bt_del(&t->m, t->db, t->root, key, key_of(id, key));
    if (t->model[id].present) {
        if (err < 0) BT_FAIL(t, "bt_del %ld: %s", id, JetXErrorName(err));
        t->model[id].present = 0;
        t->count--;
    } else if (err != JET_errRecordNotFound) {
        BT_FAIL(t, "bt_del of absent %ld: %s", id, JetXErrorName(err));
    }
}

/* ---- checks --------------------------------------------------------------------------------------- */
static void check_rec(struct bt *t, const struct bt_rec *r, long id)
{
    if (r->klen != 8 || (long)get_be64(r->key) != id)
        BT_FAIL(t, "found key %llu, expected %ld", r->klen == 8 ? (unsigned long long)get_be64(r->key) : 0ull, id);
    tfx_fill(t->val, t->model[id].len, (uint64_t)id, t->model[id].version);
    if (r->vlen != t->model[id].len || memcmp(r->val, t->val, r->vlen) != 0)
        BT_FAIL(t, "key %ld: value of %u bytes differs (expected %u)", id, r->vlen, t->model[id].len);
}

static long model_next(struct bt *t, long from, int dir)
{
    for (long id = from; id >= 0 && id < t->n; id += dir)
        if (t->model[id].present) return id;
    return -1;
}

static void check_all(struct bt *t, const char *phase)
{
    char msg[256];
    uint64_t nrecs = 0, npages = 0;
    struct bt_rec r = {0};
    uint8_t key[8];
    batch_flush(t);
    tree_rdlock(t->inst);
    JET_ERR err = bt_check(t->db, t->root, &nrecs, &npages, msg, sizeof msg);
    if (err < 0) BT_FAIL(t, "%s: bt_check: %s (%s)", phase, JetXErrorName(err), msg);
    if ((long)nrecs != t->count) BT_FAIL(t, "%s: bt_check counts %llu records, model %ld", phase, (unsigned long long)nrecs, t->count);
    /* Every key, present or not. */
    for (long id = 0; id < t->n; id++) {
        err = bt_find(t->db, t->root, key, key_of(id, key), BT_EQ, &r, 1);
        if (t->model[id].present) {
            if (err < 0) BT_FAIL(t, "%s: key %ld: %s", phase, id, JetXErrorName(err));
            check_rec(t, &r, id);
        } else if (err != JET_errRecordNotFound) {
            BT_FAIL(t, "%s: deleted key %ld: %s", phase, id, JetXErrorName(err));
        }
    }
    /* Ordered scans. */
    long want = model_next(t, 0, 1), seen = 0;
    err = bt_find(t->db, t->root, NULL, 0, BT_FIRST, &r, 1);
    while (err >= 0) {
        if (want < 0) BT_FAIL(t, "%s: scan goes past the last key", phase);
        check_rec(t, &r, want);
        seen++;
        memcpy(key, r.key, 8);
        err = bt_find(t->db, t->root, key, 8, BT_GT, &r, 1);
        want = model_next(t, want + 1, 1);
    }
    if (err != JET_errRecordNotFound || want >= 0 || seen != t->count)
        BT_FAIL(t, "%s: forward scan saw %ld of %ld (%s)", phase, seen, t->count, JetXErrorName(err));
    want = model_next(t, t->n - 1, -1);
    seen = 0;
    err = bt_find(t->db, t->root, NULL, 0, BT_LAST, &r, 0);
    while (err >= 0) {
        if (want < 0 || (long)get_be64(r.key) != want) BT_FAIL(t, "%s: backward scan out of step at %ld", phase, want);
        seen++;
        memcpy(key, r.key, 8);
        err = bt_find(t->db, t->root, key, 8, BT_LT, &r, 0);
        want = model_next(t, want - 1, -1);
    }
    if (err != JET_errRecordNotFound || seen != t->count) BT_FAIL(t, "%s: backward scan saw %ld", phase, seen);
    /* Random probes. */
    static const int modes[] = {BT_GE, BT_GT, BT_LE, BT_LT};
    for (int i = 0; i < 2000; i++) {
        long probe = (long)tfx_rand_below(&t->rnd, (uint64_t)t->n + 2) - 1;
        int mode = modes[i % 4];
        long expect;
        if (mode == BT_GE) expect = model_next(t, probe < 0 ? 0 : probe, 1);
        else if (mode == BT_GT) expect = model_next(t, probe + 1 < 0 ? 0 : probe + 1, 1);
        else if (mode == BT_LE) expect = probe < 0 ? -1 : model_next(t, probe >= t->n ? t->n - 1 : probe, -1);
        else expect = probe - 1 < 0 ? -1 : model_next(t, probe - 1 >= t->n ? t->n - 1 : probe - 1, -1);
        uint8_t pk[8];
        put_be64(pk, (uint64_t)probe); /* -1 becomes the largest key: handled below */
        if (probe < 0) {
            /* Below every key: GE/GT find the first, LE/LT nothing. */
            err = bt_find(t->db, t->root, pk, 0, mode, &r, 0);
        } else {
            err = bt_find(t->db, t->root, pk, 8, mode, &r, 0);
        }
        if (expect < 0) {
            if (err != JET_errRecordNotFound) BT_FAIL(t, "%s: probe %ld mode %d found something", phase, probe, mode);
        } else if (err < 0 || (long)get_be64(r.key) != expect) {
            BT_FAIL(t, "%s: probe %ld mode %d: %s, expected %ld", phase, probe, mode, JetXErrorName(err), expect);
        }
    }
    tree_unlock(t->inst);
    bt_rec_free(&r);
    print_message("  %-28s %7ld records in %6llu pages\n", phase, t->count, (unsigned long long)npages);
}

/* ---- setup ----------------------------------------------------------------------------------------- */
static void bt_open(struct bt *t, long n)
{
    JET_SETSYSPARAM params[] = {
        {JET_paramRecovery, 0, "Off", 0},
        {JET_paramDatabasePageSize, 4096, NULL, 0},
        {JET_paramCacheSizeMax, 65536, NULL, 0},
    };
    memset(t, 0, sizeof *t);
    assert_int_equal(tfx_env_open_with(&t->env, "btree", 1, params, 3), JET_errSuccess);
    t->inst = inst_from_handle(t->env.inst);
    assert_non_null(t->inst);
    t->db = t->inst->dbs[t->env.dbid];
    assert_non_null(t->db);
    t->seed = tfx_seed("HOTCOPY_BTREE_SEED");
    t->rnd = t->seed;
    t->n = n;
    t->model = calloc((size_t)n + 1, sizeof *t->model);
    t->val = malloc(VAL_MAX + 512);
    t->got = malloc(VAL_MAX + 512);
    assert_non_null(t->model);
    assert_non_null(t->val);
    assert_non_null(t->got);
    batch_begin(t);
    assert_int_equal(bt_create(&t->m, t->db, &t->root), JET_errSuccess);
    batch_end(t);
}

static void bt_close(struct bt *t)
{
    free(t->model);
    free(t->val);
    free(t->got);
    tfx_env_close(&t->env);
}

static long *permutation(struct bt *t, long n)
{
    long *p = malloc(sizeof *p * (size_t)n);
    assert_non_null(p);
    for (long i = 0; i < n; i++) p[i] = i;
    for (long i = n - 1; i > 0; i--) {
        long j = (long)tfx_rand_below(&t->rnd, (uint64_t)i + 1), x = p[i];
        p[i] = p[j];
        p[j] = x;
    }
    return p;
}

static void free_pages(struct bt *t, uint32_t *count, uint32_t *nfree)
{
    tree_rdlock(t->inst);
    assert_int_equal(space_info(t->db, count, nfree, NULL), JET_errSuccess);
    tree_unlock(t->inst);
}

static void test_random_inserts_and_deletes_keep_the_tree_well_formed(void **state)
{
    (void)state;
    struct bt *t = malloc(sizeof *t);
    assert_non_null(t);
    long n = tfx_env_long("HOTCOPY_BTREE_KEYS", 100000);
    bt_open(t, n);
    print_message("btree seed: %llu (HOTCOPY_BTREE_SEED replays it), %ld keys\n", (unsigned long long)t->seed, n);
    long *perm = permutation(t, n);
    for (long i = 0; i < n; i++) put_id(t, perm[i]);
    check_all(t, "inserted in random order");
    free(perm);
    perm = permutation(t, n);
    for (long i = 0; i < n / 2; i++) del_id(t, perm[i]);
    check_all(t, "half deleted");
    for (long i = n / 2; i < n; i++)
        if (tfx_rand_below(&t->rnd, 5) == 0) put_id(t, perm[i]);
    check_all(t, "a fifth replaced");
    /* An aborted batch leaves no trace. */
    batch_flush(t);
    struct slot *saved = malloc(sizeof *saved * (size_t)n);
    assert_non_null(saved);
    memcpy(saved, t->model, sizeof *saved * (size_t)n);
    long saved_count = t->count;
    tree_wrlock(t->inst);
    mtr_begin(&t->m, t->inst);
    for (long i = 0; i < 3000; i++) {
        uint8_t key[8];
        long id = (long)tfx_rand_below(&t->rnd, (uint64_t)n);
        uint32_t len = pick_len(t);
        tfx_fill(t->val, len, 1, 1);
        JET_ERR err = i % 2 ? bt_del(&t->m, t->db, t->root, key, key_of(id, key))
                            : bt_put(&t->m, t->db, t->root, key, key_of(id, key), t->val, len, NULL);
        if (err < 0 && err != JET_errRecordNotFound) BT_FAIL(t, "in the aborted batch: %s", JetXErrorName(err));
    }
    mtr_abort(&t->m);
    tree_unlock(t->inst);
    memcpy(t->model, saved, sizeof *saved * (size_t)n);
    t->count = saved_count;
    free(saved);
    check_all(t, "after an aborted batch");
    /* Everything deleted: the tree shrinks back and its pages are free again. */
    uint32_t pages = 0, nfree = 0;
    for (long i = n / 2; i < n; i++) del_id(t, perm[i]);
    check_all(t, "all deleted");
    free_pages(t, &pages, &nfree);
    uint64_t nrecs = 0, npages = 0;
    char msg[200];
    tree_rdlock(t->inst);
    assert_int_equal(bt_check(t->db, t->root, &nrecs, &npages, msg, sizeof msg), JET_errSuccess);
    tree_unlock(t->inst);
    print_message("  empty tree: %llu pages; file %u pages, %u free\n", (unsigned long long)npages, pages, nfree);
    if (npages > 8) BT_FAIL(t, "an empty tree still holds %llu pages", (unsigned long long)npages);
    assert_true(nfree + 4 + npages >= pages);
    /* And it grows again, reusing the free pages. */
    free(perm);
    perm = permutation(t, n);
    for (long i = 0; i < n / 10; i++) put_id(t, perm[i]);
    check_all(t, "a tenth re-inserted");
    uint32_t pages2 = 0, nfree2 = 0;
    free_pages(t, &pages2, &nfree2);
    assert_int_equal(pages2, pages);
    /* Dropping the tree frees every page but the header, shadow, space and catalog pages. */
    batch_begin(t);
    assert_int_equal(bt_drop(&t->m, t->db, t->root), JET_errSuccess);
    batch_end(t);
    free_pages(t, &pages2, &nfree2);
    assert_int_equal(nfree2, pages2 - 4);
    free(perm);
    bt_close(t);
    free(t);
}

/* Variable-length keys up to the limit: long separators split internal pages too. */
static void test_long_variable_keys(void **state)
{
    (void)state;
    struct bt *t = malloc(sizeof *t);
    assert_non_null(t);
    bt_open(t, 1);
    const long n = 12000;
    uint8_t (*keys)[BT_KEY_LIMIT] = malloc((size_t)n * BT_KEY_LIMIT);
    uint32_t *klen = malloc(sizeof *klen * (size_t)n);
    uint8_t *present = calloc((size_t)n, 1);
    assert_non_null(keys);
    assert_non_null(klen);
    assert_non_null(present);
    for (long i = 0; i < n; i++) {
        /* A 4-byte unique prefix, then random bytes up to 400 in all. */
        klen[i] = 4 + (uint32_t)tfx_rand_below(&t->rnd, tfx_rand_below(&t->rnd, 10) == 0 ? BT_KEY_LIMIT - 3 : 60);
        put_be32(keys[i], (uint32_t)(i * 2654435761u));
        tfx_fill(keys[i] + 4, klen[i] - 4, 3, (uint64_t)i);
    }
    for (long i = 0; i < n; i++) {
        batch_tick(t);
        uint32_t vlen = (uint32_t)(i % 97);
        tfx_fill(t->val, vlen, 4, (uint64_t)i);
        assert_int_equal(bt_put(&t->m, t->db, t->root, keys[i], klen[i], t->val, vlen, NULL), JET_errSuccess);
        present[i] = 1;
    }
    /* Over the limit. */
    uint8_t toolong[BT_KEY_LIMIT + 1];
    memset(toolong, 0x41, sizeof toolong);
    assert_int_equal(bt_put(&t->m, t->db, t->root, toolong, sizeof toolong, NULL, 0, NULL), JET_errKeyTooBig);
    for (long i = 0; i < n; i += 3) {
        batch_tick(t);
        assert_int_equal(bt_del(&t->m, t->db, t->root, keys[i], klen[i]), JET_errSuccess);
        present[i] = 0;
    }
    batch_flush(t);
    char msg[256];
    uint64_t nrecs = 0, npages = 0;
    struct bt_rec r = {0};
    tree_rdlock(t->inst);
    JET_ERR err = bt_check(t->db, t->root, &nrecs, &npages, msg, sizeof msg);
    if (err < 0) BT_FAIL(t, "bt_check: %s", msg);
    assert_int_equal(nrecs, n - (n + 2) / 3);
    for (long i = 0; i < n; i++) {
        err = bt_find(t->db, t->root, keys[i], klen[i], BT_EQ, &r, 1);
        if (!present[i]) {
            assert_int_equal(err, JET_errRecordNotFound);
            continue;
        }
        assert_int_equal(err, JET_errSuccess);
        tfx_fill(t->val, (uint32_t)(i % 97), 4, (uint64_t)i);
        assert_int_equal(r.vlen, (uint32_t)(i % 97));
        assert_memory_equal(r.val, t->val, r.vlen);
    }
    tree_unlock(t->inst);
    bt_rec_free(&r);
    print_message("  variable keys: %llu records in %llu pages\n", (unsigned long long)nrecs, (unsigned long long)npages);
    free(keys);
    free(klen);
    free(present);
    bt_close(t);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_inserts_and_deletes_keep_the_tree_well_formed),
        cmocka_unit_test(test_long_variable_keys),
    };
    return cmocka_run_group_tests_name("btree", tests, NULL, NULL);
}
