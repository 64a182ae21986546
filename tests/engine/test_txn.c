/*
 * test_txn.c — transactions (engine/src/txn.c, update.c, keylock.c, cursor.c's merged view)
 * against jet.h: JetBeginTransaction, JetCommitTransaction, JetRollback, and the update calls'
 * transaction rules.
 *
 * Proves: changes are private to their session until the outermost commit, and visible to it at
 * once (seeks and scans merge them); rollback undoes inserts, replaces and deletes; nested levels
 * commit into their parent and roll back alone, up to 7 levels; two sessions on two threads:
 * the reader never sees a value that only existed inside the writer's transactions;
 * JET_errWriteConflict for a record another open transaction wrote; JET_errKeyDuplicate against
 * committed and own pending records; lazy commits are visible at once and made durable by the next
 * durable commit; an update outside a transaction commits durably on its own; the prepare/update
 * state machine's errors; JetEndSession rolls back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "../common/jetfx.h"

/* A second session with the database and table "t" open. */
struct peer {
    JET_SESID ses;
    JET_DBID db;
    struct tfx_kv kv;
};

static void open_peer(struct tfx_env *e, struct peer *p)
{
    assert_int_equal(JetBeginSession(e->inst, &p->ses, NULL, NULL), JET_errSuccess);
    assert_int_equal(JetOpenDatabase(p->ses, e->dbpath, NULL, &p->db, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_open(p->ses, p->db, "t", &p->kv), JET_errSuccess);
}

static struct tfx_kv make_table(struct tfx_env *e, int n)
{
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    for (long k = 1; k <= n; k++) {
        char v[16];
        int len = snprintf(v, sizeof v, "base%ld", k);
        assert_int_equal(tfx_kv_insert(e->ses, &kv, k, v, (unsigned long)len), JET_errSuccess);
    }
    return kv;
}

/* k's value as a string ("" when NULL), or "<absent>". */
static const char *value_of(JET_SESID ses, const struct tfx_kv *kv, long k, char *buf, size_t cap)
{
    unsigned long cb = 0;
    JET_ERR err = tfx_kv_get(ses, kv, k, buf, (unsigned long)cap - 1, &cb);
    if (err == JET_errRecordNotFound) return "<absent>";
    if (err < 0) return JetXErrorName(err);
    buf[cb] = 0;
    return buf;
}

static void test_changes_are_private_until_commit(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 3);
    struct peer p;
    char b[64];
    open_peer(e, &p);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 10, "ten", 3), JET_errSuccess);
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 1, "one!", 4), JET_errSuccess);
    assert_int_equal(tfx_kv_delete(e->ses, &kv, 2), JET_errSuccess);
    /* The writer reads its own writes, by seek and by scan. */
    assert_string_equal(value_of(e->ses, &kv, 10, b, sizeof b), "ten");
    assert_string_equal(value_of(e->ses, &kv, 1, b, sizeof b), "one!");
    assert_string_equal(value_of(e->ses, &kv, 2, b, sizeof b), "<absent>");
    assert_int_equal(tfx_count(e->ses, kv.t), 3); /* 1, 3, 10 */
    assert_int_equal(JetMove(e->ses, kv.t, JET_MoveLast, 0), JET_errSuccess);
    assert_int_equal(tfx_current_long(e->ses, kv.t, kv.k), 10);
    /* The other session does not. */
    assert_string_equal(value_of(p.ses, &p.kv, 10, b, sizeof b), "<absent>");
    assert_string_equal(value_of(p.ses, &p.kv, 1, b, sizeof b), "base1");
    assert_string_equal(value_of(p.ses, &p.kv, 2, b, sizeof b), "base2");
    assert_int_equal(tfx_count(p.ses, p.kv.t), 3); /* 1, 2, 3 */
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    assert_string_equal(value_of(p.ses, &p.kv, 10, b, sizeof b), "ten");
    assert_string_equal(value_of(p.ses, &p.kv, 1, b, sizeof b), "one!");
    assert_string_equal(value_of(p.ses, &p.kv, 2, b, sizeof b), "<absent>");
    assert_int_equal(JetEndSession(p.ses, 0), JET_errSuccess);
}

