/*
 * test_cursor.c — reading through cursors (engine/src/cursor.c, key.c) against jet.h: JetMakeKey,
 * JetSeek, JetSetIndexRange, JetMove, JetRetrieveColumn, JetRetrieveKey, JetGetBookmark,
 * JetGotoBookmark.
 *
 * Proves: seeks EQ/GE/LE/GT/LT land where ESE's do, with JET_wrnSeekNotEqual for an inexact GE/LE
 * and JET_errRecordNotFound when nothing qualifies; keys must be made first and have no more
 * segments than the index; partial keys (leading columns, text prefixes with SubStrLimit/StrLimit)
 * and index ranges (inclusive/exclusive, removed, set by SeekEQ); moves to the ends, by one and by
 * counts, and past either end; column retrieval with truncation, NULL, offsets and the copy
 * buffer; normalized keys and bookmarks; a cursor keeps its place while another session changes
 * the table around it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../common/jetfx.h"

/* The table every test starts from: keys 10, 20, ..., 100 with values "v10" ... "v100". */
struct fx {
    struct tfx_env *e;
    struct tfx_kv kv;
};

static void fill_tens(struct fx *f)
{
    assert_int_equal(tfx_kv_create(f->e->ses, f->e->dbid, "tens", &f->kv), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(f->e->ses), JET_errSuccess);
    for (long k = 100; k >= 10; k -= 10) {
        char v[8];
        int n = snprintf(v, sizeof v, "v%ld", k);
        assert_int_equal(tfx_kv_insert(f->e->ses, &f->kv, k, v, (unsigned long)n), JET_errSuccess);
    }
    assert_int_equal(JetCommitTransaction(f->e->ses, 0), JET_errSuccess);
}

static long cur_key(struct fx *f) { return tfx_current_long(f->e->ses, f->kv.t, f->kv.k); }

static JET_ERR seek(struct fx *f, long k, JET_GRBIT how)
{
    int32_t k32 = (int32_t)k;
    JET_ERR err = JetMakeKey(f->e->ses, f->kv.t, &k32, 4, JET_bitNewKey);
    if (err < 0) return err;
    return JetSeek(f->e->ses, f->kv.t, how);
}

static struct fx setup_fx(void **state)
{
    struct fx f = {.e = *state};
    fill_tens(&f);
    return f;
}

/* ---- seeks --------------------------------------------------------------------------------------- */
static void test_seek_eq(void **state)
{
    struct fx f = setup_fx(state);
    assert_int_equal(seek(&f, 40, JET_bitSeekEQ), JET_errSuccess);
    assert_int_equal(cur_key(&f), 40);
    assert_int_equal(seek(&f, 45, JET_bitSeekEQ), JET_errRecordNotFound);
    assert_int_equal(seek(&f, 0, JET_bitSeekEQ), JET_errRecordNotFound);
    assert_int_equal(seek(&f, 101, JET_bitSeekEQ), JET_errRecordNotFound);
    /* No bit means EQ. */
    assert_int_equal(seek(&f, 100, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 100);
}

static void test_seek_ge_and_le(void **state)
{
    struct fx f = setup_fx(state);
    assert_int_equal(seek(&f, 25, JET_bitSeekGE), JET_wrnSeekNotEqual);
    assert_int_equal(cur_key(&f), 30);
    assert_int_equal(seek(&f, 30, JET_bitSeekGE), JET_errSuccess);
    assert_int_equal(cur_key(&f), 30);
    assert_int_equal(seek(&f, -1000, JET_bitSeekGE), JET_wrnSeekNotEqual);
    assert_int_equal(cur_key(&f), 10);
    assert_int_equal(seek(&f, 101, JET_bitSeekGE), JET_errRecordNotFound);
    assert_int_equal(seek(&f, 25, JET_bitSeekLE), JET_wrnSeekNotEqual);
    assert_int_equal(cur_key(&f), 20);
    assert_int_equal(seek(&f, 20, JET_bitSeekLE), JET_errSuccess);
    assert_int_equal(cur_key(&f), 20);
    assert_int_equal(seek(&f, 5000, JET_bitSeekLE), JET_wrnSeekNotEqual);
    assert_int_equal(cur_key(&f), 100);
    assert_int_equal(seek(&f, 9, JET_bitSeekLE), JET_errRecordNotFound);
}

static void test_seek_gt_and_lt(void **state)
{
    struct fx f = setup_fx(state);
    assert_true(seek(&f, 20, JET_bitSeekGT) >= 0);
    assert_int_equal(cur_key(&f), 30);
    assert_true(seek(&f, 25, JET_bitSeekGT) >= 0);
    assert_int_equal(cur_key(&f), 30);
    assert_int_equal(seek(&f, 100, JET_bitSeekGT), JET_errRecordNotFound);
    assert_true(seek(&f, 20, JET_bitSeekLT) >= 0);
    assert_int_equal(cur_key(&f), 10);
    assert_true(seek(&f, 25, JET_bitSeekLT) >= 0);
    assert_int_equal(cur_key(&f), 20);
    assert_int_equal(seek(&f, 10, JET_bitSeekLT), JET_errRecordNotFound);
    /* One direction bit only. */
    int32_t k = 10;
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &k, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSeek(f.e->ses, f.kv.t, JET_bitSeekGE | JET_bitSeekLE), JET_errInvalidGrbit);
}

