/*
 * test_table.c — data definition (engine/src/ddl.c, catalog.c, key.c) against jet.h: JetCreateTable,
 * JetOpenTable, JetCloseTable, JetDeleteTable, JetAddColumn, JetGetTableColumnInfo,
 * JetGetColumnInfo, JetCreateIndex, JetSetCurrentIndex.
 *
 * Proves: tables are created open, found case-insensitively, refused when duplicate or badly named,
 * deleted only when no cursor uses them (their pages are reused); every column type stores and
 * returns its bytes and gets an id in ESE's range (fixed 1-127, variable 128-255, tagged/long
 * 256+); definitions survive a restart and are not undone by a rollback; a primary index over one
 * or several columns, ascending or descending, orders records by normalized key (signed and
 * floating-point numbers in numeric order, text case-insensitively); the documented errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../common/jetfx.h"

static void test_create_table_returns_an_open_cursor(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t, t2;
    JET_COLUMNID c;
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "Orders", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "n", JET_coltypLong, 0, &c), JET_errSuccess);
    assert_int_equal(tfx_count(e->ses, t), 0);
    assert_int_equal(JetMove(e->ses, t, JET_MoveFirst, 0), JET_errNoCurrentRecord);
    /* Names are case-insensitive, as in ESE. */
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "ORDERS", 0, 100, &t2), JET_errTableDuplicate);
    assert_int_equal(JetOpenTable(e->ses, e->dbid, "orders", NULL, 0, 0, &t2), JET_errSuccess);
    assert_true(t2 != t);
    assert_int_equal(JetCloseTable(e->ses, t2), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, t2), JET_errInvalidTableId);
    assert_int_equal(JetMove(e->ses, t2, JET_MoveFirst, 0), JET_errInvalidTableId);
    assert_int_equal(JetCloseTable(e->ses, t), JET_errSuccess);
}

static void test_table_name_and_argument_errors(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    char longname[80];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "", 0, 100, &t), JET_errInvalidName);
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "a.b", 0, 100, &t), JET_errInvalidName);
    assert_int_equal(JetCreateTable(e->ses, e->dbid, " lead", 0, 100, &t), JET_errInvalidName);
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "x[1]", 0, 100, &t), JET_errInvalidName);
    assert_int_equal(JetCreateTable(e->ses, e->dbid, longname, 0, 100, &t), JET_errInvalidName);
    longname[64] = 0; /* the longest name allowed */
    assert_int_equal(JetCreateTable(e->ses, e->dbid, longname, 0, 100, &t), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, t), JET_errSuccess);
    assert_int_equal(JetCreateTable(e->ses, 77, "t", 0, 100, &t), JET_errInvalidDatabaseId);
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "t", 0, 100, NULL), JET_errInvalidParameter);
    assert_int_equal(JetOpenTable(e->ses, e->dbid, "missing", NULL, 0, 0, &t), JET_errObjectNotFound);
    assert_int_equal(JetOpenTable(e->ses, 77, "t", NULL, 0, 0, &t), JET_errInvalidDatabaseId);
    assert_int_equal(JetDeleteTable(e->ses, e->dbid, "missing"), JET_errObjectNotFound);
    assert_int_equal(JetCreateTable((JET_SESID)0x1234, e->dbid, "t", 0, 100, &t), JET_errInvalidSesid);
}

static void test_delete_table_needs_every_cursor_closed_and_frees_pages(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    char val[3000];
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "big", &kv), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    for (int i = 0; i < 300; i++) {
        tfx_fill(val, sizeof val, 1, (uint64_t)i);
        assert_int_equal(tfx_kv_insert(e->ses, &kv, i, val, sizeof val), JET_errSuccess);
    }
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    unsigned long pages_full = 0, pages_after = 0;
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, &pages_full, sizeof pages_full, JET_DbInfoSpaceOwned),
                     JET_errSuccess);
    assert_int_equal(JetDeleteTable(e->ses, e->dbid, "big"), JET_errTableInUse);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(JetDeleteTable(e->ses, e->dbid, "BIG"), JET_errSuccess);
    assert_int_equal(JetOpenTable(e->ses, e->dbid, "big", NULL, 0, 0, &kv.t), JET_errObjectNotFound);
    assert_int_equal(JetDeleteTable(e->ses, e->dbid, "big"), JET_errObjectNotFound);
    /* The same volume again fits in the freed pages: the file does not grow much. */
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "big2", &kv), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    for (int i = 0; i < 300; i++) {
        tfx_fill(val, sizeof val, 2, (uint64_t)i);
        assert_int_equal(tfx_kv_insert(e->ses, &kv, i, val, sizeof val), JET_errSuccess);
    }
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    assert_int_equal(JetGetDatabaseInfo(e->ses, e->dbid, &pages_after, sizeof pages_after, JET_DbInfoSpaceOwned),
                     JET_errSuccess);
    assert_true(pages_after <= pages_full + 4);
    assert_int_equal(tfx_count(e->ses, kv.t), 300);
    /* A deleted table's name can be used again. */
    struct tfx_kv again;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "big", &again), JET_errSuccess);
    assert_int_equal(tfx_count(e->ses, again.t), 0);
}

