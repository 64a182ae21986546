/*
 * test_records.c — record contents (engine/src/update.c, record.c, btree.c's long values) against
 * jet.h: JetSetColumn / JetRetrieveColumn for big values, autoincrement, multi-valued columns,
 * defaults, NULL and zero-length values, JET_prepInsertCopy.
 *
 * Proves: a record of 1 MiB (one long value, or several, or built by JET_bitSetAppendLV) spans
 * pages and comes back byte for byte, after a replace, a clean restart and a crash recovery; its
 * pages are reused when it shrinks or goes; anything past JET_cbRecordMostX is refused;
 * JET_bitSetOverwriteLV writes inside a long value; autoincrement values are assigned at
 * JetPrepareUpdate, readable in the copy, increasing, and continue after a restart;
 * multi-valued columns append, address, replace and remove values by itagSequence; defaults are
 * returned for unset columns unless JET_bitRetrieveIgnoreDefault; NULL and zero-length differ.
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

#define MIB (1024u * 1024u)

static unsigned char *make_bytes(size_t len, uint64_t tag)
{
    unsigned char *p = malloc(len ? len : 1);
    assert_non_null(p);
    tfx_fill(p, len, 0xB16, tag);
    return p;
}

static void expect_column(JET_SESID ses, JET_TABLEID t, JET_COLUMNID c, const unsigned char *want, size_t len)
{
    unsigned char *got = malloc(len + 16);
    unsigned long cb = 0;
    assert_non_null(got);
    assert_int_equal(JetRetrieveColumn(ses, t, c, got, (unsigned long)len + 16, &cb, 0, NULL), JET_errSuccess);
    assert_int_equal(cb, len);
    assert_memory_equal(got, want, len);
    free(got);
}

static unsigned long space_owned(struct tfx_env *e)
{
    unsigned long pages = 0;
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, &pages, sizeof pages, JET_DbInfoSpaceOwned), JET_errSuccess);
    return pages;
}

static void test_one_mib_record_spans_pages_and_survives_restart_and_crash(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    unsigned char *big = make_bytes(MIB, 1);
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    unsigned long empty = space_owned(e);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, big, MIB), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 2, "small", 5), JET_errSuccess);
    assert_true(space_owned(e) >= empty + MIB / 8192);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    expect_column(e->ses, kv.t, kv.v, big, MIB);
    /* Reads from an offset deep inside the value. */
    unsigned char part[5000];
    unsigned long cb = 0;
    JET_RETINFO ri = {sizeof ri, MIB - 3000, 1, 0};
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, part, sizeof part, &cb, 0, &ri), JET_errSuccess);
    assert_int_equal(cb, 3000);
    assert_memory_equal(part, big + MIB - 3000, 3000);
    /* Clean restart. */
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    expect_column(e->ses, kv.t, kv.v, big, MIB);
    /* Replace it with another 1 MiB value, then crash: recovery rebuilds it from the log. */
    unsigned char *big2 = make_bytes(MIB, 2);
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 1, big2, MIB), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 3, big, MIB / 2), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    expect_column(e->ses, kv.t, kv.v, big2, MIB);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 3), JET_errSuccess);
    expect_column(e->ses, kv.t, kv.v, big, MIB / 2);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 2), JET_errSuccess);
    expect_column(e->ses, kv.t, kv.v, (const unsigned char *)"small", 5);
    free(big);
    free(big2);
}

static void test_long_value_pages_are_reused(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    unsigned char *big = make_bytes(MIB / 2, 3);
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, big, MIB / 2), JET_errSuccess);
    unsigned long one = space_owned(e);
    /* Replacing it again and again, shrinking it, deleting and re-inserting it: the file does
     * not keep growing. */
    for (int round = 0; round < 6; round++) {
        tfx_fill(big, MIB / 2, 0xB16, 100 + (uint64_t)round);
        assert_int_equal(tfx_kv_replace(e->ses, &kv, 1, big, MIB / 2), JET_errSuccess);
    }
    assert_int_equal(tfx_kv_replace(e->ses, &kv, 1, "tiny", 4), JET_errSuccess);
    assert_int_equal(tfx_kv_delete(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, big, MIB / 2), JET_errSuccess);
    assert_true(space_owned(e) <= one + 8);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    expect_column(e->ses, kv.t, kv.v, big, MIB / 2);
    free(big);
}

