/*
 * space.h — page allocation inside a database file.
 *
 * Page 2 of every database is the space page (type PAGE_SPACE). Its body holds, little-endian:
 *   32 u32 page count   pages in use or free: the next never-used page number
 *   36 u32 free head    first page of the free list (0: empty); each free page links the next
 *                       through its `next` field
 *   40 u32 free count
 *   44 u32 catalog root root page of the catalog tree (table definitions)
 *   48 u32 next object id
 * Pages 0 and 1 are the header and its shadow; page 3 is the catalog root of a new database.
 * All changes go through a batch (mtr), so they are logged like any page change.
 */
#ifndef JET_SPACE_H
#define JET_SPACE_H

#include "mtr.h"

#define PGNO_SPACE 2u
#define PGNO_CATALOG 3u
#define PGNO_FIRST_FREE 4u

/* Formats the space page and an empty catalog root of a new database. */
JET_ERR space_format(struct mtr *m, struct db *db);
/* Allocates a page (free list first, then the end of the file) and pins it new (zeroed). */
JET_ERR space_alloc(struct mtr *m, struct db *db, struct frame **out);
/* Returns a pinned, writable-through-m page to the free list. */
JET_ERR space_free(struct mtr *m, struct db *db, struct frame *fr);
/* Reads the space page fields (tree lock held, any mode). */
JET_ERR space_info(struct db *db, uint32_t *page_count, uint32_t *free_count, uint32_t *catalog_root);
/* Takes the next object id (for a new table), inside a batch. */
JET_ERR space_next_objid(struct mtr *m, struct db *db, uint32_t *objid);

#endif