/* ---- columns ----------------------------------------------------------------------------------- */
struct typed {
    const char *name;
    JET_COLTYP coltyp;
    unsigned len; /* value length to store */
    JET_COLUMNID id;
};

static struct typed every_type[] = {
    {"bit", JET_coltypBit, 1, 0},
    {"ubyte", JET_coltypUnsignedByte, 1, 0},
    {"short", JET_coltypShort, 2, 0},
    {"ushort", JET_coltypUnsignedShort, 2, 0},
    {"long", JET_coltypLong, 4, 0},
    {"ulong", JET_coltypUnsignedLong, 4, 0},
    {"longlong", JET_coltypLongLong, 8, 0},
    {"ulonglong", JET_coltypUnsignedLongLong, 8, 0},
    {"currency", JET_coltypCurrency, 8, 0},
    {"single", JET_coltypIEEESingle, 4, 0},
    {"double", JET_coltypIEEEDouble, 8, 0},
    {"datetime", JET_coltypDateTime, 8, 0},
    {"guid", JET_coltypGUID, 16, 0},
    {"binary", JET_coltypBinary, 200, 0},
    {"text", JET_coltypText, 100, 0},
    {"longbinary", JET_coltypLongBinary, 50000, 0},
    {"longtext", JET_coltypLongText, 20000, 0},
};
#define NTYPES (sizeof every_type / sizeof every_type[0])

static void check_every_type_record(JET_SESID ses, JET_TABLEID t)
{
    static unsigned char want[50000], got[50000];
    assert_int_equal(JetMove(ses, t, JET_MoveFirst, 0), JET_errSuccess);
    for (size_t i = 0; i < NTYPES; i++) {
        unsigned long cb = 0;
        tfx_fill(want, every_type[i].len, 77, i);
        if (every_type[i].coltyp == JET_coltypBit) want[0] = 0xff;
        assert_int_equal(JetRetrieveColumn(ses, t, every_type[i].id, got, sizeof got, &cb, 0, NULL), JET_errSuccess);
        assert_int_equal(cb, every_type[i].len);
        assert_memory_equal(got, want, cb);
    }
}

static void test_every_column_type_round_trips_and_survives_restart(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    static unsigned char val[50000];
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "types", 0, 100, &t), JET_errSuccess);
    for (size_t i = 0; i < NTYPES; i++) {
        assert_int_equal(tfx_add_column(e->ses, t, every_type[i].name, every_type[i].coltyp, 0, &every_type[i].id),
                         JET_errSuccess);
        JET_COLUMNDEF def;
        assert_int_equal(JetGetTableColumnInfo(e->ses, t, every_type[i].name, &def, sizeof def, JET_ColInfo),
                         JET_errSuccess);
        assert_int_equal(def.columnid, every_type[i].id);
        assert_int_equal(def.coltyp, every_type[i].coltyp);
        /* ESE's column id ranges. */
        JET_COLTYP ct = every_type[i].coltyp;
        if (ct == JET_coltypLongBinary || ct == JET_coltypLongText)
            assert_true(def.columnid >= 256);
        else if (ct == JET_coltypBinary || ct == JET_coltypText)
            assert_true(def.columnid >= 128 && def.columnid <= 255);
        else
            assert_true(def.columnid >= 1 && def.columnid <= 127);
    }
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
    for (size_t i = 0; i < NTYPES; i++) {
        tfx_fill(val, every_type[i].len, 77, i);
        if (every_type[i].coltyp == JET_coltypBit) val[0] = 0xff;
        assert_int_equal(JetSetColumn(e->ses, t, every_type[i].id, val, every_type[i].len, 0, NULL), JET_errSuccess);
    }
    assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    check_every_type_record(e->ses, t);
    /* Wrong sizes for fixed types are refused. */
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, t, every_type[4].id, val, 3, 0, NULL), JET_errInvalidBufferSize);
    assert_int_equal(JetSetColumn(e->ses, t, every_type[12].id, val, 8, 0, NULL), JET_errInvalidBufferSize);
    /* Binary and Text hold at most 255 bytes. */
    assert_int_equal(JetSetColumn(e->ses, t, every_type[13].id, val, 256, 0, NULL), JET_errColumnTooBig);
    assert_int_equal(JetSetColumn(e->ses, t, 9999, val, 4, 0, NULL), JET_errColumnNotFound);
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepCancel), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, t), JET_errSuccess);
    /* Definitions and the record survive a clean restart. */
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(JetOpenTable(e->ses, e->dbid, "types", NULL, 0, 0, &t), JET_errSuccess);
    for (size_t i = 0; i < NTYPES; i++) {
        JET_COLUMNDEF def;
        assert_int_equal(JetGetColumnInfo(e->ses, e->dbid, "types", every_type[i].name, &def, sizeof def, JET_ColInfo),
                         JET_errSuccess);
        assert_int_equal(def.columnid, every_type[i].id);
        assert_int_equal(def.coltyp, every_type[i].coltyp);
    }
    check_every_type_record(e->ses, t);
}

