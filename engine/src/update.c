/*
 * update.c — changing records: JetPrepareUpdate, JetSetColumn, JetUpdate(2), JetDelete.
 *
 * A record is built in the cursor's copy buffer and, at JetUpdate, encoded and written into the
 * session's write set under its primary key (an 8-byte sequence number for a table without a
 * primary index), after taking the key's write lock. Outside a transaction JetUpdate and JetDelete
 * run in one of their own and commit it durably (ESE wraps such calls the same way).
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "key.h"
#include "record.h"
#include "session.h"

static void discard_copy(struct cursor *c)
{
    rec_clear(&c->copy);
    c->prepared = 0;
}

/* The first autoincrement column of a table, or NULL. */
static const struct coldef *autoinc_col(const struct tabledef *td)
{
    unsigned n = atomic_load(&((struct tabledef *)td)->ncols);
    for (unsigned i = 0; i < n; i++)
        if (td->cols[i]->grbit & JET_bitColumnAutoincrement) return td->cols[i];
    return NULL;
}

static int64_t read_int(const uint8_t *p, uint32_t len)
{
    int64_t v = 0;
    if (len == 4) {
        int32_t x;
        memcpy(&x, p, 4);
        v = x;
    } else if (len == 8) {
        memcpy(&v, p, 8);
    }
    return v;
}

/* Loads the table's next autoincrement value: one past the largest stored (tree lock taken). */
static JET_ERR autoinc_load(struct cursor *c, const struct coldef *col)
{
    struct tabledef *td = c->td;
    struct bt_rec r = {0};
    int64_t max = 0;
    JET_ERR err;
    int by_key = td->has_primary && td->seg[0].col == col->id && !td->seg[0].desc;
    tree_rdlock(c->ses->inst);
    err = bt_find(td->db, td->root, NULL, 0, by_key ? BT_LAST : BT_FIRST, &r, 1);
    while (err >= 0) {
        const uint8_t *p;
        uint32_t len;
        if (rec_find(r.val, r.vlen, col->id, 1, &p, &len) > 0 && read_int(p, len) > max) max = read_int(p, len);
        if (by_key) break;
        uint8_t key[BT_KEY_MAX];
        uint32_t klen = r.klen;
        memcpy(key, r.key, klen);
        err = bt_find(td->db, td->root, key, klen, BT_GT, &r, 1);
    }
    tree_unlock(c->ses->inst);
    bt_rec_free(&r);
    if (err < 0 && err != JET_errRecordNotFound) return err;
    td->autoinc_next = max + 1;
    td->autoinc_loaded = 1;
    return JET_errSuccess;
}

static JET_ERR assign_autoinc(struct cursor *c)
{
    const struct coldef *col = autoinc_col(c->td);
    if (!col) return JET_errSuccess;
    struct tabledef *td = c->td;
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&td->mu);
    if (!td->autoinc_loaded) err = autoinc_load(c, col);
    int64_t v = td->autoinc_next++;
    pthread_mutex_unlock(&td->mu);
    if (err < 0) return err;
    uint8_t buf[8];
    uint32_t len = key_fixed_size(col->coltyp);
    if (len == 4) {
        int32_t x = (int32_t)v;
        memcpy(buf, &x, 4);
    } else {
        memcpy(buf, &v, 8);
    }
    return rec_set(&c->copy, col->id, 1, buf, len, 0, 0);
}

/* Next implicit key of a table without a primary index. */
static JET_ERR next_seq_key(struct cursor *c, uint8_t *key, uint32_t *klen)
{
    struct tabledef *td = c->td;
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&td->mu);
    if (!td->seq_loaded) {
        struct bt_rec r = {0};
        tree_rdlock(c->ses->inst);
        err = bt_find(td->db, td->root, NULL, 0, BT_LAST, &r, 0);
        tree_unlock(c->ses->inst);
        td->seq_next = err >= 0 && r.klen == 8 ? get_be64(r.key) + 1 : 1;
        bt_rec_free(&r);
        if (err == JET_errRecordNotFound) err = JET_errSuccess;
        if (err >= 0) td->seq_loaded = 1;
    }
    uint64_t seq = td->seq_next++;
    pthread_mutex_unlock(&td->mu);
    put_be64(key, seq);
    *klen = 8;
    return err;
}