static void test_several_long_values_in_one_record(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID k, a, b, c;
    static const char key[] = "+k\0";
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "multi", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "k", JET_coltypLong, 0, &k), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "a", JET_coltypLongBinary, 0, &a), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "b", JET_coltypLongText, 0, &b), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "c", JET_coltypLongBinary, 0, &c), JET_errSuccess);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, key, sizeof key, 100), JET_errSuccess);
    unsigned char *va = make_bytes(400000, 10), *vb = make_bytes(300000, 11), *vc = make_bytes(348000, 12);
    int32_t one = 1;
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, t, k, &one, 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, t, a, va, 400000, 0, NULL), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, t, b, vb, 300000, 0, NULL), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, t, c, vc, 348000, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    assert_int_equal(JetMove(e->ses, t, JET_MoveFirst, 0), JET_errSuccess);
    expect_column(e->ses, t, a, va, 400000);
    expect_column(e->ses, t, b, vb, 300000);
    expect_column(e->ses, t, c, vc, 348000);
    /* Past JET_cbRecordMostX the record is refused, and the table is unchanged. */
    unsigned char *huge = make_bytes(JET_cbRecordMostX, 13);
    int32_t two = 2;
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, t, k, &two, 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, t, a, huge, JET_cbRecordMostX + 1, 0, NULL), JET_errColumnTooBig);
    assert_int_equal(JetSetColumn(e->ses, t, a, huge, JET_cbRecordMostX / 2, 0, NULL), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, t, c, huge, JET_cbRecordMostX / 2, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errRecordTooBig);
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepCancel), JET_errSuccess);
    assert_int_equal(tfx_count(e->ses, t), 1);
    free(va);
    free(vb);
    free(vc);
    free(huge);
}

static void test_append_and_overwrite_long_values(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    unsigned char *big = make_bytes(MIB, 20);
    int32_t k = 1;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.k, &k, 4, 0, NULL), JET_errSuccess);
    for (size_t off = 0; off < MIB; off += 65536)
        assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, big + off, 65536, JET_bitSetAppendLV, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    expect_column(e->ses, kv.t, kv.v, big, MIB);
    /* Overwrite 10 bytes in the middle, and grow it past its end. */
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepReplace), JET_errSuccess);
    JET_SETINFO si = {sizeof si, 500000, 1};
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, "0123456789", 10, JET_bitSetOverwriteLV, &si), JET_errSuccess);
    si.ibLongValue = MIB - 2;
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, "TAIL", 4, JET_bitSetOverwriteLV, &si), JET_errSuccess);
    si.ibLongValue = MIB + 100; /* past the end: refused */
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, "X", 1, JET_bitSetOverwriteLV, &si), JET_errInvalidParameter);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    memcpy(big + 500000, "0123456789", 10);
    unsigned char *want = malloc(MIB + 2);
    assert_non_null(want);
    memcpy(want, big, MIB - 2);
    memcpy(want + MIB - 2, "TAIL", 4);
    expect_column(e->ses, kv.t, kv.v, want, MIB + 2);
    free(want);
    free(big);
}