static void test_seek_on_an_empty_table(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "empty", &kv), JET_errSuccess);
    int32_t k = 1;
    JET_GRBIT hows[] = {JET_bitSeekEQ, JET_bitSeekGE, JET_bitSeekGT, JET_bitSeekLE, JET_bitSeekLT};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(JetMakeKey(e->ses, kv.t, &k, 4, JET_bitNewKey), JET_errSuccess);
        assert_int_equal(JetSeek(e->ses, kv.t, hows[i]), JET_errRecordNotFound);
    }
}

static void test_keys_must_be_made(void **state)
{
    struct fx f = setup_fx(state);
    int32_t k = 10;
    assert_int_equal(JetSeek(f.e->ses, f.kv.t, JET_bitSeekEQ), JET_errKeyNotMade);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &k, 4, 0), JET_errKeyNotMade);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &k, 4, JET_bitNewKey), JET_errSuccess);
    /* The index has one column. */
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &k, 4, 0), JET_errKeyIsMade);
    assert_int_equal(JetSeek(f.e->ses, f.kv.t, JET_bitSeekEQ), JET_errSuccess);
    /* A successful seek consumes the key. */
    assert_int_equal(JetSeek(f.e->ses, f.kv.t, JET_bitSeekEQ), JET_errKeyNotMade);
    /* A Long key takes exactly 4 bytes. */
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &k, 2, JET_bitNewKey), JET_errInvalidBufferSize);
}

/* ---- partial keys and ranges --------------------------------------------------------------------- */
/* Table "pairs": +a (Long), +b (Long); a in 1..4, b in 1..5. */
static JET_TABLEID make_pairs(struct tfx_env *e, JET_COLUMNID *a, JET_COLUMNID *b)
{
    JET_TABLEID t;
    static const char key[] = "+a\0+b\0";
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "pairs", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "a", JET_coltypLong, 0, a), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "b", JET_coltypLong, 0, b), JET_errSuccess);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, key, sizeof key, 100), JET_errSuccess);
    for (int32_t i = 4; i >= 1; i--)
        for (int32_t j = 1; j <= 5; j++) {
            assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
            assert_int_equal(JetSetColumn(e->ses, t, *a, &i, 4, 0, NULL), JET_errSuccess);
            assert_int_equal(JetSetColumn(e->ses, t, *b, &j, 4, 0, NULL), JET_errSuccess);
            assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errSuccess);
        }
    return t;
}

