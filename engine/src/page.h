/*
 * page.h — the database page format shared by every page of a database file.
 *
 * Byte layout (little-endian):
 *    0  u32 checksum   CRC32C of bytes [4, page size)
 *    4  u32 pgno       the page's own number (a misplaced page fails verification)
 *    8  u64 dbtime     the database's change counter when this page last changed
 *   16  u8  type       PAGE_FREE, PAGE_HEADER, PAGE_SPACE, PAGE_LEAF, PAGE_INTERNAL, PAGE_LV
 *   17  u8  level      B+tree level (0 = leaf)
 *   18  u16 nslots     number of cells
 *   20  u16 upper      start of the cell area (cells grow down from the end of the page)
 *   22  u16 frag       free bytes inside the cell area left by deleted/shrunk cells
 *   24  u32 next       free page: next free page; LV page: next page of the chain
 *   28  u32 aux        LV page: bytes used
 *   32  slots          nslots x {u16 offset, u16 length}, in key order
 *  ...  free gap, kept zeroed
 * upper cells
 * The checksum is set when the page is written (page_seal) and checked when it is read
 * (page_verify); in the cache it may be stale. A page whose checksum or number is wrong is never
 * used: the read fails with JET_errReadVerifyFailure.
 * Page sizes: 4, 8, 16 or 32 KiB. Offsets are u16, so a 32 KiB page stores 32768 as 0 in `upper`
 * (an empty page); page_upper() decodes it.
 */
#ifndef JET_PAGE_H
#define JET_PAGE_H

#include <stdint.h>

#include "jet.h"

#define PAGE_HDR 32
#define PAGE_SLOT 4
#define PAGE_SIZE_MIN 4096u
#define PAGE_SIZE_MAX 32768u

enum page_type {
    PAGE_FREE = 0,
    PAGE_HEADER = 1,
    PAGE_SPACE = 2,
    PAGE_LEAF = 3,
    PAGE_INTERNAL = 4,
    PAGE_LV = 5,
};

/* Field offsets, for the few callers (redo) that need them. */
#define PAGE_OFF_CHECKSUM 0
#define PAGE_OFF_PGNO 4
#define PAGE_OFF_DBTIME 8
#define PAGE_OFF_TYPE 16

int page_size_valid(uint32_t pgsz);

uint32_t page_pgno(const uint8_t *pg);
uint64_t page_dbtime(const uint8_t *pg);
void page_set_dbtime(uint8_t *pg, uint64_t dbtime);
unsigned page_type(const uint8_t *pg);
unsigned page_level(const uint8_t *pg);
unsigned page_nslots(const uint8_t *pg);
uint32_t page_next(const uint8_t *pg);
void page_set_next(uint8_t *pg, uint32_t next);
uint32_t page_aux(const uint8_t *pg);
void page_set_aux(uint8_t *pg, uint32_t aux);

/* Formats an empty page (zeroed) of the given type and level. */
void page_init(uint8_t *pg, uint32_t pgsz, uint32_t pgno, unsigned type, unsigned level);
/* Sets the checksum (before a write). */
void page_seal(uint8_t *pg, uint32_t pgsz);
/* JET_errSuccess, or JET_errReadVerifyFailure when the checksum or the page number is wrong. */
JET_ERR page_verify(const uint8_t *pg, uint32_t pgsz, uint32_t pgno);

/* Structural check after a read: a page of a known type whose slots and cells lie inside it and,
 * for B+tree pages, whose cells' key lengths fit (cells begin {u16 key length, u32, key}, see
 * btree.h). JET_errDatabaseCorrupted otherwise. Lets the B+tree trust any page it is handed. */
JET_ERR page_check(const uint8_t *pg, uint32_t pgsz);

/* Slotted cells. */
const uint8_t *page_cell(const uint8_t *pg, unsigned i, unsigned *len);
/* Bytes a new cell of len bytes would need (data + slot). */
static inline unsigned page_cell_need(unsigned len) { return len + PAGE_SLOT; }
/* Free bytes (contiguous gap + fragments). */
unsigned page_free(const uint8_t *pg, uint32_t pgsz);
/* Bytes used by cells and slots. */
unsigned page_used(const uint8_t *pg, uint32_t pgsz);
/* Inserts a cell at slot i (0..nslots); the caller checks page_free first.
 * Returns 0, or -1 when it does not fit. */
int page_insert(uint8_t *pg, uint32_t pgsz, unsigned i, const void *cell, unsigned len);
/* Removes cell i. */
void page_delete(uint8_t *pg, uint32_t pgsz, unsigned i);
/* Replaces cell i; returns -1 when the new cell does not fit (page unchanged). */
int page_replace(uint8_t *pg, uint32_t pgsz, unsigned i, const void *cell, unsigned len);
/* Removes cells [from, nslots). */
void page_truncate(uint8_t *pg, uint32_t pgsz, unsigned from);
/* Rewrites the cell area contiguously, zeroing the gap. */
void page_compact(uint8_t *pg, uint32_t pgsz);

/* Raw data area of a non-slotted page (LV): bytes [PAGE_HDR, pgsz). */
static inline uint8_t *page_body(uint8_t *pg) { return pg + PAGE_HDR; }

#endif
