/*
 * cursor.c — reading through a cursor: JetMove, JetMakeKey, JetSeek, JetSetIndexRange,
 * JetRetrieveColumn, JetRetrieveKey, JetGetBookmark, JetGotoBookmark.
 *
 * A cursor sees the table's committed records merged with its own session's pending writes
 * (session.h): a pending value hides the committed one with the same key, a pending deletion hides
 * it entirely. The cursor remembers its position by key and looks the next record up from there
 * on each move, so concurrent commits by other sessions (which may split or merge pages) never
 * invalidate it. The tree lock is held (shared) only inside each lookup.
 */
#include <stdlib.h>
#include <string.h>

#include "key.h"
#include "record.h"
#include "session.h"

static int keycmp(const uint8_t *a, uint32_t al, const uint8_t *b, uint32_t bl)
{
    uint32_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    return r ? r : (al < bl ? -1 : al > bl);
}

static int is_forward(int mode) { return mode == BT_GE || mode == BT_GT || mode == BT_FIRST || mode == BT_EQ; }

/* Index in the write set of the entry for mode relative to key, or -1. */
static long ws_pick(const struct wset *ws, const uint8_t *key, uint32_t klen, int mode)
{
    if (!ws || ws->n == 0) return -1;
    int exact;
    size_t i = mode == BT_FIRST || mode == BT_LAST ? 0 : wset_search(ws, key, klen, &exact);
    long r;
    switch (mode) {
    case BT_FIRST: r = 0; break;
    case BT_LAST: r = (long)ws->n - 1; break;
    case BT_EQ: r = exact ? (long)i : -1; break;
    case BT_GE: r = (long)i; break;
    case BT_GT: r = exact ? (long)i + 1 : (long)i; break;
    case BT_LE: r = exact ? (long)i : (long)i - 1; break;
    default: r = (long)i - 1; break; /* BT_LT */
    }
    return r >= 0 && r < (long)ws->n ? r : -1;
}

static JET_ERR set_current(struct cursor *c, const uint8_t *key, uint32_t klen, const uint8_t *val, uint32_t vlen)
{
    if (vlen + 1 > c->cur.vcap) {
        uint8_t *p = realloc(c->cur.val, vlen + 1);
        if (!p) return JET_errOutOfMemory;
        c->cur.val = p;
        c->cur.vcap = vlen + 1;
    }
    memmove(c->cur.key, key, klen);
    c->cur.klen = klen;
    if (vlen) memcpy(c->cur.val, val, vlen);
    c->cur.vlen = vlen;
    return JET_errSuccess;
}

/* Finds a record in the merged view and makes it current. JET_errRecordNotFound when none. */
static JET_ERR view_find(struct cursor *c, const uint8_t *key0, uint32_t klen0, int mode)
{
    struct wset *ws = txn_wset(c->ses, c->td, 0);
    struct inst *inst = c->ses->inst;
    uint8_t key[BT_KEY_MAX];
    uint32_t klen = klen0;
    struct bt_rec t = {0};
    JET_ERR err;
    if (klen0) memcpy(key, key0, klen0);
    int forward = is_forward(mode);
    for (int guard = 0;; guard++) {
        tree_rdlock(inst);
        err = bt_find(c->db, c->td->root, key, klen, mode, &t, 1);
        tree_unlock(inst);
        int have_t = err >= 0;
        if (err < 0 && err != JET_errRecordNotFound) break;
        long wi = ws_pick(ws, key, klen, mode);
        const struct wentry *w = wi >= 0 ? ws->e[wi] : NULL;
        int pick_ws;
        if (have_t && w) {
            int cmp = keycmp(t.key, t.klen, w->key, w->klen);
            pick_ws = cmp == 0 || (forward ? cmp > 0 : cmp < 0);
        } else {
            pick_ws = w != NULL;
        }
        if (!have_t && !w) {
            err = JET_errRecordNotFound;
            break;
        }
        if (pick_ws) {
            if (w->val) {
                err = set_current(c, w->key, w->klen, w->val, w->vlen);
                break;
            }
            if (mode == BT_EQ) {
                err = JET_errRecordNotFound;
                break;
            }
            memcpy(key, w->key, w->klen);
            klen = w->klen;
        } else {
            /* A committed record: hidden when the write set deletes it. */
            long hide = ws_pick(ws, t.key, t.klen, BT_EQ);
            if (hide < 0) {
                err = set_current(c, t.key, t.klen, t.val, t.vlen);
                break;
            }
            if (mode == BT_EQ) {
                err = JET_errRecordNotFound;
                break;
            }
            memcpy(key, t.key, t.klen);
            klen = t.klen;
        }
        mode = forward ? BT_GT : BT_LT;
        (void)guard;
    }
    bt_rec_free(&t);
    return err;
}