static void test_partial_key_seeks_and_range(void **state)
{
    struct tfx_env *e = *state;
    JET_COLUMNID a, b;
    JET_TABLEID t = make_pairs(e, &a, &b);
    int32_t three = 3;
    /* EQ on the leading column lands on its first record. */
    assert_int_equal(JetMakeKey(e->ses, t, &three, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSeek(e->ses, t, JET_bitSeekEQ), JET_errSuccess);
    assert_int_equal(tfx_current_long(e->ses, t, a), 3);
    assert_int_equal(tfx_current_long(e->ses, t, b), 1);
    /* LE on a partial key: the last record with that prefix. */
    assert_int_equal(JetMakeKey(e->ses, t, &three, 4, JET_bitNewKey), JET_errSuccess);
    assert_true(JetSeek(e->ses, t, JET_bitSeekLE) >= 0);
    assert_int_equal(tfx_current_long(e->ses, t, a), 3);
    assert_int_equal(tfx_current_long(e->ses, t, b), 5);
    /* GT skips every record with the prefix. */
    assert_int_equal(JetMakeKey(e->ses, t, &three, 4, JET_bitNewKey), JET_errSuccess);
    assert_true(JetSeek(e->ses, t, JET_bitSeekGT) >= 0);
    assert_int_equal(tfx_current_long(e->ses, t, a), 4);
    assert_int_equal(tfx_current_long(e->ses, t, b), 1);
    /* SeekEQ with SetIndexRange walks exactly the prefix. */
    assert_int_equal(JetMakeKey(e->ses, t, &three, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSeek(e->ses, t, JET_bitSeekEQ | JET_bitSetIndexRange), JET_errSuccess);
    int n = 1;
    while (JetMove(e->ses, t, JET_MoveNext, 0) == JET_errSuccess) {
        assert_int_equal(tfx_current_long(e->ses, t, a), 3);
        n++;
    }
    assert_int_equal(n, 5);
    /* Full two-column key. */
    int32_t two = 2, four = 4;
    assert_int_equal(JetMakeKey(e->ses, t, &two, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetMakeKey(e->ses, t, &four, 4, 0), JET_errSuccess);
    assert_int_equal(JetMakeKey(e->ses, t, &four, 4, 0), JET_errKeyIsMade);
    assert_int_equal(JetSeek(e->ses, t, JET_bitSeekEQ), JET_errSuccess);
    assert_int_equal(tfx_current_long(e->ses, t, a), 2);
    assert_int_equal(tfx_current_long(e->ses, t, b), 4);
}

static long walk_count(struct fx *f, long *first, long *last)
{
    long n = 0;
    JET_ERR err = JET_errSuccess;
    *first = *last = -1;
    do {
        long k = cur_key(f);
        if (n == 0) *first = k;
        *last = k;
        n++;
        err = JetMove(f->e->ses, f->kv.t, JET_MoveNext, 0);
    } while (err == JET_errSuccess);
    assert_int_equal(err, JET_errNoCurrentRecord);
    return n;
}

static void test_index_range_upper_limits(void **state)
{
    struct fx f = setup_fx(state);
    long first, last;
    int32_t sixty = 60;
    /* Inclusive upper limit: 30..60. */
    assert_int_equal(seek(&f, 30, JET_bitSeekGE), JET_errSuccess);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &sixty, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSetIndexRange(f.e->ses, f.kv.t, JET_bitRangeUpperLimit | JET_bitRangeInclusive), JET_errSuccess);
    assert_int_equal(walk_count(&f, &first, &last), 4);
    assert_int_equal(first, 30);
    assert_int_equal(last, 60);
    /* Exclusive: 30..50. */
    assert_int_equal(seek(&f, 30, JET_bitSeekGE), JET_errSuccess);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &sixty, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSetIndexRange(f.e->ses, f.kv.t, JET_bitRangeUpperLimit), JET_errSuccess);
    assert_int_equal(walk_count(&f, &first, &last), 3);
    assert_int_equal(last, 50);
    /* Removing the range lets the walk go on to the end. */
    assert_int_equal(seek(&f, 30, JET_bitSeekGE), JET_errSuccess);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &sixty, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSetIndexRange(f.e->ses, f.kv.t, JET_bitRangeUpperLimit), JET_errSuccess);
    assert_int_equal(JetSetIndexRange(f.e->ses, f.kv.t, JET_bitRangeRemove), JET_errSuccess);
    assert_int_equal(walk_count(&f, &first, &last), 8);
    assert_int_equal(last, 100);
    /* A range whose limit is already passed leaves no current record. */
    assert_int_equal(seek(&f, 70, JET_bitSeekGE), JET_errSuccess);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &sixty, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSetIndexRange(f.e->ses, f.kv.t, JET_bitRangeUpperLimit | JET_bitRangeInclusive),
                     JET_errNoCurrentRecord);
    /* Errors. */
    assert_int_equal(JetSetIndexRange(f.e->ses, f.kv.t, JET_bitRangeUpperLimit), JET_errKeyNotMade);
    assert_int_equal(JetMove(f.e->ses, f.kv.t, JET_MoveLast, 0), JET_errSuccess);
    assert_int_equal(JetMove(f.e->ses, f.kv.t, JET_MoveNext, 0), JET_errNoCurrentRecord);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &sixty, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSetIndexRange(f.e->ses, f.kv.t, JET_bitRangeUpperLimit), JET_errNoCurrentRecord);
}

