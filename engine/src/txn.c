/*
 * txn.c — transactions: nesting levels, the private write sets, undo of inner levels, and the
 * outermost commit that applies everything to the trees in one logged batch (rules in session.h).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "keylock.h"
#include "log.h"
#include "record.h"
#include "session.h"

static int keycmp(const uint8_t *a, uint32_t al, const uint8_t *b, uint32_t bl)
{
    uint32_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    return r ? r : (al < bl ? -1 : al > bl);
}

size_t wset_search(const struct wset *ws, const uint8_t *key, uint32_t klen, int *exact)
{
    size_t lo = 0, hi = ws->n;
    *exact = 0;
    /* Keys usually arrive in ascending order: past the last entry is one comparison. */
    if (hi && keycmp(ws->e[hi - 1]->key, ws->e[hi - 1]->klen, key, klen) < 0) return hi;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = keycmp(ws->e[mid]->key, ws->e[mid]->klen, key, klen);
        if (r == 0) {
            *exact = 1;
            return mid;
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct wset *txn_wset(struct session *s, struct tabledef *td, int create)
{
    for (struct wset *w = s->ws; w; w = w->next)
        if (w->td == td) return w;
    if (!create) return NULL;
    struct wset *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->td = td;
    pthread_mutex_lock(&td->mu);
    td->refs++;
    pthread_mutex_unlock(&td->mu);
    w->next = s->ws;
    s->ws = w;
    return w;
}

static void free_wsets(struct session *s)
{
    while (s->ws) {
        struct wset *w = s->ws;
        s->ws = w->next;
        free(w->e); /* the entries and values are in s->txn_mem */
        tabledef_release(w->td);
        free(w);
    }
    free(s->undo);
    s->undo = NULL;
    s->nundo = s->capundo = 0;
}

JET_ERR txn_begin(struct session *s)
{
    if (s->level >= TXN_LEVEL_MAX) return JET_errTransTooDeep;
    s->level++;
    return JET_errSuccess;
}

static JET_ERR push_undo(struct session *s, struct undo *u)
{
    if (s->nundo == s->capundo) {
        size_t cap = s->capundo ? s->capundo * 2 : 16;
        struct undo *p = realloc(s->undo, cap * sizeof *p);
        if (!p) return JET_errOutOfMemory;
        s->undo = p;
        s->capundo = cap;
    }
    s->undo[s->nundo++] = *u;
    return JET_errSuccess;
}

/* Records a write of key: a value of vlen bytes (*val gets its room) when is_value, else a
 * tombstone. Everything that can fail happens before the write set changes. */
static JET_ERR write_entry(struct session *s, struct tabledef *td, const uint8_t *key, uint32_t klen,
                           int is_value, uint32_t vlen, uint8_t **val)
{
    if (klen > KEY_MAX) return JET_errKeyTooBig;
    struct wset *w = txn_wset(s, td, 1);
    if (!w) return JET_errOutOfMemory;
    int exact;
    size_t i = wset_search(w, key, klen, &exact);
    assert(!exact || (w->e && i < w->n));
    struct wentry *e = exact ? w->e[i] : NULL;
    int undo = s->level > 1;
    uint8_t *v = NULL;
    uint32_t vcap = 0;
    if (is_value) {
        /* With no undo keeping the old value, the new one overwrites it when it fits: a key
         * rewritten over and over does not grow the arena. */
        if (e && !undo && e->val && vlen <= e->vcap) {
            v = e->val;
            vcap = e->vcap;
        } else {
            vcap = vlen ? vlen : 1;
            if (!(v = arena_alloc(&s->txn_mem, vcap))) return JET_errOutOfMemory;
        }
    }
    if (!e) {
        if (w->n == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 16;
            struct wentry **p = realloc(w->e, cap * sizeof *p);
            if (!p) return JET_errOutOfMemory;
            w->e = p;
            w->cap = cap;
        }
        if (!(e = arena_alloc(&s->txn_mem, sizeof *e + klen))) return JET_errOutOfMemory;
        memcpy(e->key, key, klen);
        e->klen = klen;
        e->val = NULL;
        e->vlen = e->vcap = 0;
    }
    if (undo) {
        struct undo u = {.level = s->level, .ws = w, .klen = klen, .existed = exact};
        memcpy(u.key, key, klen);
        if (exact) {
            u.val = e->val;
            u.vlen = e->vlen;
        }
        JET_ERR err = push_undo(s, &u);
        if (err < 0) return err;
    }
    if (!exact) {
        memmove(w->e + i + 1, w->e + i, (w->n - i) * sizeof *w->e);
        w->e[i] = e;
        w->n++;
    }
    e->val = v;
    e->vlen = vlen;
    e->vcap = vcap;
    if (val) *val = v;
    return JET_errSuccess;
}

JET_ERR txn_write(struct session *s, struct tabledef *td, const uint8_t *key, uint32_t klen,
                  const uint8_t *val, uint32_t vlen)
{
    uint8_t *dst;
    JET_ERR err = write_entry(s, td, key, klen, val != NULL, vlen, &dst);
    if (err >= 0 && val && vlen) memcpy(dst, val, vlen);
    return err;
}

JET_ERR txn_write_reserve(struct session *s, struct tabledef *td, const uint8_t *key, uint32_t klen,
                          uint32_t vlen, uint8_t **val)
{
    return write_entry(s, td, key, klen, 1, vlen, val);
}

JET_ERR txn_lock_key(struct session *s, struct tabledef *td, const uint8_t *key, uint32_t klen)
{
    return keylock_acquire(s->inst->locks, s, td->db->dbid, td->objid, key, klen);
}

/* Undoes the changes of level `level` and above. */
static void undo_level(struct session *s, int level)
{
    while (s->nundo && s->undo[s->nundo - 1].level >= level) {
        struct undo *u = &s->undo[--s->nundo];
        int exact;
        size_t i = wset_search(u->ws, u->key, u->klen, &exact);
        if (!exact) continue; /* cannot happen */
        struct wentry *e = u->ws->e[i];
        if (u->existed) {
            e->val = u->val;
            e->vlen = u->vlen;
            e->vcap = u->vlen; /* no more is known to be free behind it */
        } else {
            memmove(u->ws->e + i, u->ws->e + i + 1, (u->ws->n - i - 1) * sizeof *u->ws->e);
            u->ws->n--;
        }
    }
}

static void end_outermost(struct session *s)
{
    free_wsets(s);
    keylock_release_all(s->inst->locks, s);
    arena_reset(&s->txn_mem); /* last: the entries and the locks lived there */
    s->level = 0;
}

void txn_rollback(struct session *s, int all)
{
    if (s->level == 0) return;
    if (all || s->level == 1) {
        end_outermost(s);
        return;
    }
    undo_level(s, s->level);
    s->level--;
}

static int key_gt(const uint8_t *a, uint32_t al, const uint8_t *b, uint32_t bl) { return keycmp(a, al, b, bl) > 0; }

/* Raises the table's bound of committed keys (exclusive tree lock held). */
static void raise_maxkey(struct tabledef *td, const struct wentry *e)
{
    pthread_mutex_lock(&td->mu);
    if (td->maxkey_known && key_gt(e->key, e->klen, td->maxkey, td->maxkey_len) && e->klen <= sizeof td->maxkey) {
        memcpy(td->maxkey, e->key, e->klen);
        td->maxkey_len = e->klen;
    }
    pthread_mutex_unlock(&td->mu);
}

/* Applies every write set to the trees in one batch (exclusive tree lock held). Entries are in
 * key order, so consecutive puts usually land in the same leaf: the hint saves the descents. */
static JET_ERR apply(struct session *s, struct mtr *m)
{
    JET_ERR err = JET_errSuccess;
    struct bt_hint *hint = malloc(sizeof *hint);
    if (!hint) return JET_errOutOfMemory;
    for (struct wset *w = s->ws; w && err >= 0; w = w->next) {
        if (w->td->deleted) continue;
        hint->valid = 0;
        const struct wentry *last = NULL;
        for (size_t i = 0; i < w->n && err >= 0; i++) {
            struct wentry *e = w->e[i];
            if (e->val) {
                err = bt_put(m, w->td->db, w->td->root, e->key, e->klen, e->val, e->vlen, hint);
                last = e;
            } else {
                hint->valid = 0; /* a delete may merge pages */
                if ((err = bt_del(m, w->td->db, w->td->root, e->key, e->klen)) == JET_errRecordNotFound)
                    err = JET_errSuccess; /* inserted and deleted inside the transaction */
            }
        }
        if (err >= 0 && last) raise_maxkey(w->td, last);
    }
    free(hint);
    return err;
}

JET_ERR txn_commit(struct session *s, JET_GRBIT grbit)
{
    struct inst *inst = s->inst;
    JET_ERR err = JET_errSuccess;
    if (s->level == 0) return JET_errNotInTransaction;
    if (s->level > 1) {
        /* The level's changes join the level below; at level 1 their undo is no longer needed. */
        size_t keep = 0;
        for (size_t i = 0; i < s->nundo; i++) {
            if (s->undo[i].level == s->level) s->undo[i].level = s->level - 1;
            if (s->undo[i].level >= 2) s->undo[keep++] = s->undo[i];
        }
        s->nundo = keep;
        s->level--;
        return JET_errSuccess;
    }
    int any = 0;
    for (struct wset *w = s->ws; w && !any; w = w->next) any = w->n > 0;
    lgpos_t lsn = 0;
    if (any) {
        struct mtr m;
        tree_wrlock(inst);
        mtr_begin(&m, inst);
        err = apply(s, &m);
        if (err >= 0)
            err = mtr_commit(&m, 1, &lsn);
        else
            mtr_abort(&m);
        tree_unlock(inst);
    }
    end_outermost(s);
    if (err < 0) return err;
    atomic_fetch_add(&inst->commits, 1);
    /* A durable commit returns once it and everything committed before it (lazy commits of this
     * or other sessions included) is on disk — also when it wrote nothing itself. */
    if (inst->log && !(grbit & JET_bitCommitLazyFlush))
        err = log_flush_to(inst->log, lsn ? lsn : log_append_pos(inst->log));
    return err;
}

/* ---- the API ---------------------------------------------------------------------------------------- */
JET_ERR JET_API JetBeginTransaction2(JET_SESID sesid, JET_GRBIT grbit)
{
    struct session *s;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    err = txn_begin(s);
    inst_leave(s->inst);
    return err;
}

JET_ERR JET_API JetBeginTransaction(JET_SESID sesid) { return JetBeginTransaction2(sesid, 0); }

JET_ERR JET_API JetCommitTransaction(JET_SESID sesid, JET_GRBIT grbit)
{
    struct session *s;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    err = txn_commit(s, grbit);
    inst_leave(s->inst);
    return err;
}

JET_ERR JET_API JetRollback(JET_SESID sesid, JET_GRBIT grbit)
{
    struct session *s;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    if (s->level == 0) {
        err = JET_errNotInTransaction;
    } else {
        /* Updates being built through this session's cursors are cancelled, as in ESE. */
        for (struct cursor *c = s->cursors; c; c = c->next)
            if (c->prepared) {
                rec_clear(&c->copy);
                c->prepared = 0;
            }
        txn_rollback(s, (grbit & JET_bitRollbackAll) != 0);
    }
    inst_leave(s->inst);
    return err;
}