JET_ERR JET_API JetPrepareUpdate(JET_SESID sesid, JET_TABLEID tableid, unsigned long prep)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    switch (prep) {
    case JET_prepCancel:
        if (!c->prepared) Error(JET_errUpdateNotPrepared);
        discard_copy(c);
        break;
    case JET_prepInsert:
        if (c->prepared) Error(JET_errAlreadyPrepared);
        rec_clear(&c->copy);
        c->prep = prep;
        c->prepared = 1;
        if ((err = assign_autoinc(c)) < 0) discard_copy(c);
        break;
    case JET_prepInsertCopy:
    case JET_prepReplace:
    case JET_prepReplaceNoLock:
        if (c->prepared) Error(JET_errAlreadyPrepared);
        if (c->pos == POS_DELETED) Error(JET_errRecordDeleted);
        if (c->pos != POS_ON) Error(JET_errNoCurrentRecord);
        if (prep == JET_prepReplace && s->level == 0) Error(JET_errNotInTransaction);
        Call(rec_decode(&c->copy, c->cur.val, c->cur.vlen));
        memcpy(c->okey, c->cur.key, c->cur.klen);
        c->oklen = c->cur.klen;
        if (prep == JET_prepReplace) {
            err = txn_lock_key(s, c->td, c->okey, c->oklen);
            if (err < 0) {
                rec_clear(&c->copy);
                goto HandleError;
            }
        }
        c->prep = prep;
        c->prepared = 1;
        if (prep == JET_prepInsertCopy) {
            const struct coldef *ac = autoinc_col(c->td);
            if (ac) rec_set(&c->copy, ac->id, 1, NULL, 0, 0, 0);
            if ((err = assign_autoinc(c)) < 0) discard_copy(c);
        }
        break;
    default:
        err = JET_errInvalidParameter;
    }
HandleError:
    inst_leave(s->inst);
    return err;
}

JET_ERR JET_API JetSetColumn(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid, const void *pvData,
                             unsigned long cbData, JET_GRBIT grbit, JET_SETINFO *psetinfo)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    if (!c->prepared) Error(JET_errUpdateNotPrepared);
    const struct coldef *col = tabledef_col(c->td, columnid);
    if (!col) Error(JET_errColumnNotFound);
    if (psetinfo && psetinfo->cbStruct && psetinfo->cbStruct < sizeof(JET_SETINFO)) Error(JET_errInvalidParameter);
    if (cbData && !pvData) Error(JET_errInvalidParameter);
    unsigned long itag = psetinfo ? psetinfo->itagSequence : 0;
    unsigned long ib = psetinfo ? psetinfo->ibLongValue : 0;
    int multi = (col->grbit & JET_bitColumnMultiValued) != 0;
    int is_long = col->coltyp == JET_coltypLongText || col->coltyp == JET_coltypLongBinary;
    uint32_t fixed = key_fixed_size(col->coltyp);
    int set_null = cbData == 0 && !(grbit & JET_bitSetZeroLength);
    if (!multi && itag == 0) itag = 1;
    if (set_null) {
        if ((col->grbit & JET_bitColumnNotNULL) && 0) Error(JET_errNullInvalid);
        Call(rec_set(&c->copy, columnid, itag, NULL, 0, 0, multi));
        goto HandleError;
    }
    if (fixed && cbData != fixed) Error(JET_errInvalidBufferSize);
    if (!fixed && !is_long) {
        uint32_t max = col->cb_max && col->cb_max < JET_cbColumnMost ? col->cb_max : JET_cbColumnMost;
        if (cbData > max) Error(JET_errColumnTooBig);
    }
    if (cbData > JET_cbRecordMostX) Error(JET_errColumnTooBig);
    if (grbit & JET_bitSetOverwriteLV || (ib && is_long)) {
        /* Overwrite from an offset of the existing long value (growing it as needed). */
        const uint8_t *p = NULL;
        uint32_t len = 0;
        rec_get(&c->copy, columnid, itag ? itag : 1, &p, &len);
        if (ib > len) Error(JET_errInvalidParameter);
        uint64_t nlen = ib + cbData > len ? ib + cbData : len;
        if (nlen > JET_cbRecordMostX) Error(JET_errColumnTooBig);
        uint8_t *buf = malloc(nlen ? nlen : 1);
        if (!buf) Error(JET_errOutOfMemory);
        if (len) memcpy(buf, p, len);
        memcpy(buf + ib, pvData, cbData);
        err = rec_set(&c->copy, columnid, itag ? itag : 1, buf, (uint32_t)nlen, 0, multi);
        free(buf);
        goto HandleError;
    }
    Call(rec_set(&c->copy, columnid, itag, pvData, (uint32_t)cbData, (grbit & JET_bitSetAppendLV) && is_long, multi));