/* ---- autoincrement -------------------------------------------------------------------------------- */
static void test_autoincrement(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID id, name, big;
    static const char key[] = "+id\0";
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "auto", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "id", JET_coltypLong, JET_bitColumnAutoincrement, &id), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "name", JET_coltypText, 0, &name), JET_errSuccess);
    /* One autoincrement column per table, as in ESE. */
    assert_int_equal(tfx_add_column(e->ses, t, "big", JET_coltypLongLong, JET_bitColumnAutoincrement, &big),
                     JET_errColumnRedundant);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, key, sizeof key, 100), JET_errSuccess);
    int32_t last = 0;
    for (int i = 0; i < 5; i++) {
        int32_t v = 0;
        unsigned long cb = 0;
        assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
        /* Assigned at prepare, readable in the copy. */
        assert_int_equal(JetRetrieveColumn(e->ses, t, id, &v, sizeof v, &cb, JET_bitRetrieveCopy, NULL), JET_errSuccess);
        assert_int_equal(cb, 4);
        assert_true(v > last);
        last = v;
        assert_int_equal(JetSetColumn(e->ses, t, name, "n", 1, 0, NULL), JET_errSuccess);
        assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errSuccess);
    }
    assert_int_equal(last, 5);
    assert_int_equal(tfx_count(e->ses, t), 5);
    /* Ascending in key order. */
    int32_t prev = 0;
    for (JET_ERR err = JetMove(e->ses, t, JET_MoveFirst, 0); err >= 0; err = JetMove(e->ses, t, JET_MoveNext, 0)) {
        long v = tfx_current_long(e->ses, t, id);
        assert_true(v > prev);
        prev = (int32_t)v;
    }
    /* A cancelled insert does not hand its value out again. */
    int32_t cancelled = 0;
    unsigned long cb = 0;
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetRetrieveColumn(e->ses, t, id, &cancelled, 4, &cb, JET_bitRetrieveCopy, NULL), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepCancel), JET_errSuccess);
    /* After a restart the sequence continues above every stored value. */
    assert_int_equal(JetCloseTable(e->ses, t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(JetOpenTable(e->ses, e->dbid, "auto", NULL, 0, 0, &t), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
    int32_t after = 0;
    assert_int_equal(JetRetrieveColumn(e->ses, t, id, &after, 4, &cb, JET_bitRetrieveCopy, NULL), JET_errSuccess);
    assert_true(after > last);
    assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(tfx_count(e->ses, t), 6);
    /* A LongLong autoincrement column counts in 8 bytes. */
    JET_TABLEID t64;
    JET_COLUMNID c64;
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "auto64", 0, 100, &t64), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t64, "id", JET_coltypLongLong, JET_bitColumnAutoincrement, &c64),
                     JET_errSuccess);
    for (int64_t want = 1; want <= 3; want++) {
        int64_t got = 0;
        assert_int_equal(JetPrepareUpdate(e->ses, t64, JET_prepInsert), JET_errSuccess);
        assert_int_equal(JetRetrieveColumn(e->ses, t64, c64, &got, 8, &cb, JET_bitRetrieveCopy, NULL), JET_errSuccess);
        assert_int_equal(cb, 8);
        assert_int_equal(got, want);
        assert_int_equal(JetUpdate(e->ses, t64, NULL, 0, NULL), JET_errSuccess);
    }
}

/* ---- multi-valued columns ------------------------------------------------------------------------ */
static long mv_get(JET_SESID ses, JET_TABLEID t, JET_COLUMNID c, unsigned long itag, JET_ERR *perr)
{
    int32_t v = 0;
    unsigned long cb = 0;
    JET_RETINFO ri = {sizeof ri, 0, itag, 0};
    *perr = JetRetrieveColumn(ses, t, c, &v, sizeof v, &cb, 0, &ri);
    return v;
}

static void test_multi_valued_columns(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    JET_COLUMNID tags;
    JET_ERR err;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, kv.t, "tags", JET_coltypLong, JET_bitColumnTagged | JET_bitColumnMultiValued,
                                    &tags),
                     JET_errSuccess);
    int32_t k = 1;
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.k, &k, 4, 0, NULL), JET_errSuccess);
    for (int32_t v = 10; v <= 40; v += 10) {
        JET_SETINFO si = {sizeof si, 0, 0}; /* itagSequence 0: a new value */
        assert_int_equal(JetSetColumn(e->ses, kv.t, tags, &v, 4, 0, &si), JET_errSuccess);
    }
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    for (unsigned long i = 1; i <= 4; i++) {
        assert_int_equal(mv_get(e->ses, kv.t, tags, i, &err), (long)i * 10);
        assert_int_equal(err, JET_errSuccess);
    }
    mv_get(e->ses, kv.t, tags, 5, &err);
    assert_int_equal(err, JET_wrnColumnNull);
    /* Replace the 2nd value, remove the 3rd (later ones move up). */
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepReplace), JET_errSuccess);
    int32_t v22 = 22;
    JET_SETINFO si2 = {sizeof si2, 0, 2};
    assert_int_equal(JetSetColumn(e->ses, kv.t, tags, &v22, 4, 0, &si2), JET_errSuccess);
    JET_SETINFO si3 = {sizeof si3, 0, 3};
    assert_int_equal(JetSetColumn(e->ses, kv.t, tags, NULL, 0, 0, &si3), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    const long want[] = {10, 22, 40};
    for (unsigned long i = 1; i <= 3; i++) {
        assert_int_equal(mv_get(e->ses, kv.t, tags, i, &err), want[i - 1]);
        assert_int_equal(err, JET_errSuccess);
    }
    mv_get(e->ses, kv.t, tags, 4, &err);
    assert_int_equal(err, JET_wrnColumnNull);
    /* The values survive a crash. */
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    for (unsigned long i = 1; i <= 3; i++) assert_int_equal(mv_get(e->ses, kv.t, tags, i, &err), want[i - 1]);
}