static void test_rollback_undoes_inserts_replaces_and_deletes(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 3);
    char b[64];
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 10, "ten", 3), JET_errSuccess);
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 1, "changed", 7), JET_errSuccess);
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 1, "changed twice", 13), JET_errSuccess);
    assert_int_equal(tfx_kv_delete(e->ses, &kv, 3), JET_errSuccess);
    assert_int_equal(JetRollback(e->ses, 0), JET_errSuccess);
    assert_string_equal(value_of(e->ses, &kv, 10, b, sizeof b), "<absent>");
    assert_string_equal(value_of(e->ses, &kv, 1, b, sizeof b), "base1");
    assert_string_equal(value_of(e->ses, &kv, 3, b, sizeof b), "base3");
    assert_int_equal(tfx_count(e->ses, kv.t), 3);
    /* Nothing was written: a restart shows the same. */
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_string_equal(value_of(e->ses, &kv, 1, b, sizeof b), "base1");
    assert_int_equal(tfx_count(e->ses, kv.t), 3);
}

static void test_nested_levels(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 2);
    char b[64];
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);            /* level 1 */
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 10, "a", 1), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);            /* level 2 */
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 20, "b", 1), JET_errSuccess);
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 10, "a2", 2), JET_errSuccess);
    assert_int_equal(tfx_kv_delete(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(JetRollback(e->ses, 0), JET_errSuccess);                 /* undo level 2 */
    assert_string_equal(value_of(e->ses, &kv, 10, b, sizeof b), "a");
    assert_string_equal(value_of(e->ses, &kv, 20, b, sizeof b), "<absent>");
    assert_string_equal(value_of(e->ses, &kv, 1, b, sizeof b), "base1");
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);            /* level 2 */
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 30, "c", 1), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);            /* level 3 */
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 30, "c3", 2), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);        /* into level 2 */
    assert_string_equal(value_of(e->ses, &kv, 30, b, sizeof b), "c3");
    assert_int_equal(JetRollback(e->ses, 0), JET_errSuccess);                 /* level 2 with its child */
    assert_string_equal(value_of(e->ses, &kv, 30, b, sizeof b), "<absent>");
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);            /* level 2 */
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 40, "d", 1), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);        /* into level 1 */
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);        /* durable */
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errNotInTransaction);
    assert_int_equal(JetRollback(e->ses, 0), JET_errNotInTransaction);
    struct peer p;
    open_peer(e, &p);
    assert_string_equal(value_of(p.ses, &p.kv, 10, b, sizeof b), "a");
    assert_string_equal(value_of(p.ses, &p.kv, 40, b, sizeof b), "d");
    assert_string_equal(value_of(p.ses, &p.kv, 20, b, sizeof b), "<absent>");
    assert_string_equal(value_of(p.ses, &p.kv, 30, b, sizeof b), "<absent>");
    assert_int_equal(tfx_count(p.ses, p.kv.t), 4);
    assert_int_equal(JetEndSession(p.ses, 0), JET_errSuccess);
}

static void test_nesting_depth_and_rollback_all(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 0);
    for (int level = 1; level <= 7; level++) {
        assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
        assert_int_equal(tfx_kv_insert(e->ses, &kv, level, "x", 1), JET_errSuccess);
    }
    assert_int_equal(JetBeginTransaction(e->ses), JET_errTransTooDeep);
    assert_int_equal(tfx_count(e->ses, kv.t), 7);
    assert_int_equal(JetRollback(e->ses, JET_bitRollbackAll), JET_errSuccess);
    assert_int_equal(tfx_count(e->ses, kv.t), 0);
    assert_int_equal(JetRollback(e->ses, 0), JET_errNotInTransaction);
}

/* ---- isolation across threads -------------------------------------------------------------------- */
#define DIRTY_ROUNDS 300

struct isolation {
    struct tfx_env *e;
    atomic_int done;
    atomic_int dirty_seen;
    atomic_int reads;
    JET_ERR writer_err, reader_err;
};

/* The writer flips k=1 to "dirty" and inserts k=1000+i inside transactions that end with the
 * value back to "clean" (and the insert deleted), or roll back. */