static void test_add_column_errors(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID c;
    JET_COLUMNDEF def;
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "t", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "a", JET_coltypLong, 0, &c), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "A", JET_coltypText, 0, &c), JET_errColumnDuplicate);
    assert_int_equal(tfx_add_column(e->ses, t, "b", JET_coltypSLV, 0, &c), JET_errInvalidColumnType);
    assert_int_equal(tfx_add_column(e->ses, t, "b", JET_coltypNil, 0, &c), JET_errInvalidColumnType);
    assert_int_equal(tfx_add_column(e->ses, t, "b", 99, 0, &c), JET_errInvalidColumnType);
    assert_int_equal(tfx_add_column(e->ses, t, "", JET_coltypLong, 0, &c), JET_errInvalidName);
    assert_int_equal(tfx_add_column(e->ses, t, "a!", JET_coltypLong, 0, &c), JET_errInvalidName);
    assert_int_equal(tfx_add_column(e->ses, t, "b", JET_coltypText, JET_bitColumnAutoincrement, &c),
                     JET_errInvalidParameter);
    assert_int_equal(JetAddColumn(e->ses, t, "b", NULL, NULL, 0, &c), JET_errInvalidParameter);
    char big[300];
    memset(big, 1, sizeof big);
    memset(&def, 0, sizeof def);
    def.cbStruct = sizeof def;
    def.coltyp = JET_coltypLongBinary;
    assert_int_equal(JetAddColumn(e->ses, t, "b", &def, big, sizeof big, &c), JET_errDefaultValueTooBig);
    /* Column information errors. */
    assert_int_equal(JetGetTableColumnInfo(e->ses, t, "nope", &def, sizeof def, JET_ColInfo), JET_errColumnNotFound);
    assert_int_equal(JetGetTableColumnInfo(e->ses, t, "a", &def, 4, JET_ColInfo), JET_errBufferTooSmall);
    assert_int_equal(JetGetColumnInfo(e->ses, e->dbid, "nope", "a", &def, sizeof def, JET_ColInfo),
                     JET_errObjectNotFound);
    /* None of the refused columns exists. */
    assert_int_equal(JetGetTableColumnInfo(e->ses, t, "b", &def, sizeof def, JET_ColInfo), JET_errColumnNotFound);
}

static void test_definitions_are_not_undone_by_rollback(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID c;
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "ddl", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "c", JET_coltypLong, 0, &c), JET_errSuccess);
    assert_int_equal(JetRollback(e->ses, 0), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, t), JET_errSuccess);
    assert_int_equal(JetOpenTable(e->ses, e->dbid, "ddl", NULL, 0, 0, &t), JET_errSuccess);
    JET_COLUMNDEF def;
    assert_int_equal(JetGetTableColumnInfo(e->ses, t, "c", &def, sizeof def, JET_ColInfo), JET_errSuccess);
}

