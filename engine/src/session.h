/*
 * session.h — sessions, their transactions' private write sets, and table cursors.
 *
 * A transaction's changes stay in its session's write set (one sorted set of records per table)
 * until the outermost commit applies them to the trees in one batch (txn.c); readers of other
 * sessions never see them, the session's own cursors do (cursor.c merges the write set with the
 * tree). Keys written by an open transaction are locked instance-wide (keylock.c): another
 * transaction writing the same key gets JET_errWriteConflict.
 * A session is used by one thread at a time (ESE's rule); its fields need no lock, except the
 * instance's session list (inst->mu).
 */
#ifndef JET_SESSION_H
#define JET_SESSION_H

#include "arena.h"
#include "btree.h"
#include "catalog.h"
#include "inst.h"

#define TXN_LEVEL_MAX 7
#define KEY_MAX 400 /* longest normalized key libjet stores */

/* One pending record of a write set: a new value, or a deletion (tombstone). The entry (sized to
 * its key) and its value live in the session's transaction arena. */
struct wentry {
    uint8_t *val;  /* NULL for a tombstone */
    uint32_t vlen;
    uint32_t vcap; /* bytes at val a later value of the key may reuse */
    uint32_t klen;
    uint8_t key[];
};

/* The pending changes of one table. */
struct wset {
    struct wset *next;
    struct tabledef *td; /* holds a reference */
    struct wentry **e;   /* sorted by key */
    size_t n, cap;
};

/* Undo of one write-set change, for rolling back an inner transaction level (level >= 2: rolling
 * back the outermost level discards the whole write set, so level 1 keeps no undo). */
struct undo {
    int level;
    struct wset *ws;
    uint8_t key[KEY_MAX];
    uint32_t klen;
    int existed;  /* the entry existed before the change */
    uint8_t *val; /* its previous value (NULL: it was a tombstone; in the transaction arena) */
    uint32_t vlen;
};

struct cursor;

struct session {
    struct inst *inst;
    JET_SESID handle;
    struct session *next, *prev; /* inst->sessions (inst->mu) */
    int level;                   /* transaction nesting, 0 = none */
    struct wset *ws;
    struct undo *undo;
    size_t nundo, capundo;
    struct lockref *locks; /* keys locked by the transaction (keylock.c) */
    struct arena txn_mem;  /* the open transaction's write-set entries, values and key locks;
                              reset when its outermost level ends */
    struct cursor *cursors;
    uint32_t opendb[DB_MAX + 1]; /* JetOpenDatabase count per dbid */
};

enum cursor_pos { POS_NONE, POS_ON, POS_BEFORE_FIRST, POS_AFTER_LAST, POS_DELETED };

/* A column value inside a record being built: its bytes live in the record's arena. */
struct colval {
    JET_COLUMNID id;
    uint32_t off; /* into recbuf.arena */
    uint32_t len;
};

/* A record being built (JetPrepareUpdate .. JetUpdate): values point into one arena, appended to
 * as columns are set and reset with the record, so setting a column costs no allocation. */
struct recbuf {
    struct colval *v; /* sorted by column id, then tag order */
    size_t n, cap;
    uint8_t *arena;
    size_t alen, acap;
};

struct cursor {
    struct session *ses;
    JET_TABLEID handle;
    struct cursor *next; /* ses->cursors */
    struct db *db;
    struct tabledef *td;

    enum cursor_pos pos;
    struct bt_rec cur;    /* the current record: key and stored bytes (when pos is POS_ON) */

    uint8_t mkey[KEY_MAX]; /* key being made by JetMakeKey */
    uint32_t mklen;
    uint32_t mkseg;       /* segments made */
    int mkey_made;
    int mkey_limit;       /* +1 end limit (0xff padded), -1 start limit */

    int range;            /* an index range is set */
    uint8_t rkey[KEY_MAX];
    uint32_t rklen;
    int rupper, rinclusive;

    int prepared;         /* an update is being built */
    unsigned long prep;   /* JET_prepInsert / JET_prepReplace / ... when prepared */
    struct recbuf copy;   /* the record being built */
    uint8_t okey[KEY_MAX]; /* replace: key of the record being replaced */
    uint32_t oklen;
    int auto_txn;         /* update outside a transaction: commit at JetUpdate */
};

/* Finds the table id of a session; JET_errInvalidTableId. Checks the session too. */
JET_ERR cursor_from(JET_SESID sesid, JET_TABLEID tableid, struct session **ses, struct cursor **cur);
JET_ERR session_from(JET_SESID sesid, struct session **out);
/* Session-call entry: finds the session (and cursor) and passes the instance's entry gate; the
 * caller ends with inst_leave(s->inst). */
JET_ERR ses_enter(JET_SESID sesid, struct session **s);
JET_ERR cur_enter(JET_SESID sesid, JET_TABLEID tableid, struct session **s, struct cursor **c);
/* Registers a new cursor's handle; frees a cursor (handle, buffers, table reference). */
JET_ERR cursor_register(struct cursor *c);
void cursor_free(struct cursor *c);
/* Re-reads a cursor's current record from the merged view (after the session changed it). */
JET_ERR cursor_refresh(struct cursor *c);
/* Closes every cursor of a session. */
void session_close_cursors(struct session *s);
/* Ends every session of an instance (JetTerm): rolls back, closes. */
void session_end_all(struct inst *inst);

/* Transactions (txn.c). */
JET_ERR txn_begin(struct session *s);
JET_ERR txn_commit(struct session *s, JET_GRBIT grbit);
void txn_rollback(struct session *s, int all);
/* The write set of a table in the session (created when create != 0). */
struct wset *txn_wset(struct session *s, struct tabledef *td, int create);
/* Index of the first entry >= key; *exact when equal. */
size_t wset_search(const struct wset *ws, const uint8_t *key, uint32_t klen, int *exact);
/* Records a pending write (val NULL: delete) with undo at the current level. */
JET_ERR txn_write(struct session *s, struct tabledef *td, const uint8_t *key, uint32_t klen,
                  const uint8_t *val, uint32_t vlen);
/* Records a pending write of a vlen-byte value and sets *val to where its bytes go: the caller
 * fills them before its next call on the session. Nothing is recorded on failure. */
JET_ERR txn_write_reserve(struct session *s, struct tabledef *td, const uint8_t *key, uint32_t klen,
                          uint32_t vlen, uint8_t **val);
/* Locks a key for the session's transaction: JET_errWriteConflict when another holds it. */
JET_ERR txn_lock_key(struct session *s, struct tabledef *td, const uint8_t *key, uint32_t klen);

#endif