/* 1 when the current key is outside the index range. */
static int out_of_range(const struct cursor *c)
{
    if (!c->range) return 0;
    int cmp = keycmp(c->cur.key, c->cur.klen, c->rkey, c->rklen);
    if (c->rupper) return c->rinclusive ? cmp > 0 : cmp >= 0;
    return c->rinclusive ? cmp < 0 : cmp <= 0;
}

static JET_ERR move_one(struct cursor *c, int dir)
{
    JET_ERR err;
    if (dir > 0) {
        if (c->pos == POS_AFTER_LAST || c->pos == POS_NONE) return JET_errNoCurrentRecord;
        if (c->pos == POS_BEFORE_FIRST)
            err = view_find(c, NULL, 0, BT_FIRST);
        else
            err = view_find(c, c->cur.key, c->cur.klen, BT_GT);
        if (err == JET_errRecordNotFound) {
            c->pos = POS_AFTER_LAST;
            return JET_errNoCurrentRecord;
        }
    } else {
        if (c->pos == POS_BEFORE_FIRST || c->pos == POS_NONE) return JET_errNoCurrentRecord;
        if (c->pos == POS_AFTER_LAST)
            err = view_find(c, NULL, 0, BT_LAST);
        else
            err = view_find(c, c->cur.key, c->cur.klen, BT_LT);
        if (err == JET_errRecordNotFound) {
            c->pos = POS_BEFORE_FIRST;
            return JET_errNoCurrentRecord;
        }
    }
    if (err < 0) return err;
    c->pos = POS_ON;
    if (out_of_range(c)) {
        c->range = 0;
        c->pos = dir > 0 ? POS_AFTER_LAST : POS_BEFORE_FIRST;
        return JET_errNoCurrentRecord;
    }
    return JET_errSuccess;
}

JET_ERR JET_API JetMove(JET_SESID sesid, JET_TABLEID tableid, long cRow, JET_GRBIT grbit)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    if (cRow == JET_MoveFirst || cRow == JET_MoveLast) {
        int first = cRow == JET_MoveFirst;
        c->range = 0;
        err = view_find(c, NULL, 0, first ? BT_FIRST : BT_LAST);
        if (err == JET_errRecordNotFound) {
            c->pos = first ? POS_AFTER_LAST : POS_BEFORE_FIRST;
            err = JET_errNoCurrentRecord;
        } else if (err >= 0) {
            c->pos = POS_ON;
        }
    } else if (cRow == 0) {
        err = c->pos == POS_ON ? JET_errSuccess : JET_errNoCurrentRecord;
    } else {
        long steps = cRow > 0 ? cRow : -cRow;
        for (long i = 0; i < steps && err >= 0; i++) err = move_one(c, cRow > 0 ? 1 : -1);
    }
    inst_leave(s->inst);
    return err;
}

/* ---- keys --------------------------------------------------------------------------------------- */
JET_ERR JET_API JetMakeKey(JET_SESID sesid, JET_TABLEID tableid, const void *pvData, unsigned long cbData,
                           JET_GRBIT grbit)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    const struct tabledef *td = c->td;
    if (grbit & JET_bitNewKey) {
        c->mklen = 0;
        c->mkseg = 0;
        c->mkey_made = 0;
        c->mkey_limit = 0;
    } else if (!c->mkey_made) {
        Error(JET_errKeyNotMade);
    }
    if (grbit & JET_bitNormalizedKey) {
        if (!pvData || cbData > KEY_MAX) Error(JET_errInvalidBufferSize);
        memcpy(c->mkey, pvData, cbData);
        c->mklen = (uint32_t)cbData;
        c->mkseg = td->has_primary ? td->nseg : 1;
        c->mkey_made = 1;
        goto HandleError;
    }
    if (!td->has_primary) {
        /* The implicit index of a table without a primary index: an 8-byte sequence number. */
        if (c->mkseg >= 1 || c->mkey_limit) Error(JET_errKeyIsMade);
        if (!pvData || cbData != 8) Error(JET_errInvalidBufferSize);
        memcpy(c->mkey, pvData, 8);
        c->mklen = 8;
    } else {
        if (c->mkseg >= td->nseg || c->mkey_limit) Error(JET_errKeyIsMade);
        const struct coldef *col = tabledef_col(td, td->seg[c->mkseg].col);
        if (!col) Error(JET_errColumnNotFound);
        int is_null = (!pvData || cbData == 0) && !(grbit & JET_bitKeyDataZeroLength);
        int prefix = (grbit & (JET_bitSubStrLimit | JET_bitPartialColumnStartLimit | JET_bitPartialColumnEndLimit)) != 0;
        Call(key_append(c->mkey, &c->mklen, col, td->seg[c->mkseg].desc, is_null ? NULL : (pvData ? pvData : ""),
                        is_null ? 0 : (uint32_t)cbData, is_null, prefix && key_fixed_size(col->coltyp) == 0));
    }
    c->mkseg++;
    c->mkey_made = 1;
    if (grbit & (JET_bitStrLimit | JET_bitSubStrLimit | JET_bitFullColumnEndLimit | JET_bitPartialColumnEndLimit)) {
        key_pad_limit(c->mkey, &c->mklen);
        c->mkey_limit = 1;
    } else if (grbit & (JET_bitFullColumnStartLimit | JET_bitPartialColumnStartLimit)) {
        c->mkey_limit = -1;
    }