static void test_index_range_lower_limit_walking_backwards(void **state)
{
    struct fx f = setup_fx(state);
    int32_t forty = 40;
    assert_int_equal(seek(&f, 80, JET_bitSeekLE), JET_errSuccess);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &forty, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSetIndexRange(f.e->ses, f.kv.t, JET_bitRangeInclusive), JET_errSuccess);
    long want = 80;
    int n = 0;
    JET_ERR err;
    do {
        assert_int_equal(cur_key(&f), want);
        want -= 10;
        n++;
    } while ((err = JetMove(f.e->ses, f.kv.t, JET_MovePrevious, 0)) == JET_errSuccess);
    assert_int_equal(err, JET_errNoCurrentRecord);
    assert_int_equal(n, 5); /* 80, 70, 60, 50, 40 */
}

/* Table "words" with a Text primary key. */
static void test_text_prefix_limits(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID w;
    static const char key[] = "+w\0";
    const char *words[] = {"b", "abd", "ab", "a", "abc", "abcdef", "ac"};
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "words", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "w", JET_coltypText, 0, &w), JET_errSuccess);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, key, sizeof key, 100), JET_errSuccess);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
        assert_int_equal(JetSetColumn(e->ses, t, w, words[i], strlen(words[i]), 0, NULL), JET_errSuccess);
        assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errSuccess);
    }
    /* Every word starting with "ab": seek GE "ab", upper limit "ab" as a substring limit. */
    assert_int_equal(JetMakeKey(e->ses, t, "ab", 2, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSeek(e->ses, t, JET_bitSeekGE), JET_errSuccess);
    assert_int_equal(JetMakeKey(e->ses, t, "ab", 2, JET_bitNewKey | JET_bitSubStrLimit), JET_errSuccess);
    assert_int_equal(JetSetIndexRange(e->ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive), JET_errSuccess);
    const char *want[] = {"ab", "abc", "abcdef", "abd"};
    int n = 0;
    JET_ERR err;
    do {
        char s[16];
        unsigned long cb;
        assert_true(n < 4);
        assert_int_equal(JetRetrieveColumn(e->ses, t, w, s, sizeof s - 1, &cb, 0, NULL), JET_errSuccess);
        s[cb] = 0;
        assert_string_equal(s, want[n]);
        n++;
    } while ((err = JetMove(e->ses, t, JET_MoveNext, 0)) == JET_errSuccess);
    assert_int_equal(n, 4);
    /* StrLimit: "ab" itself only. */
    assert_int_equal(JetMakeKey(e->ses, t, "ab", 2, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSeek(e->ses, t, JET_bitSeekGE), JET_errSuccess);
    assert_int_equal(JetMakeKey(e->ses, t, "ab", 2, JET_bitNewKey | JET_bitStrLimit), JET_errSuccess);
    assert_int_equal(JetSetIndexRange(e->ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive), JET_errSuccess);
    assert_int_equal(JetMove(e->ses, t, JET_MoveNext, 0), JET_errNoCurrentRecord);
    /* Case-insensitive text seek. */
    assert_int_equal(JetMakeKey(e->ses, t, "ABC", 3, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSeek(e->ses, t, JET_bitSeekEQ), JET_errSuccess);
}

/* ---- moves ----------------------------------------------------------------------------------------- */
static void test_move_first_last_next_previous(void **state)
{
    struct fx f = setup_fx(state);
    JET_SESID s = f.e->ses;
    JET_TABLEID t = f.kv.t;
    /* A fresh cursor is before the first record. */
    assert_int_equal(JetMove(s, t, 0, 0), JET_errNoCurrentRecord);
    assert_int_equal(JetMove(s, t, JET_MoveNext, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 10);
    assert_int_equal(JetMove(s, t, JET_MoveLast, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 100);
    assert_int_equal(JetMove(s, t, JET_MoveNext, 0), JET_errNoCurrentRecord);
    /* After the last: moving back gives the last again. */
    assert_int_equal(JetMove(s, t, JET_MovePrevious, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 100);
    assert_int_equal(JetMove(s, t, JET_MoveFirst, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 10);
    assert_int_equal(JetMove(s, t, 0, 0), JET_errSuccess);
    assert_int_equal(JetMove(s, t, JET_MovePrevious, 0), JET_errNoCurrentRecord);
    assert_int_equal(JetMove(s, t, JET_MoveNext, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 10);
    /* By counts. */
    assert_int_equal(JetMove(s, t, 3, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 40);
    assert_int_equal(JetMove(s, t, -2, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 20);
    assert_int_equal(JetMove(s, t, 8, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 100);
    assert_int_equal(JetMove(s, t, -20, 0), JET_errNoCurrentRecord);
    assert_int_equal(JetMove(s, t, JET_MoveFirst, 0), JET_errSuccess);
    assert_int_equal(JetMove(s, t, 20, 0), JET_errNoCurrentRecord);
    /* A full walk both ways. */
    long k = 100;
    for (JET_ERR err = JetMove(s, t, JET_MoveLast, 0); err >= 0; err = JetMove(s, t, JET_MovePrevious, 0)) {
        assert_int_equal(cur_key(&f), k);
        k -= 10;
    }
    assert_int_equal(k, 0);
}

static void test_no_current_record(void **state)
{
    struct fx f = setup_fx(state);
    char buf[16];
    unsigned long cb;
    JET_TABLEID t2;
    assert_int_equal(JetOpenTable(f.e->ses, f.e->dbid, "tens", NULL, 0, 0, &t2), JET_errSuccess);
    assert_int_equal(JetRetrieveColumn(f.e->ses, t2, f.kv.v, buf, sizeof buf, &cb, 0, NULL), JET_errNoCurrentRecord);
    assert_int_equal(JetRetrieveKey(f.e->ses, t2, buf, sizeof buf, &cb, 0), JET_errNoCurrentRecord);
    assert_int_equal(JetGetBookmark(f.e->ses, t2, buf, sizeof buf, &cb), JET_errNoCurrentRecord);
    assert_int_equal(JetDelete(f.e->ses, t2), JET_errNoCurrentRecord);
    assert_int_equal(JetPrepareUpdate(f.e->ses, t2, JET_prepReplaceNoLock), JET_errNoCurrentRecord);
    /* Past the end. */
    assert_int_equal(JetMove(f.e->ses, t2, JET_MoveLast, 0), JET_errSuccess);
    assert_int_equal(JetMove(f.e->ses, t2, JET_MoveNext, 0), JET_errNoCurrentRecord);
    assert_int_equal(JetRetrieveColumn(f.e->ses, t2, f.kv.v, buf, sizeof buf, &cb, 0, NULL), JET_errNoCurrentRecord);
    /* An empty table. */
    struct tfx_kv empty;
    assert_int_equal(tfx_kv_create(f.e->ses, f.e->dbid, "none", &empty), JET_errSuccess);
    assert_int_equal(JetMove(f.e->ses, empty.t, JET_MoveFirst, 0), JET_errNoCurrentRecord);
    assert_int_equal(JetMove(f.e->ses, empty.t, JET_MoveLast, 0), JET_errNoCurrentRecord);
    assert_int_equal(JetMove(f.e->ses, empty.t, JET_MoveNext, 0), JET_errNoCurrentRecord);
}

/* ---- retrieving -------------------------------------------------------------------------------------- */
static void test_retrieve_column_truncation_null_and_offsets(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    char big[5000], buf[5000];
    unsigned long cb = 0;
    tfx_fill(big, sizeof big, 11, 12);
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "r", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, big, sizeof big), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 2, NULL, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    /* Truncated: the first bytes, and the full size in pcbActual. */
    memset(buf, 0, sizeof buf);
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, buf, 100, &cb, 0, NULL), JET_wrnBufferTruncated);
    assert_int_equal(cb, sizeof big);
    assert_memory_equal(buf, big, 100);
    assert_int_equal(buf[100], 0);
    /* Size only. */
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, NULL, 0, &cb, 0, NULL), JET_wrnBufferTruncated);
    assert_int_equal(cb, sizeof big);
    /* From an offset. */
    JET_RETINFO ri = {sizeof ri, 4000, 1, 0};
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, buf, sizeof buf, &cb, 0, &ri), JET_errSuccess);
    assert_int_equal(cb, 1000);
    assert_memory_equal(buf, big + 4000, 1000);
    ri.ibLongValue = 4990;
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, buf, 4, &cb, 0, &ri), JET_wrnBufferTruncated);
    assert_int_equal(cb, 10);
    assert_memory_equal(buf, big + 4990, 4);
    ri.ibLongValue = 6000;
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, buf, sizeof buf, &cb, 0, &ri), JET_errSuccess);
    assert_int_equal(cb, 0);
    /* NULL. */
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 2), JET_errSuccess);
    cb = 99;
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, buf, sizeof buf, &cb, 0, NULL), JET_wrnColumnNull);
    assert_int_equal(cb, 0);
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, 4242, buf, sizeof buf, &cb, 0, NULL), JET_errColumnNotFound);
    /* The copy buffer of an update being built. */
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepReplace), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, "new", 3, 0, NULL), JET_errSuccess);
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, buf, sizeof buf, &cb, JET_bitRetrieveCopy, NULL),
                     JET_errSuccess);
    assert_int_equal(cb, 3);
    assert_memory_equal(buf, "new", 3);
    /* The record itself is unchanged until JetUpdate. */
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, buf, sizeof buf, &cb, 0, NULL), JET_wrnColumnNull);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, buf, sizeof buf, &cb, 0, NULL), JET_errSuccess);
    assert_int_equal(cb, 3);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
}

