/*
 * page.c — checksums and the slotted-cell layout of database pages (format in page.h).
 * Pure functions on a page buffer: no I/O, no locking (callers hold the page).
 */
#include "page.h"

#include <string.h>

#include "codec.h"
#include "crc32c.h"

int page_size_valid(uint32_t pgsz)
{
    return pgsz == 4096 || pgsz == 8192 || pgsz == 16384 || pgsz == 32768;
}

uint32_t page_pgno(const uint8_t *pg) { return get_u32(pg + 4); }
uint64_t page_dbtime(const uint8_t *pg) { return get_u64(pg + 8); }
void page_set_dbtime(uint8_t *pg, uint64_t dbtime) { put_u64(pg + 8, dbtime); }
unsigned page_type(const uint8_t *pg) { return pg[16]; }
unsigned page_level(const uint8_t *pg) { return pg[17]; }
unsigned page_nslots(const uint8_t *pg) { return get_u16(pg + 18); }
uint32_t page_next(const uint8_t *pg) { return get_u32(pg + 24); }
void page_set_next(uint8_t *pg, uint32_t next) { put_u32(pg + 24, next); }
uint32_t page_aux(const uint8_t *pg) { return get_u32(pg + 28); }
void page_set_aux(uint8_t *pg, uint32_t aux) { put_u32(pg + 28, aux); }

static unsigned upper(const uint8_t *pg, uint32_t pgsz)
{
    unsigned u = get_u16(pg + 20);
    return u == 0 ? pgsz : u;
}
static void set_upper(uint8_t *pg, unsigned u) { put_u16(pg + 20, (uint16_t)u); }
static unsigned frag(const uint8_t *pg) { return get_u16(pg + 22); }
static void set_frag(uint8_t *pg, unsigned f) { put_u16(pg + 22, (uint16_t)f); }
static void set_nslots(uint8_t *pg, unsigned n) { put_u16(pg + 18, (uint16_t)n); }
static uint8_t *slot(uint8_t *pg, unsigned i) { return pg + PAGE_HDR + PAGE_SLOT * i; }

void page_init(uint8_t *pg, uint32_t pgsz, uint32_t pgno, unsigned type, unsigned level)
{
    memset(pg, 0, pgsz);
    put_u32(pg + 4, pgno);
    pg[16] = (uint8_t)type;
    pg[17] = (uint8_t)level;
    set_upper(pg, pgsz == 32768 ? 0 : pgsz);
}

void page_seal(uint8_t *pg, uint32_t pgsz) { put_u32(pg, crc32c(0, pg + 4, pgsz - 4)); }

JET_ERR page_verify(const uint8_t *pg, uint32_t pgsz, uint32_t pgno)
{
    if (get_u32(pg) != crc32c(0, pg + 4, pgsz - 4)) return JET_errReadVerifyFailure;
    if (get_u32(pg + 4) != pgno) return JET_errReadVerifyFailure;
    return JET_errSuccess;
}

const uint8_t *page_cell(const uint8_t *pg, unsigned i, unsigned *len)
{
    const uint8_t *s = pg + PAGE_HDR + PAGE_SLOT * i;
    *len = get_u16(s + 2);
    return pg + get_u16(s);
}

unsigned page_free(const uint8_t *pg, uint32_t pgsz)
{
    unsigned lower = PAGE_HDR + PAGE_SLOT * page_nslots(pg);
    return upper(pg, pgsz) - lower + frag(pg);
}

unsigned page_used(const uint8_t *pg, uint32_t pgsz) { return pgsz - PAGE_HDR - page_free(pg, pgsz); }

void page_compact(uint8_t *pg, uint32_t pgsz)
{
    uint8_t tmp[PAGE_SIZE_MAX];
    unsigned n = page_nslots(pg), top = pgsz;
    for (unsigned i = 0; i < n; i++) {
        unsigned len;
        const uint8_t *c = page_cell(pg, i, &len);
        top -= len;
        memcpy(tmp + top, c, len);
        put_u16(slot(pg, i), (uint16_t)top);
    }
    unsigned lower = PAGE_HDR + PAGE_SLOT * n;
    memset(pg + lower, 0, top - lower);
    memcpy(pg + top, tmp + top, pgsz - top);
    set_upper(pg, top == 32768 ? 0 : top);
    set_frag(pg, 0);
}

