/*
 * mtr.h — a batch of page changes made under the exclusive tree lock and logged as one unit:
 * a transaction's commit, a data-definition change, a database creation.
 *
 * Pages are pinned through the batch (mtr_get) and made writable with mtr_write, which keeps a
 * before-image. mtr_commit turns each changed page into one redo record — a full page image when
 * the page is new or has not been imaged since the last checkpoint began, else the byte runs that
 * differ — bumps the page's dbtime, appends the records (and a commit record) to the log in one
 * piece, marks the frames dirty with the batch's end position and unpins them. mtr_abort restores
 * every before-image, so a failed batch leaves no trace in the cache.
 * The caller holds inst->tree_lock exclusively from mtr_begin to mtr_commit/mtr_abort.
 */
#ifndef JET_MTR_H
#define JET_MTR_H

#include "cache.h"
#include "inst.h"
#include "logfmt.h"

struct mtr_page {
    struct frame *fr;
    struct db *db;
    uint8_t *before; /* NULL: only read */
    uint8_t is_new;
};

struct mtr {
    struct inst *inst;
    struct mtr_page *pages; /* one entry per distinct frame */
    size_t n, cap;
    uint32_t *hash;         /* open addressing: frame -> index + 1 into pages */
    size_t hcap;
    struct lrbuf rec;
    size_t max_pinned; /* limit, from the cache size */
};

void mtr_begin(struct mtr *m, struct inst *inst);
/* Pins a page for the batch (read access). */
JET_ERR mtr_get(struct mtr *m, struct db *db, uint32_t pgno, struct frame **out);
/* Makes a pinned page writable (keeps its before-image). */
JET_ERR mtr_write(struct mtr *m, struct db *db, struct frame *fr);
/* Pins a brand-new page (zeroed; logged as a full image). */
JET_ERR mtr_new(struct mtr *m, struct db *db, uint32_t pgno, struct frame **out);
/* Turns a pinned, existing page (a free-list page being reused) into a new one: its current
 * content is kept as the before-image (an abort restores it), the frame is zeroed and the page is
 * logged whole. */
JET_ERR mtr_renew(struct mtr *m, struct db *db, struct frame *fr);
/* Adds a control record (LR_DB_CREATE, ...) that precedes the page records. Returns its payload. */
uint8_t *mtr_control(struct mtr *m, unsigned type, size_t payload);
/* Logs and publishes the batch; with_commit adds LR_COMMIT. *end (may be NULL) gets the log
 * position just past it (0 when logging is off). On failure the batch is aborted. */
JET_ERR mtr_commit(struct mtr *m, int with_commit, lgpos_t *end);
void mtr_abort(struct mtr *m);

/* Encodes a page's change as redo (shared with tests). */
void mtr_encode_page(struct lrbuf *rec, uint32_t dbid, uint32_t pgno, const uint8_t *before,
                     const uint8_t *after, uint32_t pgsz, int full_image);

#endif