HandleError:
    inst_leave(s->inst);
    return err;
}

static int has_prefix(const uint8_t *key, uint32_t klen, const uint8_t *pre, uint32_t plen)
{
    return klen >= plen && memcmp(key, pre, plen) == 0;
}

JET_ERR JET_API JetSeek(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    uint8_t key[BT_KEY_MAX];
    uint32_t klen;
    if (!c->mkey_made) Error(JET_errKeyNotMade);
    JET_GRBIT how = grbit & (JET_bitSeekEQ | JET_bitSeekLT | JET_bitSeekLE | JET_bitSeekGE | JET_bitSeekGT);
    if (how == 0) how = JET_bitSeekEQ;
    if (how & (how - 1)) Error(JET_errInvalidGrbit);
    if ((grbit & JET_bitSetIndexRange) && how != JET_bitSeekEQ) Error(JET_errInvalidGrbit);
    memcpy(key, c->mkey, c->mklen);
    klen = c->mklen;
    /* A key made of fewer columns than the index stands for every key it prefixes. */
    int mode;
    switch (how) {
    case JET_bitSeekEQ:
    case JET_bitSeekGE: mode = BT_GE; break;
    case JET_bitSeekGT: mode = BT_GE; if (c->mkey_limit <= 0) key_pad_limit(key, &klen); break;
    case JET_bitSeekLE: mode = BT_LE; if (c->mkey_limit <= 0) key_pad_limit(key, &klen); break;
    default: mode = BT_LT; break;
    }
    err = view_find(c, key, klen, mode);
    if (err == JET_errRecordNotFound) {
        c->pos = POS_NONE;
        goto HandleError;
    }
    Call(err);
    if (how == JET_bitSeekEQ && !(c->mkey_limit > 0 ? keycmp(c->cur.key, c->cur.klen, c->mkey, c->mklen) <= 0
                                                    : has_prefix(c->cur.key, c->cur.klen, c->mkey, c->mklen))) {
        c->pos = POS_NONE;
        Error(JET_errRecordNotFound);
    }
    c->pos = POS_ON;
    c->range = 0;
    if (grbit & JET_bitSetIndexRange) {
        memcpy(c->rkey, c->mkey, c->mklen);
        c->rklen = c->mklen;
        if (c->mkey_limit <= 0) key_pad_limit(c->rkey, &c->rklen);
        c->range = 1;
        c->rupper = 1;
        c->rinclusive = 1;
    }
    if ((how == JET_bitSeekGE || how == JET_bitSeekLE) &&
        !(c->cur.klen == c->mklen && memcmp(c->cur.key, c->mkey, c->mklen) == 0))
        err = JET_wrnSeekNotEqual;
    c->mkey_made = 0;
HandleError:
    inst_leave(s->inst);
    return err;
}

JET_ERR JET_API JetSetIndexRange(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    if (grbit & JET_bitRangeRemove) {
        if (!c->range) err = JET_errInvalidOperation;
        c->range = 0;
        goto HandleError;
    }
    if (!c->mkey_made) Error(JET_errKeyNotMade);
    if (c->pos != POS_ON) Error(JET_errNoCurrentRecord);
    memcpy(c->rkey, c->mkey, c->mklen);
    c->rklen = c->mklen;
    c->rupper = (grbit & JET_bitRangeUpperLimit) != 0;
    c->rinclusive = (grbit & JET_bitRangeInclusive) != 0;
    if (c->rupper && c->rinclusive && c->mkey_limit <= 0) key_pad_limit(c->rkey, &c->rklen);
    c->range = 1;
    c->mkey_made = 0;
    if (out_of_range(c)) {
        c->range = 0;
        err = JET_errNoCurrentRecord;
    }
HandleError:
    inst_leave(s->inst);
    return err;
}