int page_insert(uint8_t *pg, uint32_t pgsz, unsigned i, const void *cell, unsigned len)
{
    unsigned n = page_nslots(pg);
    if (i > n || page_free(pg, pgsz) < page_cell_need(len)) return -1;
    unsigned lower = PAGE_HDR + PAGE_SLOT * n;
    if (upper(pg, pgsz) - lower < page_cell_need(len)) page_compact(pg, pgsz);
    unsigned top = upper(pg, pgsz) - len;
    memcpy(pg + top, cell, len);
    set_upper(pg, top);
    memmove(slot(pg, i + 1), slot(pg, i), PAGE_SLOT * (n - i));
    put_u16(slot(pg, i), (uint16_t)top);
    put_u16(slot(pg, i) + 2, (uint16_t)len);
    set_nslots(pg, n + 1);
    return 0;
}

void page_delete(uint8_t *pg, uint32_t pgsz, unsigned i)
{
    unsigned n = page_nslots(pg), len;
    uint8_t *c = (uint8_t *)page_cell(pg, i, &len);
    unsigned off = (unsigned)(c - pg);
    memset(c, 0, len);
    memmove(slot(pg, i), slot(pg, i + 1), PAGE_SLOT * (n - i - 1));
    memset(slot(pg, n - 1), 0, PAGE_SLOT);
    set_nslots(pg, n - 1);
    if (off == upper(pg, pgsz))
        set_upper(pg, off + len == 32768 ? 0 : off + len);
    else
        set_frag(pg, frag(pg) + len);
}

int page_replace(uint8_t *pg, uint32_t pgsz, unsigned i, const void *cell, unsigned len)
{
    unsigned oldlen;
    uint8_t *c = (uint8_t *)page_cell(pg, i, &oldlen);
    if (len <= oldlen) {
        memmove(c, cell, len);
        memset(c + len, 0, oldlen - len);
        put_u16(slot(pg, i) + 2, (uint16_t)len);
        set_frag(pg, frag(pg) + (oldlen - len));
        return 0;
    }
    if (page_free(pg, pgsz) + oldlen < len) return -1;
    uint8_t tmp[PAGE_SIZE_MAX];
    memcpy(tmp, cell, len);
    page_delete(pg, pgsz, i);
    return page_insert(pg, pgsz, i, tmp, len);
}

void page_truncate(uint8_t *pg, uint32_t pgsz, unsigned from)
{
    while (page_nslots(pg) > from) page_delete(pg, pgsz, page_nslots(pg) - 1);
    page_compact(pg, pgsz);
}

JET_ERR page_check(const uint8_t *pg, uint32_t pgsz)
{
    unsigned type = page_type(pg);
    if (type == PAGE_LV) return page_aux(pg) <= pgsz - PAGE_HDR ? JET_errSuccess : JET_errDatabaseCorrupted;
    if (type == PAGE_FREE || type == PAGE_SPACE || type == PAGE_HEADER) return JET_errSuccess;
    if (type != PAGE_LEAF && type != PAGE_INTERNAL) return JET_errDatabaseCorrupted;
    unsigned n = page_nslots(pg), lower = PAGE_HDR + PAGE_SLOT * n, up = upper(pg, pgsz);
    if (lower > pgsz || up < lower || up > pgsz || frag(pg) > pgsz) return JET_errDatabaseCorrupted;
    unsigned cells = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *s = pg + PAGE_HDR + PAGE_SLOT * i;
        unsigned off = get_u16(s), len = get_u16(s + 2);
        if (off < up || off + len > pgsz || len < 6) return JET_errDatabaseCorrupted;
        if (6u + get_u16(pg + off) > len || get_u16(pg + off) > 512) return JET_errDatabaseCorrupted;
        cells += len;
    }
    /* The cell area holds the cells and frag bytes of holes, exactly (every operation above keeps
     * this). Cells that overlap, or a frag that lies, would make page_compact write below its
     * buffer and page_free promise room that is not there. */
    if (cells + frag(pg) != pgsz - up) return JET_errDatabaseCorrupted;
    return JET_errSuccess;
}