static void *writer_main(void *arg)
{
    struct isolation *iso = arg;
    JET_SESID ses;
    JET_DBID db;
    struct tfx_kv kv;
    JET_ERR err = JetBeginSession(iso->e->inst, &ses, NULL, NULL);
    if (err >= 0) err = JetOpenDatabase(ses, iso->e->dbpath, NULL, &db, 0);
    if (err >= 0) err = tfx_kv_open(ses, db, "t", &kv);
    for (int i = 0; err >= 0 && i < DIRTY_ROUNDS; i++) {
        if ((err = JetBeginTransaction(ses)) < 0) break;
        if ((err = tfx_kv_replace(ses, &kv, 1, "dirty", 5)) < 0) break;
        if ((err = tfx_kv_insert(ses, &kv, 1000 + i, "dirty", 5)) < 0) break;
        if (i % 2) {
            err = JetRollback(ses, 0);
        } else {
            if ((err = tfx_kv_replace(ses, &kv, 1, "clean", 5)) < 0) break;
            if ((err = tfx_kv_delete(ses, &kv, 1000 + i)) < 0) break;
            err = JetCommitTransaction(ses, JET_bitCommitLazyFlush);
        }
    }
    iso->writer_err = err;
    atomic_store(&iso->done, 1);
    JetEndSession(ses, 0);
    return NULL;
}

static void *reader_main(void *arg)
{
    struct isolation *iso = arg;
    JET_SESID ses;
    JET_DBID db;
    struct tfx_kv kv;
    JET_ERR err = JetBeginSession(iso->e->inst, &ses, NULL, NULL);
    if (err >= 0) err = JetOpenDatabase(ses, iso->e->dbpath, NULL, &db, 0);
    if (err >= 0) err = tfx_kv_open(ses, db, "t", &kv);
    while (err >= 0 && (!atomic_load(&iso->done) || atomic_load(&iso->reads) < 100)) {
        char b[16];
        unsigned long cb = 0;
        if ((err = tfx_kv_get(ses, &kv, 1, b, sizeof b, &cb)) < 0) break;
        if (cb != 5 || memcmp(b, "clean", 5) != 0) atomic_fetch_add(&iso->dirty_seen, 1);
        long n = tfx_count(ses, kv.t);
        if (n != 1) atomic_fetch_add(&iso->dirty_seen, 1);
        atomic_fetch_add(&iso->reads, 1);
    }
    iso->reader_err = err;
    JetEndSession(ses, 0);
    return NULL;
}

static void test_other_sessions_never_see_uncommitted_data(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, "clean", 5), JET_errSuccess);
    struct isolation iso = {.e = e};
    pthread_t w, r;
    assert_int_equal(pthread_create(&r, NULL, reader_main, &iso), 0);
    assert_int_equal(pthread_create(&w, NULL, writer_main, &iso), 0);
    assert_int_equal(pthread_join(w, NULL), 0);
    assert_int_equal(pthread_join(r, NULL), 0);
    assert_int_equal(iso.writer_err, JET_errSuccess);
    assert_int_equal(iso.reader_err, JET_errSuccess);
    assert_true(atomic_load(&iso.reads) >= 100);
    assert_int_equal(atomic_load(&iso.dirty_seen), 0);
}

