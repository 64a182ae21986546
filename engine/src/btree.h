/*
 * btree.h — B+trees of (key, value) records inside a database file: the catalog and every table.
 *
 * Pages (page.h) of type PAGE_LEAF hold cells {u16 key length, u32 value info, key, value}: value
 * info is the value's length, with bit 31 set when the value lives in a chain of PAGE_LV pages
 * and the cell holds only the chain's first page number (u32). PAGE_INTERNAL pages hold cells
 * {u16 key length, u32 child, key}; the first cell's key is empty and stands for "below every
 * key", so a search takes the last cell whose key is <= the search key. Keys are compared as
 * bytes (memcmp, shorter first on a tie) and are unique in a tree. A tree's root page never moves:
 * a root split copies the root into a new child, a root with one child absorbs it.
 * Splits keep each page under a quarter-page cell limit so two halves always fit; an insert at
 * the end of the rightmost leaf leaves the old page full (sequential keys fill pages). After a
 * delete, a page less than a quarter full merges with a sibling when both fit in one page.
 *
 * Readers (bt_find, bt_check) hold the instance's tree lock in any mode; writers (bt_put, bt_del,
 * bt_create, bt_drop) run inside a batch (mtr.h) under the exclusive tree lock.
 */
#ifndef JET_BTREE_H
#define JET_BTREE_H

#include "mtr.h"

#define BT_KEY_MAX 512u
#define BT_KEY_LIMIT 400u /* longest key a tree stores (a quarter page of a 4 KiB page holds it) */
#define BT_DEPTH_MAX 16

enum bt_mode { BT_EQ, BT_GE, BT_GT, BT_LE, BT_LT, BT_FIRST, BT_LAST };

/* A root-to-leaf path: the page and the cell index chosen at each level. */
struct bt_path {
    uint32_t pgno[BT_DEPTH_MAX];
    unsigned idx[BT_DEPTH_MAX];
    int depth; /* levels recorded; [depth-1] is the leaf */
};

/* Where the last bt_put of a batch landed, so the next put of a larger key into the same leaf
 * skips the descent (a transaction's writes are applied in key order). Valid only inside one
 * batch and only while no split or merge changed the tree; bt_put maintains it. */
struct bt_hint {
    int valid;
    uint32_t root;
    struct bt_path path;
    struct frame *leaf;      /* the leaf's frame: pinned by the batch and made writable */
    int has_hi;              /* the leaf has a right neighbour: keys must stay below hi */
    uint8_t hi[BT_KEY_MAX];
    uint32_t hilen;
};

/* A record copied out of a tree; val is owned by the struct (bt_rec_free). */
struct bt_rec {
    uint8_t key[BT_KEY_MAX];
    uint32_t klen;
    uint8_t *val;
    uint32_t vlen, vcap;
};
void bt_rec_free(struct bt_rec *r);

/* Finds a record relative to key (ignored for BT_FIRST/BT_LAST) and copies it into out (the value
 * too when want_value). JET_errRecordNotFound when there is none. */
JET_ERR bt_find(struct db *db, uint32_t root, const uint8_t *key, uint32_t klen, int mode,
                struct bt_rec *out, int want_value);
/* Inserts or replaces. Errors: JET_errKeyTooBig, JET_errRecordTooBig, I/O and space errors.
 * hint (may be NULL) is used and updated as described at struct bt_hint. */
JET_ERR bt_put(struct mtr *m, struct db *db, uint32_t root, const uint8_t *key, uint32_t klen,
               const uint8_t *val, uint32_t vlen, struct bt_hint *hint);
/* Deletes; JET_errRecordNotFound when absent. */
JET_ERR bt_del(struct mtr *m, struct db *db, uint32_t root, const uint8_t *key, uint32_t klen);
/* A new empty tree. */
JET_ERR bt_create(struct mtr *m, struct db *db, uint32_t *root);
/* Frees every page of a tree (long values included). */
JET_ERR bt_drop(struct mtr *m, struct db *db, uint32_t root);
/* Verifies a tree: page types and levels, key order within and across pages, separators, long
 * value chains. Counts records and pages. On a problem returns JET_errDatabaseCorrupted and a
 * description in msg. */
JET_ERR bt_check(struct db *db, uint32_t root, uint64_t *nrecs, uint64_t *npages, char *msg,
                 size_t cap);
/* Largest value stored inline for a key length (larger ones go to long value pages). */
uint32_t bt_inline_max(uint32_t pgsz, uint32_t klen);

#endif
