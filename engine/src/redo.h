/*
 * redo.h — replay of log records onto database pages, shared by soft recovery (JetInit after a
 * crash) and hard recovery (JetExternalRestore).
 *
 * Records are grouped in units ending with LR_COMMIT; a unit is applied only when its commit
 * record arrives, so a transaction torn at the log's end is never half applied. LR_TERM (written
 * at a clean shutdown and at the end of every recovery) discards a unit in progress.
 * A page record applies only when the page has not seen it yet: a full image when the page's
 * dbtime is older than the image's (or the page failed verification: torn); a diff only when the
 * page's dbtime equals the diff's "before" dbtime. A diff meeting a torn page, or a page whose
 * dbtime is between before and after, is an inconsistency: JET_errDatabaseCorrupted.
 * The databases being replayed live in inst->dbs (the caller holds the exclusive tree lock).
 */
#ifndef JET_REDO_H
#define JET_REDO_H

#include "inst.h"
#include "logfmt.h"

struct redo {
    struct inst *inst;
    struct lrbuf pending;
    /* Maps a path recorded in the log to the file to replay into: 1 and out filled, or 0 to
     * ignore that database. NULL: the logged path itself. */
    int (*map_path)(void *ctx, const char *logged, char *out);
    void *map_ctx;
    int hard;                   /* hard recovery: no database file is ever created */
    uint8_t ignored[DB_MAX + 1]; /* dbids whose records are skipped */
    uint64_t units, records;
    lgpos_t pos;                /* end of the last record fed */
};

void redo_init(struct redo *r, struct inst *inst);
void redo_free(struct redo *r);
/* Opens a database known from a checkpoint or a log header, into inst->dbs[dbid]. */
JET_ERR redo_attach(struct redo *r, uint32_t dbid, const char *path, const struct signature *sig,
                    uint64_t dbtime);
/* Feeds one record; end is the log position just past it. */
JET_ERR redo_feed(struct redo *r, const uint8_t *rec, uint32_t len, lgpos_t end);
/* Drops an incomplete unit. */
void redo_discard(struct redo *r);
/* Applies one page record to a page buffer (exposed for tests): 1 applied, 0 skipped. */
JET_ERR redo_page(uint8_t *page, int torn, uint32_t pgsz, const uint8_t *rec, uint32_t len, int *applied);

#endif