/* ---- defaults, NULL, zero length, copies --------------------------------------------------------- */
static void test_defaults_null_and_zero_length(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    JET_COLUMNID def_col, txt;
    JET_COLUMNDEF cd;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    memset(&cd, 0, sizeof cd);
    cd.cbStruct = sizeof cd;
    cd.coltyp = JET_coltypLong;
    int32_t dflt = 4242;
    assert_int_equal(JetAddColumn(e->ses, kv.t, "d", &cd, &dflt, 4, &def_col), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, kv.t, "txt", JET_coltypText, 0, &txt), JET_errSuccess);
    /* Not set: the default; unless asked to ignore it. */
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, NULL, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(tfx_current_long(e->ses, kv.t, def_col), 4242);
    int32_t v = 0;
    unsigned long cb = 99;
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, def_col, &v, 4, &cb, JET_bitRetrieveIgnoreDefault, NULL),
                     JET_wrnColumnNull);
    assert_int_equal(cb, 0);
    /* Set: the value. */
    int32_t k = 2, mine = 7;
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.k, &k, 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, def_col, &mine, 4, 0, NULL), JET_errSuccess);
    /* NULL and zero-length are different things. */
    assert_int_equal(JetSetColumn(e->ses, kv.t, txt, "", 0, JET_bitSetZeroLength, NULL), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, "gone", 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.v, NULL, 0, 0, NULL), JET_errSuccess); /* back to NULL */
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 2), JET_errSuccess);
    assert_int_equal(tfx_current_long(e->ses, kv.t, def_col), 7);
    char buf[8];
    cb = 99;
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, txt, buf, sizeof buf, &cb, 0, NULL), JET_errSuccess);
    assert_int_equal(cb, 0);
    cb = 99;
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, kv.v, buf, sizeof buf, &cb, 0, NULL), JET_wrnColumnNull);
    assert_int_equal(cb, 0);
    /* Record 1's text column was never set: NULL. */
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(JetRetrieveColumn(e->ses, kv.t, txt, buf, sizeof buf, &cb, 0, NULL), JET_wrnColumnNull);
}

static void test_insert_copy_duplicates_the_current_record(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    unsigned char *val = make_bytes(30000, 30);
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, val, 30000), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, kv.t, JET_prepInsertCopy), JET_errSuccess);
    /* Same key: a duplicate. */
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errKeyDuplicate);
    int32_t k = 2;
    assert_int_equal(JetSetColumn(e->ses, kv.t, kv.k, &k, 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, kv.t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 2), JET_errSuccess);
    expect_column(e->ses, kv.t, kv.v, val, 30000);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    expect_column(e->ses, kv.t, kv.v, val, 30000);
    free(val);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup_db, tfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_one_mib_record_spans_pages_and_survives_restart_and_crash),
        T(test_long_value_pages_are_reused),
        T(test_several_long_values_in_one_record),
        T(test_append_and_overwrite_long_values),
        T(test_autoincrement),
        T(test_multi_valued_columns),
        T(test_defaults_null_and_zero_length),
        T(test_insert_copy_duplicates_the_current_record),
    };
#undef T
    return cmocka_run_group_tests_name("records", tests, NULL, NULL);
}