/* ---- the primary index ------------------------------------------------------------------------- */
static void insert_long(JET_SESID ses, JET_TABLEID t, JET_COLUMNID c, int32_t v)
{
    assert_int_equal(JetPrepareUpdate(ses, t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(ses, t, c, &v, sizeof v, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(ses, t, NULL, 0, NULL), JET_errSuccess);
}

static void test_primary_index_orders_signed_numbers(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID c;
    static const char key[] = "+n\0";
    static const int32_t values[] = {5, -1, 2147483647, 0, -2147483647 - 1, 42, -300, 7};
    const int32_t sorted[] = {-2147483647 - 1, -300, -1, 0, 5, 7, 42, 2147483647};
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "nums", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "n", JET_coltypLong, 0, &c), JET_errSuccess);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, key, sizeof key, 100), JET_errSuccess);
    for (size_t i = 0; i < 8; i++) insert_long(e->ses, t, c, values[i]);
    size_t i = 0;
    for (JET_ERR err = JetMove(e->ses, t, JET_MoveFirst, 0); err >= 0; err = JetMove(e->ses, t, JET_MoveNext, 0)) {
        assert_true(i < 8);
        assert_int_equal(tfx_current_long(e->ses, t, c), sorted[i]);
        i++;
    }
    assert_int_equal(i, 8);
    /* The primary index is unique. */
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
    int32_t dup = 42;
    assert_int_equal(JetSetColumn(e->ses, t, c, &dup, sizeof dup, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errKeyDuplicate);
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepCancel), JET_errSuccess);
    assert_int_equal(tfx_count(e->ses, t), 8);
}

static void test_primary_index_orders_doubles(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID c;
    static const char key[] = "+d\0";
    static const double values[] = {1.5, -2.25, 0.0, 1e300, -1e-300, 3.0, -1e300, 0.001};
    const double sorted[] = {-1e300, -2.25, -1e-300, 0.0, 0.001, 1.5, 3.0, 1e300};
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "dbl", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "d", JET_coltypIEEEDouble, 0, &c), JET_errSuccess);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, key, sizeof key, 100), JET_errSuccess);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
        assert_int_equal(JetSetColumn(e->ses, t, c, &values[i], sizeof(double), 0, NULL), JET_errSuccess);
        assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errSuccess);
    }
    size_t i = 0;
    for (JET_ERR err = JetMove(e->ses, t, JET_MoveFirst, 0); err >= 0; err = JetMove(e->ses, t, JET_MoveNext, 0)) {
        double d;
        unsigned long cb;
        assert_int_equal(JetRetrieveColumn(e->ses, t, c, &d, sizeof d, &cb, 0, NULL), JET_errSuccess);
        assert_true(i < 8);
        assert_true(d == sorted[i]);
        i++;
    }
    assert_int_equal(i, 8);
}

/* Two-column key: text ascending (case-insensitive), then long descending. */
static void test_primary_index_over_several_columns_with_descending(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID name, n;
    static const char key[] = "+name\0-n\0";
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "multi", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "name", JET_coltypText, 0, &name), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "n", JET_coltypLong, 0, &n), JET_errSuccess);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, key, sizeof key, 100), JET_errSuccess);
    struct {
        const char *s;
        int32_t n;
    } rows[] = {{"beta", 1}, {"alpha", 1}, {"Beta", 3}, {"alpha", 10}, {"gamma", -5}, {"alphabet", 0}, {"alpha", -2}};
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
        assert_int_equal(JetSetColumn(e->ses, t, name, rows[i].s, strlen(rows[i].s), 0, NULL), JET_errSuccess);
        assert_int_equal(JetSetColumn(e->ses, t, n, &rows[i].n, 4, 0, NULL), JET_errSuccess);
        assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errSuccess);
    }
    /* Expected: alpha 10, alpha 1, alpha -2, alphabet 0, Beta 3, beta 1, gamma -5. */
    const char *want_s[] = {"alpha", "alpha", "alpha", "alphabet", "beta", "beta", "gamma"};
    const int32_t want_n[] = {10, 1, -2, 0, 3, 1, -5};
    size_t i = 0;
    for (JET_ERR err = JetMove(e->ses, t, JET_MoveFirst, 0); err >= 0; err = JetMove(e->ses, t, JET_MoveNext, 0)) {
        char s[32];
        unsigned long cb = 0;
        assert_true(i < 7);
        assert_int_equal(JetRetrieveColumn(e->ses, t, name, s, sizeof s - 1, &cb, 0, NULL), JET_errSuccess);
        s[cb] = 0;
        assert_int_equal(strcasecmp(s, want_s[i]), 0);
        assert_int_equal(tfx_current_long(e->ses, t, n), want_n[i]);
        i++;
    }
    assert_int_equal(i, 7);
    /* Text keys compare without case: "ALPHA"/1 is a duplicate of "alpha"/1. */
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepInsert), JET_errSuccess);
    assert_int_equal(JetSetColumn(e->ses, t, name, "ALPHA", 5, 0, NULL), JET_errSuccess);
    int32_t one = 1;
    assert_int_equal(JetSetColumn(e->ses, t, n, &one, 4, 0, NULL), JET_errSuccess);
    assert_int_equal(JetUpdate(e->ses, t, NULL, 0, NULL), JET_errKeyDuplicate);
    assert_int_equal(JetPrepareUpdate(e->ses, t, JET_prepCancel), JET_errSuccess);
}

