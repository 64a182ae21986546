/*
 * catalog.h — table definitions of a database: stored in the database's catalog tree (root in the
 * space page) and cached in memory (db->tables).
 *
 * Catalog record: key "T" + the table name folded to lower case (names are case-insensitive, as in
 * ESE); value, little-endian:
 *   u32 objid, u32 root page, u16 name length, name (as created),
 *   u16 column count, per column: u32 columnid, u32 coltyp, u32 cbMax, u32 grbit, u16 cp,
 *        u16 name length, name, u32 default length, default bytes,
 *   u8 has primary index; if so: u16 name length, name, u32 grbit, u8 segments,
 *        per segment: u32 columnid, u8 descending
 * Column ids follow ESE's ranges: fixed-size columns 1..127, variable 128..255, tagged from 256.
 *
 * Concurrency: definitions change under the exclusive tree lock. The column array has a fixed
 * capacity and only grows by appending (ncols is published with release semantics), so a cursor
 * can read definitions without the tree lock.
 */
#ifndef JET_CATALOG_H
#define JET_CATALOG_H

#include <stdatomic.h>

#include "inst.h"
#include "mtr.h"

#define CAT_NAME_MAX 64
#define CAT_COLS_MAX 1024
#define CAT_SEG_MAX 16

struct coldef {
    JET_COLUMNID id;
    JET_COLTYP coltyp;
    uint32_t cb_max;
    JET_GRBIT grbit;
    uint16_t cp;
    char name[CAT_NAME_MAX + 1];
    uint8_t *def;
    uint32_t deflen;
};

struct idxseg {
    JET_COLUMNID col;
    uint8_t desc;
};

struct tabledef {
    struct tabledef *next;
    struct db *db;
    uint32_t objid;
    uint32_t root;
    char name[CAT_NAME_MAX + 1];
    struct coldef *cols[CAT_COLS_MAX];
    atomic_uint ncols;
    int has_primary;
    char idxname[CAT_NAME_MAX + 1];
    JET_GRBIT idxgrbit;
    struct idxseg seg[CAT_SEG_MAX];
    uint32_t nseg;

    pthread_mutex_t mu;          /* guards the fields below */
    int refs;                    /* open cursors */
    int deleted;
    int autoinc_loaded;
    int64_t autoinc_next;
    int seq_loaded;
    uint64_t seq_next;           /* next implicit key for a table without a primary index */
    /* An upper bound of the committed keys (raised by commits, never lowered by deletes), so
     * an insert of a larger key needs no lookup to know it is new. */
    int maxkey_known;
    uint32_t maxkey_len;
    uint8_t maxkey[512];
};

/* Finds a table by name (loading its definition). JET_errObjectNotFound. Tree lock held (any). */
JET_ERR cat_find(struct db *db, const char *name, struct tabledef **out);
/* Creates a table (new tree + catalog record) in a batch. JET_errTableDuplicate, JET_errInvalidName. */
JET_ERR cat_create(struct mtr *m, struct db *db, const char *name, struct tabledef **out);
/* Rewrites a table's catalog record after a change to its definition, in a batch. */
JET_ERR cat_store(struct mtr *m, struct tabledef *td);
/* Removes a table's catalog record and frees its tree, in a batch; unlinks the cached definition
 * (freed when its last cursor closes: tabledef_release). */
JET_ERR cat_delete(struct mtr *m, struct tabledef *td);
/* After the batch of cat_create committed: makes the definition visible. */
void cat_publish(struct db *db, struct tabledef *td);
/* Frees a definition made by cat_create whose batch did not commit. */
void cat_discard(struct tabledef *td);
/* After the batch of cat_delete committed: unlinks the definition (freed with its last cursor). */
void cat_unlink(struct tabledef *td);
/* Names of every table (for jetutil and tests): calls fn for each. */
JET_ERR cat_list(struct db *db, void (*fn)(const char *name, uint32_t root, void *ctx), void *ctx);
/* Frees every cached definition of a database (detach). */
void cat_free_all(struct db *db);
void tabledef_release(struct tabledef *td);

const struct coldef *tabledef_col(const struct tabledef *td, JET_COLUMNID id);
const struct coldef *tabledef_col_named(const struct tabledef *td, const char *name);
/* 1 for a valid ESE object name: 1..64 chars, no control chars, no leading space, none of !.[] */
int cat_name_valid(const char *name);

#endif