/* ---- conflicts and duplicates -------------------------------------------------------------------- */
static void test_write_conflict(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 3);
    struct peer p;
    char b[64];
    open_peer(e, &p);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepReplace), JET_errSuccess); /* locks 1 */
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, "mine", 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 50, "new", 3), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(p.ses), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(p.ses, &p.kv, 1), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(p.ses, p.kv.t, JET_prepReplace), JET_errWriteConflict);
    assert_int_equal(JetDelete(p.ses, p.kv.t), JET_errWriteConflict);
    assert_int_equal(JetPrepareUpdate(p.ses, p.kv.t, JET_prepReplaceNoLock), JET_errSuccess);
    assert_int_equal(JetSetColumn(p.ses, p.kv.t, p.kv.v, "yours", 5, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(p.ses, p.kv.t, NULL, 0, NULL), JET_errWriteConflict);
    assert_int_equal(JetPrepareUpdate(p.ses, p.kv.t, JET_prepCancel), JET_errSuccess);
    /* A key another transaction inserted but did not commit. */
    assert_int_equal(tfx_kv_insert(p.ses, &p.kv, 50, "also", 4), JET_errWriteConflict);
    /* Other records are free. */
    assert_int_equal(tfx_kv_replace(p.ses, &p.kv, 2, "two", 3), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(p.ses, 0), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    /* Once committed the lock is gone. */
    assert_int_equal(JetBeginTransaction(p.ses), JET_errSuccess);
    assert_int_equal(tfx_kv_replace(p.ses, &p.kv, 1, "yours", 5), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(p.ses, 0), JET_errSuccess);
    assert_string_equal(value_of(e->ses, &kv, 1, b, sizeof b), "yours");
    assert_string_equal(value_of(e->ses, &kv, 2, b, sizeof b), "two");
    assert_string_equal(value_of(e->ses, &kv, 50, b, sizeof b), "new");
    /* A rolled-back transaction's locks are released too. */
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 3, "x", 1), JET_errSuccess);
    assert_int_equal(JetRollback(e->ses, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_replace(p.ses, &p.kv, 3, "three", 5), JET_errSuccess);
    assert_int_equal(JetEndSession(p.ses, 0), JET_errSuccess);
}

static void test_key_duplicate(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 3);
    char b[64];
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 2, "dup", 3), JET_errKeyDuplicate);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 9, "nine", 4), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 9, "again", 5), JET_errKeyDuplicate);
    /* Deleted in this transaction: the key is free again. */
    assert_int_equal(tfx_kv_delete(e->ses, &kv, 3), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 3, "new3", 4), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    assert_string_equal(value_of(e->ses, &kv, 3, b, sizeof b), "new3");
    assert_string_equal(value_of(e->ses, &kv, 9, b, sizeof b), "nine");
    assert_int_equal(tfx_count(e->ses, kv.t), 4);
    /* A refused update stays prepared (ESE's rule): fix the key and try again. */
    int32_t k = 2;
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.k, &k, 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errKeyDuplicate);
    k = 20;
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.k, &k, 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(tfx_count(e->ses, kv.t), 5);
}

/* ---- durability ---------------------------------------------------------------------------------- */
static void test_lazy_commit_is_visible_and_made_durable_by_the_next_commit(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 0);
    struct peer p;
    JET_XINSTANCEINFO a, b;
    open_peer(e, &p);
    assert_int_equal(JetXGetInstanceInfo(e->inst, &a), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, "lazy", 4), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, JET_bitCommitLazyFlush), JET_errSuccess);
    assert_int_equal(JetXGetInstanceInfo(e->inst, &b), JET_errSuccess);
    assert_int_equal(b.cCommits, a.cCommits + 1);
    assert_int_equal(tfx_kv_seek(p.ses, &p.kv, 1), JET_errSuccess);
    assert_int_equal(JetEndSession(p.ses, 0), JET_errSuccess);
    /* The next durable commit carries the lazy one with it. */
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 2, "durable", 7), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 2), JET_errSuccess);
}

static void test_update_outside_a_transaction_commits_on_its_own(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 2);
    struct peer p;
    char b[64];
    open_peer(e, &p);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 5, "five", 4), JET_errSuccess);
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 1, "uno", 3), JET_errSuccess);
    assert_int_equal(tfx_kv_delete(e->ses, &kv, 2), JET_errSuccess);
    /* Visible to others at once, no transaction left open. */
    assert_string_equal(value_of(p.ses, &p.kv, 5, b, sizeof b), "five");
    assert_string_equal(value_of(p.ses, &p.kv, 1, b, sizeof b), "uno");
    assert_string_equal(value_of(p.ses, &p.kv, 2, b, sizeof b), "<absent>");
    assert_int_equal(JetRollback(e->ses, 0), JET_errNotInTransaction);
    assert_int_equal(JetEndSession(p.ses, 0), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    /* And durable. */
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_string_equal(value_of(e->ses, &kv, 5, b, sizeof b), "five");
    assert_string_equal(value_of(e->ses, &kv, 1, b, sizeof b), "uno");
    assert_string_equal(value_of(e->ses, &kv, 2, b, sizeof b), "<absent>");
}

