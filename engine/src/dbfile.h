/*
 * dbfile.h — attached-database objects: opening a database file, its in-memory header, and the
 * instance's table of attached databases (inst->dbs, by dbid).
 */
#ifndef JET_DBFILE_H
#define JET_DBFILE_H

#include "inst.h"

/* Opens path read-write and reads its header into a new struct db (not yet in inst->dbs). */
JET_ERR db_open_file(struct inst *inst, const char *path, struct db **out);
/* Creates a new database file with a fresh header (state JET_dbstateJustCreated, given signature
 * or a new one when sig is NULL). overwrite: replace an existing file. */
JET_ERR db_create_file(struct inst *inst, const char *path, const struct signature *sig, int overwrite,
                       struct db **out);
/* Writes db->hdr durably (both copies). */
JET_ERR db_write_header(struct db *db);
/* Marks the in-memory header consistent at log position end (clean shutdown, detached there, no
 * generation required any more); the caller writes it. */
void db_mark_clean(struct db *db, lgpos_t end);
/* Closes the file and frees the object (and its cached table definitions). */
void db_free(struct db *db);
/* A free dbid, 0 when all DB_MAX are in use (tree lock held). */
uint32_t db_free_slot(struct inst *inst);
/* The attached database with this path (tree lock held), or NULL. */
struct db *db_by_path(struct inst *inst, const char *path);
/* Page count of a database from its space page (tree lock held). */
JET_ERR db_page_count(struct db *db, uint32_t *count);

#endif
