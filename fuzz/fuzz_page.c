/*
 * fuzz_page.c — the page and header readers on one arbitrary page: page_verify, dbh_decode,
 * page_check, and the slotted-page operations the B+tree performs on a page that passed
 * page_check (page.h: "Lets the B+tree trust any page it is handed"): reading every cell,
 * free-space accounting, compaction, insert, replace, delete and truncate.
 *
 * Input: u8 flags (bits 0-1 page size 4..32 KiB, bit 2 repair: the page gets its number and a
 * valid checksum, bit 3 header magic, version and page size written first), u32 page number, u8 i,
 * u16 cell length + cell bytes, then the page (its first bytes; the rest zeros).
 * Checked: a page passing page_check keeps its cells between its slot array and its end, fitting
 * together, through every operation.
 */
#include "common.h"
#include "engine.h"
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/src/codec.h"
#include "../engine/src/dbheader.h"
#include "../engine/src/page.h"

/* Seeds: each kind of page of a real database (header, space, leaf, internal, long value). */
static void write_seeds(const char *out)
{
    char dir[FZ_PATH_MAX], db[FZ_PATH_MAX];
    struct signature sig;
    fz_path(dir, "seed");
    fz_mkdir(dir);
    fz_path(db, "seed/seed.edb");
    fz_jet_template(dir, db, &sig);
    size_t len;
    uint8_t *file = fz_read(db, &len);
    unsigned seen = 0;
    for (uint32_t pgno = 0; pgno < len / FZ_PAGE_SIZE; pgno++) {
        const uint8_t *pg = file + (size_t)pgno * FZ_PAGE_SIZE;
        unsigned type = page_type(pg);
        if (type > PAGE_LV || (seen & (1u << type))) continue;
        seen |= 1u << type;
        size_t used = FZ_PAGE_SIZE;
        while (used > 0 && pg[used - 1] == 0) used--;
        uint8_t *seed = malloc(32 + used);
        uint8_t cell[10] = {2, 0, 4, 0, 0, 0, 'k', 'z', 1, 2};
        seed[0] = 4; /* 4 KiB, repaired */
        put_u32(seed + 1, pgno);
        seed[5] = 1;
        put_u16(seed + 6, sizeof cell);
        memcpy(seed + 8, cell, sizeof cell);
        memcpy(seed + 8 + sizeof cell, pg, used);
        char name[32];
        snprintf(name, sizeof name, "page-type-%u", type);
        fz_seed(out, name, seed, 8 + sizeof cell + used);
        free(seed);
    }
    free(file);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *seeds = getenv("FUZZ_WRITE_SEEDS");
    if (seeds) {
        write_seeds(seeds);
        exit(0);
    }
    return 0;
}

/* Every cell of a page that passed page_check lies between the slot array and the page's end,
 * and the cells fit in that room together. */
static void check_cells(const uint8_t *pg, uint32_t pgsz)
{
    unsigned n = page_nslots(pg);
    size_t lower = PAGE_HDR + (size_t)PAGE_SLOT * n, total = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned len;
        const uint8_t *c = page_cell(pg, i, &len);
        if (c < pg + lower || c + len > pg + pgsz) abort();
        total += len;
    }
    if (lower + total > pgsz) abort();
}

static void operate(const uint8_t *orig, uint32_t pgsz, unsigned i, const uint8_t *cell, unsigned clen)
{
    uint8_t *pg = malloc(pgsz);
    if (pg == NULL) return;
    memcpy(pg, orig, pgsz);
    unsigned n = page_nslots(pg);
    page_compact(pg, pgsz);
    check_cells(pg, pgsz);
    if (page_free(pg, pgsz) >= page_cell_need(clen) && page_insert(pg, pgsz, n ? i % (n + 1) : 0, cell, clen) == 0)
        check_cells(pg, pgsz);
    n = page_nslots(pg);
    if (n) {
        page_replace(pg, pgsz, i % n, cell, clen);
        check_cells(pg, pgsz);
        page_delete(pg, pgsz, (i + 1) % n);
        check_cells(pg, pgsz);
    }
    page_truncate(pg, pgsz, page_nslots(pg) / 2);
    check_cells(pg, pgsz);
    free(pg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    fz_init(&in, data, size);
    uint8_t flags = fz_u8(&in);
    uint32_t pgsz = PAGE_SIZE_MIN << (flags & 3);
    uint32_t pgno = fz_u32(&in);
    unsigned i = fz_u8(&in);
    size_t clen;
    const uint8_t *cell = fz_bytes(&in, 600, &clen);
    size_t n;
    const uint8_t *body = fz_rest(&in, &n);
    uint8_t *pg = calloc(1, pgsz);
    if (pg == NULL) return 0;
    memcpy(pg, body, n < pgsz ? n : pgsz);
    if (flags & 8) {
        put_u32(pg + 32, DBH_MAGIC);
        put_u32(pg + 36, DBH_VERSION);
        put_u32(pg + 40, pgsz);
    }
    if (flags & 4) {
        put_u32(pg + PAGE_OFF_PGNO, pgno);
        page_seal(pg, pgsz);
    }
    JET_ERR verified = page_verify(pg, pgsz, pgno);
    if ((flags & 4) && verified != JET_errSuccess) abort(); /* a sealed page always verifies */
    struct db_header h;
    if (dbh_decode(pg, pgsz, pgno, &h) == JET_errSuccess && h.page_size != pgsz) abort();
    (void)page_pgno(pg);
    (void)page_dbtime(pg);
    (void)page_level(pg);
    (void)page_next(pg);
    if (page_check(pg, pgsz) == JET_errSuccess) {
        unsigned type = page_type(pg);
        if (type == PAGE_LEAF || type == PAGE_INTERNAL) {
            operate(pg, pgsz, i, cell, (unsigned)clen);
            check_cells(pg, pgsz);
        }
    }
    free(pg);
    return 0;
}