static void test_prepare_and_update_state_errors(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 1);
    int32_t k = 7;
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errUpdateNotPrepared);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, "x", 1, 0, NULL), JET_errUpdateNotPrepared);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepCancel), JET_errUpdateNotPrepared);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, 12345), JET_errInvalidParameter);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepInsert), JET_errAlreadyPrepared);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepCancel), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errUpdateNotPrepared);
    /* A NOT NULL column must be set. */
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, "x", 1, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errNullInvalid);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepCancel), JET_errSuccess);
    /* A rollback cancels an update being built. */
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.k, &k, 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetRollback(e->ses, 0), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errUpdateNotPrepared);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 7), JET_errRecordNotFound);
    /* A deleted current record. */
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(JetDelete(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(JetDelete(e->ses, kv.t), JET_errRecordDeleted);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepReplace), JET_errRecordDeleted);
    char b[8];
    unsigned long cb;
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, b, sizeof b, &cb, 0, NULL), JET_errRecordDeleted);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
}

static void test_end_session_rolls_back(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv = make_table(e, 1);
    struct peer p;
    open_peer(e, &p);
    assert_int_equal(JetBeginTransaction(p.ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(p.ses, &p.kv, 99, "gone", 4), JET_errSuccess);
    assert_int_equal(tfx_kv_replace(p.ses, &p.kv, 1, "gone", 4), JET_errSuccess);
    assert_int_equal(JetEndSession(p.ses, 0), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(p.ses), JET_errInvalidSesid);
    char b[64];
    assert_string_equal(value_of(e->ses, &kv, 99, b, sizeof b), "<absent>");
    assert_string_equal(value_of(e->ses, &kv, 1, b, sizeof b), "base1");
    /* Its locks went with it. */
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 1, "mine", 4), JET_errSuccess);
}

/* One transaction writing tables of two databases commits, rolls back and recovers as a whole. */
static void test_transaction_across_two_databases(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv a = make_table(e, 0), b;
    char second[TFX_PATH_MAX];
    JET_DBID db2;
    tfx_join(second, sizeof second, e->dir, "second.edb");
    assert_int_equal(JetCreateDatabase(e->ses, second, NULL, &db2, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_create(e->ses, db2, "t", &b), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &a, 1, "a1", 2), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &b, 1, "b1", 2), JET_errSuccess);
    assert_int_equal(JetRollback(e->ses, 0), JET_errSuccess);
    assert_int_equal(tfx_count(e->ses, a.t), 0);
    assert_int_equal(tfx_count(e->ses, b.t), 0);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &a, 2, "a2", 2), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &b, 2, "b2", 2), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, a.t), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, b.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(JetAttachDatabase(e->ses, second, 0), JET_errSuccess);
    assert_int_equal(JetOpenDatabase(e->ses, second, NULL, &db2, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &a), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, db2, "t", &b), JET_errSuccess);
    char buf[64];
    assert_string_equal(value_of(e->ses, &a, 2, buf, sizeof buf), "a2");
    assert_string_equal(value_of(e->ses, &b, 2, buf, sizeof buf), "b2");
    assert_int_equal(tfx_count(e->ses, a.t), 1);
    assert_int_equal(tfx_count(e->ses, b.t), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup_db, tfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_changes_are_private_until_commit),
        T(test_rollback_undoes_inserts_replaces_and_deletes),
        T(test_nested_levels),
        T(test_nesting_depth_and_rollback_all),
        T(test_other_sessions_never_see_uncommitted_data),
        T(test_write_conflict),
        T(test_key_duplicate),
        T(test_lazy_commit_is_visible_and_made_durable_by_the_next_commit),
        T(test_update_outside_a_transaction_commits_on_its_own),
        T(test_prepare_and_update_state_errors),
        T(test_end_session_rolls_back),
        T(test_transaction_across_two_databases),
    };
#undef T
    return cmocka_run_group_tests_name("txn", tests, NULL, NULL);
}