HandleError:
    inst_leave(s->inst);
    return err;
}

static int keycmp(const uint8_t *a, uint32_t al, const uint8_t *b, uint32_t bl)
{
    uint32_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    return r ? r : (al < bl ? -1 : al > bl);
}

/* 1 when key is above every committed key of the table (no lookup needed). */
static JET_ERR above_committed(struct cursor *c, const uint8_t *key, uint32_t klen, int *above)
{
    struct tabledef *td = c->td;
    pthread_mutex_lock(&td->mu);
    int known = td->maxkey_known;
    if (known) {
        *above = keycmp(key, klen, td->maxkey, td->maxkey_len) > 0;
        pthread_mutex_unlock(&td->mu);
        return JET_errSuccess;
    }
    pthread_mutex_unlock(&td->mu);
    if (!known) {
        struct bt_rec r = {0};
        tree_rdlock(c->ses->inst);
        JET_ERR err = bt_find(c->db, td->root, NULL, 0, BT_LAST, &r, 0);
        pthread_mutex_lock(&td->mu);
        if (!td->maxkey_known && (err >= 0 || err == JET_errRecordNotFound) && r.klen <= sizeof td->maxkey) {
            td->maxkey_len = err >= 0 ? r.klen : 0;
            memcpy(td->maxkey, r.key, td->maxkey_len);
            td->maxkey_known = 1;
        }
        pthread_mutex_unlock(&td->mu);
        tree_unlock(c->ses->inst);
        bt_rec_free(&r);
        if (err < 0 && err != JET_errRecordNotFound) return err;
    }
    pthread_mutex_lock(&td->mu);
    *above = td->maxkey_known && keycmp(key, klen, td->maxkey, td->maxkey_len) > 0;
    pthread_mutex_unlock(&td->mu);
    return JET_errSuccess;
}

/* 1 when key exists in the merged view of the cursor's session. The caller holds the key's
 * write lock, so no other transaction can commit it between this check and our commit. */
static JET_ERR key_exists(struct cursor *c, const uint8_t *key, uint32_t klen, int *exists)
{
    struct wset *ws = txn_wset(c->ses, c->td, 0);
    *exists = 0;
    if (ws) {
        int exact;
        size_t i = wset_search(ws, key, klen, &exact);
        if (exact) {
            *exists = ws->e[i]->val != NULL;
            return JET_errSuccess;
        }
    }
    int above;
    JET_ERR err = above_committed(c, key, klen, &above);
    if (err < 0 || above) return err;
    struct bt_rec r = {0};
    tree_rdlock(c->ses->inst);
    err = bt_find(c->db, c->td->root, key, klen, BT_EQ, &r, 0);
    tree_unlock(c->ses->inst);
    bt_rec_free(&r);
    if (err >= 0) *exists = 1;
    return err == JET_errRecordNotFound ? JET_errSuccess : err;
}