/* ---- retrieving ------------------------------------------------------------------------------------ */
static JET_ERR copy_out(const uint8_t *p, uint32_t len, unsigned long ib, void *pv, unsigned long cb,
                        unsigned long *pcbActual)
{
    uint32_t avail = ib >= len ? 0 : len - (uint32_t)ib;
    if (pcbActual) *pcbActual = avail;
    uint32_t n = avail < cb ? avail : (uint32_t)cb;
    if (n && !pv) return JET_errInvalidParameter;
    if (n) memcpy(pv, p + ib, n);
    return avail > cb ? JET_wrnBufferTruncated : JET_errSuccess;
}

JET_ERR JET_API JetRetrieveColumn(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid, void *pvData,
                                  unsigned long cbData, unsigned long *pcbActual, JET_GRBIT grbit,
                                  JET_RETINFO *pretinfo)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    const struct coldef *col = tabledef_col(c->td, columnid);
    if (!col) Error(JET_errColumnNotFound);
    if (pretinfo && pretinfo->cbStruct && pretinfo->cbStruct < sizeof(JET_RETINFO)) Error(JET_errInvalidParameter);
    unsigned long itag = pretinfo && pretinfo->itagSequence ? pretinfo->itagSequence : 1;
    unsigned long ib = pretinfo ? pretinfo->ibLongValue : 0;
    if (pretinfo) pretinfo->columnidNextTagged = 0;
    const uint8_t *p = NULL;
    uint32_t len = 0;
    int found;
    if ((grbit & JET_bitRetrieveCopy) && c->prepared) {
        found = rec_get(&c->copy, columnid, itag, &p, &len);
    } else {
        if (c->pos == POS_DELETED) Error(JET_errRecordDeleted);
        if (c->pos != POS_ON) Error(JET_errNoCurrentRecord);
        found = rec_find(c->cur.val, c->cur.vlen, columnid, itag, &p, &len);
        if (found < 0) Error(JET_errDatabaseCorrupted);
    }
    if (!found && itag == 1 && col->def && !(grbit & JET_bitRetrieveIgnoreDefault)) {
        p = col->def;
        len = col->deflen;
        found = 1;
    }
    if (!found) {
        if (pcbActual) *pcbActual = 0;
        err = JET_wrnColumnNull;
        goto HandleError;
    }
    err = copy_out(p, len, ib, pvData, cbData, pcbActual);
HandleError:
    inst_leave(s->inst);
    return err;
}

JET_ERR JET_API JetRetrieveKey(JET_SESID sesid, JET_TABLEID tableid, void *pvKey, unsigned long cbMax,
                               unsigned long *pcbActual, JET_GRBIT grbit)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    if (grbit & JET_bitRetrieveCopy) {
        if (!c->mkey_made) Error(JET_errKeyNotMade);
        err = copy_out(c->mkey, c->mklen, 0, pvKey, cbMax, pcbActual);
    } else {
        if (c->pos != POS_ON) Error(c->pos == POS_DELETED ? JET_errRecordDeleted : JET_errNoCurrentRecord);
        err = copy_out(c->cur.key, c->cur.klen, 0, pvKey, cbMax, pcbActual);
    }
HandleError:
    inst_leave(s->inst);
    return err;
}

/* A bookmark is the primary key; unlike JetRetrieveKey (a warning), a short buffer is an error. */
JET_ERR JET_API JetGetBookmark(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark, unsigned long cbMax,
                               unsigned long *pcbActual)
{
    JET_ERR err = JetRetrieveKey(sesid, tableid, pvBookmark, cbMax, pcbActual, 0);
    return err == JET_wrnBufferTruncated ? JET_errBufferTooSmall : err;
}

JET_ERR JET_API JetGotoBookmark(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark, unsigned long cbBookmark)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    if (!pvBookmark || cbBookmark == 0 || cbBookmark > KEY_MAX) Error(JET_errInvalidBookmark);
    err = view_find(c, pvBookmark, (uint32_t)cbBookmark, BT_EQ);
    if (err == JET_errRecordNotFound) Error(JET_errRecordDeleted);
    Call(err);
    c->pos = POS_ON;
HandleError:
    inst_leave(s->inst);
    return err;
}

/* Re-reads the current record after the session changed it (update.c). */
JET_ERR cursor_refresh(struct cursor *c)
{
    if (c->pos != POS_ON) return JET_errSuccess;
    uint8_t key[BT_KEY_MAX];
    uint32_t klen = c->cur.klen;
    memcpy(key, c->cur.key, klen);
    JET_ERR err = view_find(c, key, klen, BT_EQ);
    if (err == JET_errRecordNotFound) {
        memcpy(c->cur.key, key, klen);
        c->cur.klen = klen;
        c->pos = POS_DELETED;
        return JET_errSuccess;
    }
    return err;
}