static void test_retrieve_key_and_normalized_seek(void **state)
{
    struct fx f = setup_fx(state);
    unsigned char key[64], made[64];
    unsigned long cb = 0, cbm = 0;
    assert_int_equal(seek(&f, 70, JET_bitSeekEQ), JET_errSuccess);
    assert_int_equal(JetRetrieveKey(f.e->ses, f.kv.t, key, sizeof key, &cb, 0), JET_errSuccess);
    assert_true(cb > 4);
    /* The key being made, normalized the same way. */
    int32_t k = 70;
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &k, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetRetrieveKey(f.e->ses, f.kv.t, made, sizeof made, &cbm, JET_bitRetrieveCopy), JET_errSuccess);
    assert_int_equal(cbm, cb);
    assert_memory_equal(made, key, cb);
    /* A normalized key seeks directly. */
    assert_int_equal(JetMove(f.e->ses, f.kv.t, JET_MoveFirst, 0), JET_errSuccess);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, key, cb, JET_bitNewKey | JET_bitNormalizedKey), JET_errSuccess);
    assert_int_equal(JetSeek(f.e->ses, f.kv.t, JET_bitSeekEQ), JET_errSuccess);
    assert_int_equal(cur_key(&f), 70);
    /* Keys order like the values: 70's key sorts between 60's and 80's. */
    unsigned char k60[64], k80[64];
    unsigned long c60, c80;
    assert_int_equal(seek(&f, 60, JET_bitSeekEQ), JET_errSuccess);
    assert_int_equal(JetRetrieveKey(f.e->ses, f.kv.t, k60, sizeof k60, &c60, 0), JET_errSuccess);
    assert_int_equal(seek(&f, 80, JET_bitSeekEQ), JET_errSuccess);
    assert_int_equal(JetRetrieveKey(f.e->ses, f.kv.t, k80, sizeof k80, &c80, 0), JET_errSuccess);
    assert_true(memcmp(k60, key, cb) < 0 && memcmp(key, k80, cb) < 0);
    /* Too small a buffer: the key is truncated, with a warning. */
    unsigned char small[2];
    assert_int_equal(JetRetrieveKey(f.e->ses, f.kv.t, small, sizeof small, &cb, 0), JET_wrnBufferTruncated);
    assert_int_equal(cb, c80);
    assert_memory_equal(small, k80, 2);
    assert_int_equal(JetMakeKey(f.e->ses, f.kv.t, &k, 4, JET_bitNewKey), JET_errSuccess);
    assert_int_equal(JetSeek(f.e->ses, f.kv.t, JET_bitSeekEQ), JET_errSuccess);
    assert_int_equal(JetRetrieveKey(f.e->ses, f.kv.t, made, sizeof made, &cbm, JET_bitRetrieveCopy), JET_errKeyNotMade);
}