static JET_ERR check_not_null(const struct cursor *c)
{
    unsigned n = atomic_load(&((struct tabledef *)c->td)->ncols);
    for (unsigned i = 0; i < n; i++) {
        const struct coldef *col = c->td->cols[i];
        if (!(col->grbit & JET_bitColumnNotNULL)) continue;
        const uint8_t *p;
        uint32_t len;
        if (!rec_get(&c->copy, col->id, 1, &p, &len) && !col->def) return JET_errNullInvalid;
    }
    return JET_errSuccess;
}

static JET_ERR do_update(struct session *s, struct cursor *c, void *pvBookmark, unsigned long cbBookmark,
                         unsigned long *pcbActual)
{
    JET_ERR err;
    uint8_t key[BT_KEY_MAX], *rec;
    uint32_t klen = 0, reclen;
    int auto_txn = 0, insert = c->prep == JET_prepInsert || c->prep == JET_prepInsertCopy;
    if (!c->prepared) return JET_errUpdateNotPrepared;
    Call(check_not_null(c));
    Call(rec_encoded_size(&c->copy, &reclen));
    if (c->td->has_primary)
        Call(key_build(c->td, &c->copy, key, &klen));
    else if (insert)
        Call(next_seq_key(c, key, &klen));
    else {
        memcpy(key, c->okey, c->oklen);
        klen = c->oklen;
    }
    if (s->level == 0) {
        Call(txn_begin(s));
        auto_txn = 1;
    }
    int moved = !insert && (klen != c->oklen || memcmp(key, c->okey, klen) != 0);
    if (insert || moved) {
        int exists;
        Call(txn_lock_key(s, c->td, key, klen));
        Call(key_exists(c, key, klen, &exists));
        if (exists) Error(JET_errKeyDuplicate);
    } else {
        Call(txn_lock_key(s, c->td, key, klen));
    }
    if (moved) Call(txn_write(s, c->td, c->okey, c->oklen, NULL, 0));
    Call(txn_write_reserve(s, c->td, key, klen, reclen, &rec));
    rec_encode_into(&c->copy, rec);
    if (auto_txn) {
        auto_txn = 0;
        Call(txn_commit(s, 0));
    }
    if (pvBookmark || pcbActual) {
        if (pcbActual) *pcbActual = klen;
        if (pvBookmark) {
            if (cbBookmark < klen) Error(JET_errBufferTooSmall);
            memcpy(pvBookmark, key, klen);
        }
    }
    if (!insert) {
        memcpy(c->cur.key, key, klen);
        c->cur.klen = klen;
        err = cursor_refresh(c);
    }
HandleError:
    if (auto_txn) txn_rollback(s, 1);
    if (err >= 0 || err == JET_errBufferTooSmall) discard_copy(c);
    return err;
}

JET_ERR JET_API JetUpdate2(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark, unsigned long cbBookmark,
                           unsigned long *pcbActual, const JET_GRBIT grbit)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    err = do_update(s, c, pvBookmark, cbBookmark, pcbActual);
    inst_leave(s->inst);
    return err;
}

JET_ERR JET_API JetUpdate(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark, unsigned long cbBookmark,
                          unsigned long *pcbActual)
{
    return JetUpdate2(sesid, tableid, pvBookmark, cbBookmark, pcbActual, 0);
}

JET_ERR JET_API JetDelete(JET_SESID sesid, JET_TABLEID tableid)
{
    struct session *s;
    struct cursor *c;
    int auto_txn = 0;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    if (c->pos == POS_DELETED) Error(JET_errRecordDeleted);
    if (c->pos != POS_ON) Error(JET_errNoCurrentRecord);
    if (c->prepared) Error(JET_errAlreadyPrepared);
    if (s->level == 0) {
        Call(txn_begin(s));
        auto_txn = 1;
    }
    Call(txn_lock_key(s, c->td, c->cur.key, c->cur.klen));
    Call(txn_write(s, c->td, c->cur.key, c->cur.klen, NULL, 0));
    if (auto_txn) {
        auto_txn = 0;
        Call(txn_commit(s, 0));
    }
    c->pos = POS_DELETED;
HandleError:
    if (auto_txn) txn_rollback(s, 1);
    inst_leave(s->inst);
    return err;
}