static void test_create_index_errors(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID a, mv;
    static const char key[] = "+a\0";
    static const char nokey[] = "+zz\0";
    static const char bad[] = {'+', 'a'};
    static const char mvkey[] = "+mv\0";
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "ix", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "a", JET_coltypLong, 0, &a), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "mv", JET_coltypLong, JET_bitColumnTagged | JET_bitColumnMultiValued, &mv),
                     JET_errSuccess);
    assert_int_equal(JetCreateIndex(e->ses, t, "sec", 0, key, sizeof key, 100), JET_errIndexInvalidDef);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, nokey, sizeof nokey, 100),
                     JET_errColumnNotFound);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, bad, sizeof bad, 100),
                     JET_errInvalidParameter);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, mvkey, sizeof mvkey, 100),
                     JET_errIndexInvalidDef);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, key, sizeof key, 100), JET_errSuccess);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk", JET_bitIndexPrimary, key, sizeof key, 100), JET_errIndexDuplicate);
    assert_int_equal(JetCreateIndex(e->ses, t, "pk2", JET_bitIndexPrimary, key, sizeof key, 100),
                     JET_errIndexHasPrimary);
    assert_int_equal(JetSetCurrentIndex(e->ses, t, "pk"), JET_errSuccess);
    assert_int_equal(JetSetCurrentIndex(e->ses, t, "PK"), JET_errSuccess);
    assert_int_equal(JetSetCurrentIndex(e->ses, t, NULL), JET_errSuccess);
    assert_int_equal(JetSetCurrentIndex(e->ses, t, "nope"), JET_errIndexNotFound);
    /* A table with records can no longer get a primary index. */
    JET_TABLEID t2;
    JET_COLUMNID b;
    static const char bkey[] = "+b\0";
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "full", 0, 100, &t2), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t2, "b", JET_coltypLong, 0, &b), JET_errSuccess);
    insert_long(e->ses, t2, b, 1);
    assert_int_equal(JetCreateIndex(e->ses, t2, "pk", JET_bitIndexPrimary, bkey, sizeof bkey, 100),
                     JET_errTableNotEmpty);
    assert_int_equal(JetSetCurrentIndex(e->ses, t2, "pk"), JET_errIndexNotFound);
}

static void test_table_without_primary_index_keeps_insertion_order(void **state)
{
    struct tfx_env *e = *state;
    JET_TABLEID t;
    JET_COLUMNID c;
    static const int32_t values[] = {30, 10, 20, 10, -5};
    assert_int_equal(JetCreateTable(e->ses, e->dbid, "heap", 0, 100, &t), JET_errSuccess);
    assert_int_equal(tfx_add_column(e->ses, t, "c", JET_coltypLong, 0, &c), JET_errSuccess);
    for (size_t i = 0; i < 5; i++) insert_long(e->ses, t, c, values[i]);
    size_t i = 0;
    for (JET_ERR err = JetMove(e->ses, t, JET_MoveFirst, 0); err >= 0; err = JetMove(e->ses, t, JET_MoveNext, 0)) {
        assert_true(i < 5);
        assert_int_equal(tfx_current_long(e->ses, t, c), values[i]);
        i++;
    }
    assert_int_equal(i, 5);
    /* The order continues after a restart (the sequence is not reused). */
    assert_int_equal(JetCloseTable(e->ses, t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(JetOpenTable(e->ses, e->dbid, "heap", NULL, 0, 0, &t), JET_errSuccess);
    insert_long(e->ses, t, c, -100);
    assert_int_equal(JetMove(e->ses, t, JET_MoveLast, 0), JET_errSuccess);
    assert_int_equal(tfx_current_long(e->ses, t, c), -100);
    assert_int_equal(tfx_count(e->ses, t), 6);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup_db, tfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_table_returns_an_open_cursor),
        T(test_table_name_and_argument_errors),
        T(test_delete_table_needs_every_cursor_closed_and_frees_pages),
        T(test_every_column_type_round_trips_and_survives_restart),
        T(test_add_column_errors),
        T(test_definitions_are_not_undone_by_rollback),
        T(test_primary_index_orders_signed_numbers),
        T(test_primary_index_orders_doubles),
        T(test_primary_index_over_several_columns_with_descending),
        T(test_create_index_errors),
        T(test_table_without_primary_index_keeps_insertion_order),
    };
#undef T
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