static void test_bookmarks(void **state)
{
    struct fx f = setup_fx(state);
    unsigned char bm[64], bm2[64];
    unsigned long cb = 0, cb2 = 0;
    assert_int_equal(seek(&f, 50, JET_bitSeekEQ), JET_errSuccess);
    assert_int_equal(JetGetBookmark(f.e->ses, f.kv.t, bm, sizeof bm, &cb), JET_errSuccess);
    assert_true(cb > 0);
    assert_int_equal(JetMove(f.e->ses, f.kv.t, JET_MoveLast, 0), JET_errSuccess);
    assert_int_equal(JetGotoBookmark(f.e->ses, f.kv.t, bm, cb), JET_errSuccess);
    assert_int_equal(cur_key(&f), 50);
    /* Moving on from a bookmark continues in key order. */
    assert_int_equal(JetMove(f.e->ses, f.kv.t, JET_MoveNext, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 60);
    /* Too small a buffer. */
    assert_int_equal(JetGetBookmark(f.e->ses, f.kv.t, bm2, 1, &cb2), JET_errBufferTooSmall);
    /* JetUpdate returns the new record's bookmark. */
    int32_t k = 55;
    assert_int_equal(JetPrepareUpdate(f.e->ses, f.kv.t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(f.e->ses, f.kv.t, f.kv.k, &k, 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(f.e->ses, f.kv.t, bm2, sizeof bm2, &cb2), JET_errSuccess);
    assert_int_equal(JetGotoBookmark(f.e->ses, f.kv.t, bm2, cb2), JET_errSuccess);
    assert_int_equal(cur_key(&f), 55);
    /* A bookmark of a deleted record. */
    assert_int_equal(tfx_kv_delete(f.e->ses, &f.kv, 50), JET_errSuccess);
    assert_int_equal(JetGotoBookmark(f.e->ses, f.kv.t, bm, cb), JET_errRecordDeleted);
    assert_int_equal(JetGotoBookmark(f.e->ses, f.kv.t, NULL, 0), JET_errInvalidBookmark);
}

static void test_cursor_keeps_its_place_while_others_change_the_table(void **state)
{
    struct fx f = setup_fx(state);
    JET_SESID other;
    struct tfx_kv okv;
    assert_int_equal(JetBeginSession(f.e->inst, &other, NULL, NULL), JET_errSuccess);
    JET_DBID odb;
    assert_int_equal(JetOpenDatabase(other, f.e->dbpath, NULL, &odb, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_open(other, odb, "tens", &okv), JET_errSuccess);
    assert_int_equal(seek(&f, 50, JET_bitSeekEQ), JET_errSuccess);
    /* Another session inserts 55, deletes 60 and adds many records (splitting pages). */
    char val[1500];
    assert_int_equal(JetBeginTransaction(other), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(other, &okv, 55, "v55", 3), JET_errSuccess);
    assert_int_equal(tfx_kv_delete(other, &okv, 60), JET_errSuccess);
    for (long k = 1000; k < 1400; k++) {
        tfx_fill(val, sizeof val, 5, (uint64_t)k);
        assert_int_equal(tfx_kv_insert(other, &okv, k, val, sizeof val), JET_errSuccess);
    }
    /* Not yet committed: the first cursor does not see any of it. */
    assert_int_equal(JetMove(f.e->ses, f.kv.t, JET_MoveNext, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 60);
    assert_int_equal(JetMove(f.e->ses, f.kv.t, JET_MovePrevious, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 50);
    assert_int_equal(JetCommitTransaction(other, 0), JET_errSuccess);
    /* Committed: it does. */
    assert_int_equal(JetMove(f.e->ses, f.kv.t, JET_MoveNext, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 55);
    assert_int_equal(JetMove(f.e->ses, f.kv.t, JET_MoveNext, 0), JET_errSuccess);
    assert_int_equal(cur_key(&f), 70);
    assert_int_equal(tfx_count(f.e->ses, f.kv.t), 10 + 400);
    assert_int_equal(JetEndSession(other, 0), JET_errSuccess);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup_db, tfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_seek_eq),
        T(test_seek_ge_and_le),
        T(test_seek_gt_and_lt),
        T(test_seek_on_an_empty_table),
        T(test_keys_must_be_made),
        T(test_partial_key_seeks_and_range),
        T(test_index_range_upper_limits),
        T(test_index_range_lower_limit_walking_backwards),
        T(test_text_prefix_limits),
        T(test_move_first_last_next_previous),
        T(test_no_current_record),
        T(test_retrieve_column_truncation_null_and_offsets),
        T(test_retrieve_key_and_normalized_seek),
        T(test_bookmarks),
        T(test_cursor_keeps_its_place_while_others_change_the_table),
    };
#undef T
    return cmocka_run_group_tests_name("cursor", tests, NULL, NULL);
}
