/*
 * jetutil_verify.h — `jetutil verify DB`: a read-only integrity check of a database file.
 * Header-only, included by jetutil.c alone.
 *
 * Order of the checks, each reporting problems with page numbers:
 *   1. the header (jetutil_db.h) and the space page (space.h): page count, free list head and
 *      count, catalog root, next object id;
 *   2. every page of the file: checksum and page number (page_verify), a known page type, never
 *      written pages inside the database's extent, and, for a cleanly shut down database, no
 *      page newer than the header's dbtime;
 *   3. the free list: in range, free pages only, no loop, its length equal to the space page's;
 *   4. the catalog tree and every table's tree (the rules of btree.h, as bt_check walks them, plus
 *      bounds): page types and levels, slot and cell bounds, the empty first key of internal
 *      pages, key order inside and across pages and between separators, long value chains
 *      (types, lengths, termination); catalog records decode and match their keys; each table
 *      record decodes, names only defined columns, has the right sizes for fixed columns, and is
 *      stored under the key its primary index builds from it;
 *   5. every page is owned exactly once (header, space, free list, one tree): a page referenced
 *      twice or by nobody (leaked) is a problem.
 * The walk never trusts a pointer: page numbers are range-checked before use, each page is
 * claimed by its first owner so cycles stop, and tree depth is bounded by BT_DEPTH_MAX.
 * A streamed backup copy gets steps 1-2 and its trailer check only: its pages are of different
 * ages until hard recovery replays the logs, so its structure is not expected to agree.
 */
#ifndef JETUTIL_VERIFY_H
#define JETUTIL_VERIFY_H

#include <ctype.h>

#include "../src/btree.h"
#include "../src/catalog.h"
#include "../src/key.h"
#include "../src/record.h"
#include "../src/space.h"
#include "jetutil_db.h"

/* Fields of the space page (space.h) and of tree cells (btree.h). */
#define JU_SP_PAGE_COUNT 32
#define JU_SP_FREE_HEAD 36
#define JU_SP_FREE_COUNT 40
#define JU_SP_CATALOG 44
#define JU_SP_NEXT_OBJID 48
#define JU_CELL_HDR 6u
#define JU_LV_FLAG 0x80000000u
#define JU_SCAN_CHUNK 128       /* pages per read in the sequential scan */
#define JU_TREE_PROBLEMS_MAX 50 /* problems reported per tree before it is given up */
/* A catalog record: CAT_COLS_MAX columns with names and defaults stays far below this. */
#define JU_CATALOG_RECORD_MAX (16u * 1024 * 1024)

enum { JU_OWN_NONE, JU_OWN_HEADER, JU_OWN_SPACE, JU_OWN_FREE, JU_OWN_CATALOG, JU_OWN_TABLE0 };

struct ju_table {
    char name[CAT_NAME_MAX + 1];
    uint32_t objid, root;
    struct tabledef *td; /* decoded definition (owned), NULL when it did not decode */
    uint64_t records, pages, lv_pages;
    int levels;
};

struct ju_tree {
    const char *name; /* for messages: "the catalog" or a table's name */
    uint32_t owner;
    struct ju_table *table; /* NULL for the catalog */
    uint64_t records, pages, lv_pages;
    int levels;
    uint8_t last[BT_KEY_MAX];
    uint32_t lastlen;
    int have_last;
    unsigned problems;
};

struct ju_verify {
    struct ju_out *o;
    struct ju_db *db;
    uint32_t pgsz;
    uint64_t npages; /* whole pages in the file */
    uint64_t extent; /* pages the space page counts (clamped to the file for walks) */
    uint32_t free_head, free_count, catalog_root, next_objid;
    uint8_t *status;                  /* per page: enum ju_page_status from the scan */
    uint32_t *owner;                  /* per page: JU_OWN_* or JU_OWN_TABLE0 + table index */
    uint8_t *pg[BT_DEPTH_MAX + 2];    /* one page buffer per tree level */
    uint8_t *lvpage;                  /* buffer for long value pages */
    uint64_t type_count[PAGE_LV + 2]; /* pages by type; the last slot counts unknown types */
    uint64_t zero_pages;
    uint64_t damaged_pages; /* inside the extent: failing verification, zeros or unreadable */
    struct ju_table *tables;
    size_t ntables, cap_tables;
    int oom;
};

static void ju_owner_name(const struct ju_verify *v, uint32_t owner, char *buf, size_t cap)
{
    switch (owner) {
    case JU_OWN_HEADER:
        snprintf(buf, cap, "the header");
        break;
    case JU_OWN_SPACE:
        snprintf(buf, cap, "the space page");
        break;
    case JU_OWN_FREE:
        snprintf(buf, cap, "the free list");
        break;
    case JU_OWN_CATALOG:
        snprintf(buf, cap, "the catalog");
        break;
    default:
        if (owner >= JU_OWN_TABLE0 && owner - JU_OWN_TABLE0 < v->ntables)
            snprintf(buf, cap, "table '%s'", v->tables[owner - JU_OWN_TABLE0].name);
        else
            snprintf(buf, cap, "nobody");
    }
}

static int ju_keycmp(const uint8_t *a, uint32_t al, const uint8_t *b, uint32_t bl)
{
    uint32_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    if (r) return r;
    return al < bl ? -1 : al > bl;
}

/* A problem inside a tree; once a tree has too many, the rest are counted but not listed. */
static void ju_tree_problem(struct ju_verify *v, struct ju_tree *t, long long page, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));
static void ju_tree_problem(struct ju_verify *v, struct ju_tree *t, long long page, const char *fmt,
                            ...)
{
    char msg[JU_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    t->problems++;
    ju_problem(v->o, page, "%s: %s", t->name, msg);
}

/* Checks that pgno may be used by tree t and claims it. 1 when the walk may read it. */
static int ju_claim(struct ju_verify *v, struct ju_tree *t, uint32_t from, uint32_t pgno,
                    const char *what)
{
    char who[96];
    if (pgno <= PGNO_SPACE) {
        ju_tree_problem(v, t, from, "%s points to page %u (a header or the space page)", what,
                        pgno);
        return 0;
    }
    if (pgno >= v->npages) {
        ju_tree_problem(v, t, from, "%s points to page %u, past the end of the file (%llu pages)",
                        what, pgno, (unsigned long long)v->npages);
        return 0;
    }
    if (pgno >= v->extent)
        ju_tree_problem(v, t, from, "%s points to page %u, past the space page's count %llu", what,
                        pgno, (unsigned long long)v->extent);
    if (v->owner[pgno] != JU_OWN_NONE) {
        ju_owner_name(v, v->owner[pgno], who, sizeof who);
        ju_tree_problem(v, t, pgno,
                        "page is referenced again (%s, from page %u) but already "
                        "belongs to %s",
                        what, from, who);
        return 0;
    }
    v->owner[pgno] = t->owner;
    return 1;
}

/* Reads a claimed page for the walk. 1 when it verifies. */
static int ju_walk_read(struct ju_verify *v, struct ju_tree *t, uint32_t pgno, uint8_t *buf)
{
    char why[128];
    enum ju_page_status st = ju_db_read_page(v->db, pgno, buf);
    if (st == JU_PAGE_OK) return 1;
    if (v->status[pgno] == JU_PAGE_OK) { /* it verified in the scan: it changed since */
        ju_page_why(buf, v->pgsz, pgno, why, sizeof why);
        ju_tree_problem(v, t, pgno, "page no longer verifies (changed while reading?): %s", why);
    } else if (st == JU_PAGE_ZERO) {
        ju_tree_problem(v, t, pgno, "referenced page was never written");
    } else {
        ju_tree_problem(v, t, pgno,
                        "the tree uses this damaged page: what lies behind it is not "
                        "checked");
    }
    return 0;
}

/* Follows a long value chain of vlen bytes from first, copying into dst (NULL: only check). */
static int ju_lv_chain(struct ju_verify *v, struct ju_tree *t, uint32_t leaf, uint32_t first,
                       uint32_t vlen, uint8_t *dst)
{
    uint32_t pgno = first, done = 0, cap = v->pgsz - PAGE_HDR;
    while (done < vlen) {
        if (pgno == 0) {
            ju_tree_problem(v, t, leaf, "long value chain ends after %u of its %u bytes", done,
                            vlen);
            return 0;
        }
        if (!ju_claim(v, t, leaf, pgno, "long value chain")) return 0;
        if (!ju_walk_read(v, t, pgno, v->lvpage)) return 0;
        t->lv_pages++;
        uint32_t used = page_aux(v->lvpage);
        if (page_type(v->lvpage) != PAGE_LV) {
            ju_tree_problem(v, t, pgno, "long value page has type %u (%s)", page_type(v->lvpage),
                            ju_page_type_name(page_type(v->lvpage)));
            return 0;
        }
        if (used == 0 || used > cap || used > vlen - done) {
            ju_tree_problem(v, t, pgno,
                            "long value page holds %u bytes (page capacity %u, %u of "
                            "the value left)",
                            used, cap, vlen - done);
            return 0;
        }
        if (!ju_all_zero(v->lvpage + PAGE_HDR + used, cap - used))
            ju_tree_problem(v, t, pgno, "long value page has non-zero bytes after its %u bytes",
                            used);
        if (dst) memcpy(dst + done, v->lvpage + PAGE_HDR, used);
        done += used;
        pgno = page_next(v->lvpage);
    }
    if (pgno != 0) {
        ju_tree_problem(v, t, leaf, "long value chain goes on to page %u after its %u bytes", pgno,
                        vlen);
        return 0;
    }
    return 1;
}

/* ---- catalog and table records ----------------------------------------------------------------
 */

static void ju_tabledef_free(struct tabledef *td)
{
    if (!td) return;
    unsigned n = atomic_load(&td->ncols);
    for (unsigned i = 0; i < n; i++) {
        if (td->cols[i]) free(td->cols[i]->def);
        free(td->cols[i]);
    }
    free(td);
}

/* Decodes a catalog record (catalog.h) into a new definition; NULL with why set when malformed. */
static struct tabledef *ju_catalog_decode(const uint8_t *val, uint32_t vlen, char *why, size_t cap)
{
    struct bytebuf b;
    bb_init(&b, (uint8_t *)val, vlen);
    struct tabledef *td = calloc(1, sizeof *td);
    if (!td) {
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    td->objid = bb_get32(&b);
    td->root = bb_get32(&b);
    uint16_t nl = bb_get16(&b);
    uint16_t ncols = 0;
    if (nl == 0 || nl > CAT_NAME_MAX) {
        snprintf(why, cap, "table name length %u", nl);
        goto bad;
    }
    bb_getn(&b, td->name, nl);
    ncols = bb_get16(&b);
    if (ncols > CAT_COLS_MAX) {
        snprintf(why, cap, "%u columns (at most %u)", ncols, CAT_COLS_MAX);
        goto bad;
    }
    for (unsigned i = 0; i < ncols && b.ok; i++) {
        struct coldef *c = calloc(1, sizeof *c);
        if (!c) {
            snprintf(why, cap, "out of memory");
            goto bad;
        }
        td->cols[i] = c;
        atomic_store(&td->ncols, i + 1);
        c->id = bb_get32(&b);
        c->coltyp = bb_get32(&b);
        c->cb_max = bb_get32(&b);
        c->grbit = bb_get32(&b);
        c->cp = bb_get16(&b);
        uint16_t cl = bb_get16(&b);
        if (cl > CAT_NAME_MAX) {
            snprintf(why, cap, "column %u name length %u", i, cl);
            goto bad;
        }
        bb_getn(&b, c->name, cl);
        c->deflen = bb_get32(&b);
        if (c->deflen > vlen) {
            snprintf(why, cap, "column '%s' default of %u bytes", c->name, c->deflen);
            goto bad;
        }
        if (c->deflen) {
            c->def = malloc(c->deflen);
            if (!c->def) {
                snprintf(why, cap, "out of memory");
                goto bad;
            }
            bb_getn(&b, c->def, c->deflen);
        }
    }
    td->has_primary = bb_get8(&b);
    if (td->has_primary) {
        uint16_t il = bb_get16(&b);
        if (il > CAT_NAME_MAX) {
            snprintf(why, cap, "index name length %u", il);
            goto bad;
        }
        bb_getn(&b, td->idxname, il);
        td->idxgrbit = bb_get32(&b);
        td->nseg = bb_get8(&b);
        if (td->nseg == 0 || td->nseg > CAT_SEG_MAX) {
            snprintf(why, cap, "primary index with %u segments", td->nseg);
            goto bad;
        }
        for (unsigned i = 0; i < td->nseg; i++) {
            td->seg[i].col = bb_get32(&b);
            td->seg[i].desc = bb_get8(&b);
            if (b.ok && !tabledef_col(td, td->seg[i].col)) {
                snprintf(why, cap, "index segment %u names column %lu, which is not defined", i,
                         (unsigned long)td->seg[i].col);
                goto bad;
            }
        }
    }
    if (!b.ok) {
        snprintf(why, cap, "record ends early (%u bytes)", vlen);
        goto bad;
    }
    if (b.pos != vlen) {
        snprintf(why, cap, "%zu bytes left over after the definition", vlen - b.pos);
        goto bad;
    }
    return td;
bad:
    ju_tabledef_free(td);
    return NULL;
}

static void ju_catalog_record(struct ju_verify *v, struct ju_tree *t, uint32_t pgno,
                              const uint8_t *key, uint32_t klen, const uint8_t *val, uint32_t vlen)
{
    char why[256];
    struct tabledef *td = ju_catalog_decode(val, vlen, why, sizeof why);
    if (!td) {
        ju_tree_problem(v, t, pgno, "catalog record %u does not decode: %s", (unsigned)t->records,
                        why);
        return;
    }
    /* Key: "T" + the name folded to lower case. */
    size_t nl = strlen(td->name);
    int key_ok = klen == nl + 1 && key[0] == 'T';
    for (size_t i = 0; key_ok && i < nl; i++)
        key_ok = key[1 + i] == (uint8_t)tolower((unsigned char)td->name[i]);
    if (!key_ok)
        ju_tree_problem(v, t, pgno, "catalog record of table '%s' has the wrong key", td->name);
    if (!cat_name_valid(td->name))
        ju_tree_problem(v, t, pgno, "table name '%s' is not valid", td->name);
    if (td->objid == 0 || td->objid >= v->next_objid)
        ju_tree_problem(v, t, pgno, "table '%s' has object id %u (the space page's next is %u)",
                        td->name, td->objid, v->next_objid);
    for (size_t i = 0; i < v->ntables; i++)
        if (v->tables[i].objid == td->objid)
            ju_tree_problem(v, t, pgno, "tables '%s' and '%s' share object id %u",
                            v->tables[i].name, td->name, td->objid);
    if (v->ntables == v->cap_tables) {
        size_t cap = v->cap_tables ? v->cap_tables * 2 : 16;
        struct ju_table *p = realloc(v->tables, cap * sizeof *p);
        if (!p) {
            v->oom = 1;
            ju_tabledef_free(td);
            return;
        }
        v->tables = p;
        v->cap_tables = cap;
    }
    struct ju_table *tb = &v->tables[v->ntables++];
    memset(tb, 0, sizeof *tb);
    snprintf(tb->name, sizeof tb->name, "%s", td->name);
    tb->objid = td->objid;
    tb->root = td->root;
    tb->td = td;
}

/* A table record (record.h) against its definition, and its key against the primary index. */
static void ju_table_record(struct ju_verify *v, struct ju_tree *t, uint32_t pgno,
                            const uint8_t *key, uint32_t klen, const uint8_t *val, uint32_t vlen)
{
    const struct tabledef *td = t->table->td;
    if (vlen == 1) {
        ju_tree_problem(v, t, pgno, "record of 1 byte");
        return;
    }
    uint32_t n = vlen ? get_u16(val) : 0, off = 2, prev = 0;
    unsigned before = t->problems;
    for (uint32_t i = 0; i < n; i++) {
        if (off + 8 > vlen || get_u32(val + off + 4) > vlen - off - 8) {
            ju_tree_problem(v, t, pgno, "record overruns its %u bytes at column %u of %u", vlen, i,
                            n);
            return;
        }
        uint32_t id = get_u32(val + off), len = get_u32(val + off + 4);
        const struct coldef *c = tabledef_col(td, id);
        if (id < prev)
            ju_tree_problem(v, t, pgno, "record's columns are not sorted (%u after %u)", id, prev);
        if (!c) {
            ju_tree_problem(v, t, pgno, "record has column id %u, which the table does not define",
                            id);
        } else {
            uint32_t fixed = key_fixed_size(c->coltyp);
            if (fixed && len && len != fixed)
                ju_tree_problem(v, t, pgno, "column '%s' holds %u bytes, its type has %u", c->name,
                                len, fixed);
        }
        prev = id;
        off += 8 + len;
    }
    if (off != vlen && vlen)
        ju_tree_problem(v, t, pgno, "%u bytes after the record's last column", vlen - off);
    if (t->problems != before) return; /* no key to build from a malformed record */
    if (!td->has_primary) {
        if (klen != 8)
            ju_tree_problem(v, t, pgno,
                            "key of %u bytes in a table without a primary "
                            "index (expected an 8-byte sequence number)",
                            klen);
        return;
    }
    struct recbuf r = {0};
    uint8_t built[KEY_MAX];
    uint32_t blen = 0;
    JET_ERR err = rec_decode(&r, val, vlen);
    if (err >= 0) err = key_build(td, &r, built, &blen);
    if (err < 0)
        ju_tree_problem(v, t, pgno, "cannot build the record's key: %s", JetXErrorName(err));
    else if (blen != klen || memcmp(built, key, klen) != 0)
        ju_tree_problem(v, t, pgno,
                        "record is stored under a key that its primary index does not "
                        "build from it");
    rec_free(&r); /* the values and their arena (record.h) */
}

/* ---- tree walk --------------------------------------------------------------------------------
 */

/* Slot table and cell bounds of a tree page; 1 when every cell lies inside the page. */
static int ju_cells_ok(struct ju_verify *v, struct ju_tree *t, uint32_t pgno, const uint8_t *pg)
{
    unsigned n = page_nslots(pg), upper = get_u16(pg + 20);
    if (upper == 0 && v->pgsz == PAGE_SIZE_MAX) upper = PAGE_SIZE_MAX;
    if ((uint64_t)PAGE_HDR + (uint64_t)PAGE_SLOT * n > upper || upper > v->pgsz) {
        ju_tree_problem(v, t, pgno, "%u slots and a cell area from %u do not fit a %u-byte page", n,
                        upper, v->pgsz);
        return 0;
    }
    uint64_t cell_bytes = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned len;
        const uint8_t *cell = page_cell(pg, i, &len);
        size_t off = (size_t)(cell - pg);
        cell_bytes += len;
        if (off < upper || off + len > v->pgsz || len < JU_CELL_HDR ||
            JU_CELL_HDR + (unsigned)get_u16(cell) > len) {
            ju_tree_problem(v, t, pgno,
                            "cell %u (offset %zu, length %u) overruns the page or its "
                            "key",
                            i, off, len);
            return 0;
        }
        if (get_u16(cell) > BT_KEY_LIMIT) {
            ju_tree_problem(v, t, pgno, "cell %u has a %u-byte key (at most %u)", i, get_u16(cell),
                            BT_KEY_LIMIT);
            return 0;
        }
    }
    /* page.h: the cell area holds the cells and `frag` free bytes; the gap is kept zeroed. */
    unsigned frag = get_u16(pg + 22);
    if (cell_bytes + frag != v->pgsz - upper)
        ju_tree_problem(v, t, pgno,
                        "cells of %llu bytes and %u fragment bytes do not fill the cell "
                        "area of %u bytes (overlapping cells?)",
                        (unsigned long long)cell_bytes, frag, v->pgsz - upper);
    unsigned lower = PAGE_HDR + PAGE_SLOT * n;
    if (!ju_all_zero(pg + lower, upper - lower))
        ju_tree_problem(v, t, pgno, "free gap [%u, %u) between slots and cells is not zeroed",
                        lower, upper);
    return 1;
}

static void ju_leaf(struct ju_verify *v, struct ju_tree *t, uint32_t pgno, const uint8_t *pg,
                    const uint8_t *lo, uint32_t lolen, const uint8_t *hi, uint32_t hilen,
                    void (*on_record)(struct ju_verify *, struct ju_tree *, uint32_t,
                                      const uint8_t *, uint32_t, const uint8_t *, uint32_t))
{
    unsigned n = page_nslots(pg);
    for (unsigned i = 0; i < n && t->problems < JU_TREE_PROBLEMS_MAX; i++) {
        unsigned len;
        const uint8_t *cell = page_cell(pg, i, &len);
        uint32_t kl = get_u16(cell), vinfo = get_u32(cell + 2), vlen = vinfo & ~JU_LV_FLAG;
        const uint8_t *key = cell + JU_CELL_HDR;
        if (t->have_last && ju_keycmp(t->last, t->lastlen, key, kl) >= 0)
            ju_tree_problem(v, t, pgno, "key of cell %u is not above the previous key", i);
        if (lo && ju_keycmp(key, kl, lo, lolen) < 0)
            ju_tree_problem(v, t, pgno, "key of cell %u is below its separator in the parent", i);
        if (hi && ju_keycmp(key, kl, hi, hilen) >= 0)
            ju_tree_problem(v, t, pgno, "key of cell %u is not below the next separator", i);
        memcpy(t->last, key, kl);
        t->lastlen = kl;
        t->have_last = 1;
        t->records++;
        if (vinfo & JU_LV_FLAG) {
            if (JU_CELL_HDR + kl + 4 > len) {
                ju_tree_problem(v, t, pgno, "cell %u is too short for its long value pointer", i);
                continue;
            }
            uint64_t vmax = t->table ? JET_cbRecordMostX : JU_CATALOG_RECORD_MAX;
            if ((uint64_t)vlen > v->npages * (uint64_t)(v->pgsz - PAGE_HDR) || vlen > vmax) {
                ju_tree_problem(v, t, pgno,
                                "cell %u has a %u-byte long value, more than the file holds or "
                                "a record may have (%llu)",
                                i, vlen, (unsigned long long)vmax);
                continue;
            }
            uint8_t *val = malloc(vlen ? vlen : 1);
            if (!val) {
                v->oom = 1;
                return;
            }
            if (ju_lv_chain(v, t, pgno, get_u32(cell + JU_CELL_HDR + kl), vlen, val))
                on_record(v, t, pgno, key, kl, val, vlen);
            free(val);
        } else if (JU_CELL_HDR + kl + vlen > len) {
            ju_tree_problem(v, t, pgno, "cell %u's value of %u bytes overruns its slot", i, vlen);
        } else {
            on_record(v, t, pgno, key, kl, cell + JU_CELL_HDR + kl, vlen);
        }
    }
}

/* Walks the subtree at pgno (claimed and read into v->pg[depth] by the caller is not assumed:
 * this claims and reads it). level: the level the parent expects, -1 at the root. Keys must lie in
 * [lo, hi) (NULL: unbounded). */
static void ju_walk(struct ju_verify *v, struct ju_tree *t, uint32_t from, uint32_t pgno, int level,
                    const uint8_t *lo, uint32_t lolen, const uint8_t *hi, uint32_t hilen, int depth,
                    void (*on_record)(struct ju_verify *, struct ju_tree *, uint32_t,
                                      const uint8_t *, uint32_t, const uint8_t *, uint32_t))
{
    if (t->problems >= JU_TREE_PROBLEMS_MAX) return;
    if (depth >= BT_DEPTH_MAX) {
        ju_tree_problem(v, t, from, "tree is deeper than %d levels (a cycle?)", BT_DEPTH_MAX);
        return;
    }
    if (!ju_claim(v, t, from, pgno, depth ? "child pointer" : "root")) return;
    uint8_t *pg = v->pg[depth];
    if (!ju_walk_read(v, t, pgno, pg)) return;
    t->pages++;
    unsigned type = page_type(pg), lvl = page_level(pg);
    if (type != PAGE_LEAF && type != PAGE_INTERNAL) {
        ju_tree_problem(v, t, pgno, "tree page has type %u (%s)", type, ju_page_type_name(type));
        return;
    }
    if ((type == PAGE_LEAF) != (lvl == 0) || (level >= 0 && (int)lvl != level)) {
        ju_tree_problem(v, t, pgno, "%s page at level %u where level %d was expected",
                        ju_page_type_name(type), lvl, level < 0 ? (int)lvl : level);
        return;
    }
    if (depth == 0) t->levels = (int)lvl + 1;
    if (!ju_cells_ok(v, t, pgno, pg)) return;
    if (type == PAGE_LEAF) {
        ju_leaf(v, t, pgno, pg, lo, lolen, hi, hilen, on_record);
        return;
    }
    unsigned n = page_nslots(pg), len;
    if (n == 0) {
        ju_tree_problem(v, t, pgno, "internal page has no cells");
        return;
    }
    if (get_u16(page_cell(pg, 0, &len)) != 0)
        ju_tree_problem(v, t, pgno, "first cell of an internal page has a non-empty key");
    for (unsigned i = 1; i < n; i++) {
        const uint8_t *a = page_cell(pg, i - 1, &len), *b = page_cell(pg, i, &len);
        const uint8_t *bk = b + JU_CELL_HDR;
        uint32_t bl = get_u16(b);
        if (i > 1 && ju_keycmp(a + JU_CELL_HDR, get_u16(a), bk, bl) >= 0)
            ju_tree_problem(v, t, pgno, "separator %u is not above separator %u", i, i - 1);
        if ((lo && ju_keycmp(bk, bl, lo, lolen) < 0) || (hi && ju_keycmp(bk, bl, hi, hilen) >= 0))
            ju_tree_problem(v, t, pgno, "separator %u lies outside the parent's range", i);
    }
    for (unsigned i = 0; i < n && t->problems < JU_TREE_PROBLEMS_MAX; i++) {
        const uint8_t *cell = page_cell(pg, i, &len), *next = NULL;
        if (i + 1 < n) next = page_cell(pg, i + 1, &len);
        const uint8_t *clo = i ? cell + JU_CELL_HDR : lo, *chi = next ? next + JU_CELL_HDR : hi;
        uint32_t clolen = i ? get_u16(cell) : lolen, chilen = next ? get_u16(next) : hilen;
        ju_walk(v, t, pgno, get_u32(cell + 2), (int)lvl - 1, clo, clolen, chi, chilen, depth + 1,
                on_record);
    }
}

/* ---- the steps --------------------------------------------------------------------------------
 */

static int ju_verify_space(struct ju_verify *v)
{
    uint8_t *pg = v->pg[0];
    char why[128];
    v->extent = v->npages;
    enum ju_page_status st = ju_db_read_page(v->db, PGNO_SPACE, pg);
    if (st != JU_PAGE_OK) {
        if (st == JU_PAGE_SHORT)
            snprintf(why, sizeof why, "the file ends before it (%llu pages)",
                     (unsigned long long)v->npages);
        else if (st == JU_PAGE_IOERR)
            snprintf(why, sizeof why, "cannot be read");
        else
            ju_page_why(pg, v->pgsz, PGNO_SPACE, why, sizeof why);
        ju_problem(v->o, PGNO_SPACE, "space page fails: %s", why);
        return 0;
    }
    if (page_type(pg) != PAGE_SPACE) {
        ju_problem(v->o, PGNO_SPACE, "page 2 has type %u (%s), not the space page", page_type(pg),
                   ju_page_type_name(page_type(pg)));
        return 0;
    }
    uint32_t count = get_u32(pg + JU_SP_PAGE_COUNT);
    v->free_head = get_u32(pg + JU_SP_FREE_HEAD);
    v->free_count = get_u32(pg + JU_SP_FREE_COUNT);
    v->catalog_root = get_u32(pg + JU_SP_CATALOG);
    v->next_objid = get_u32(pg + JU_SP_NEXT_OBJID);
    if (count < PGNO_FIRST_FREE)
        ju_problem(v->o, PGNO_SPACE, "space page counts %u pages (at least %u)", count,
                   PGNO_FIRST_FREE);
    if (v->db->is_copy) {
        /* The copy holds the pages streamed at open; the trailer is not one of them. */
        if ((uint64_t)count > v->npages - 1)
            ju_warning(v->o, PGNO_SPACE,
                       "space page counts %u pages, the copy holds %llu (the "
                       "database grew while it was streamed; redo extends it)",
                       count, (unsigned long long)(v->npages - 1));
    } else if ((uint64_t)count > v->npages) {
        ju_problem(v->o, PGNO_SPACE, "space page counts %u pages but the file has only %llu", count,
                   (unsigned long long)v->npages);
    }
    v->extent = count;
    if (v->catalog_root <= PGNO_SPACE || v->catalog_root >= count)
        ju_problem(v->o, PGNO_SPACE, "catalog root %u is outside the database's pages [3, %u)",
                   v->catalog_root, count);
    if (v->free_head && (v->free_head <= PGNO_SPACE || v->free_head >= count))
        ju_problem(v->o, PGNO_SPACE, "free list head %u is outside the database's pages",
                   v->free_head);
    if (v->free_count >= count)
        ju_problem(v->o, PGNO_SPACE, "free page count %u is not below the page count %u",
                   v->free_count, count);
    if (v->next_objid == 0) ju_problem(v->o, PGNO_SPACE, "next object id is 0");
    return 1;
}

/* Every page: checksum, number, type, and dbtime against the header when the database is clean. */
static void ju_verify_scan(struct ju_verify *v, uint64_t end)
{
    char why[128];
    uint8_t *chunk = malloc((size_t)JU_SCAN_CHUNK * v->pgsz);
    if (!chunk) {
        v->oom = 1;
        return;
    }
    int clean = v->db->hdr.state == JET_dbstateCleanShutdown && !v->db->is_copy;
    for (uint64_t base = 0; base < end; base += JU_SCAN_CHUNK) {
        uint64_t n = end - base < JU_SCAN_CHUNK ? end - base : JU_SCAN_CHUNK;
        size_t got = 0;
        if (os_pread(v->db->f, chunk, n * v->pgsz, base * v->pgsz, &got) < 0) got = 0;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t p = base + i;
            uint8_t *pg = chunk + i * v->pgsz;
            enum ju_page_status st = JU_PAGE_OK;
            if ((i + 1) * v->pgsz > got || page_verify(pg, v->pgsz, (uint32_t)p) < 0)
                st = ju_db_read_page(v->db, p, pg); /* read again, alone */
            v->status[p] = (uint8_t)st;
            if (st == JU_PAGE_ZERO) {
                v->zero_pages++;
                if (p < v->extent) {
                    v->damaged_pages++;
                    ju_problem(v->o, (long long)p,
                               "page inside the database was never written "
                               "(all zeros)");
                }
                continue;
            }
            if (st != JU_PAGE_OK) {
                v->damaged_pages++;
                if (st == JU_PAGE_BAD)
                    ju_page_why(pg, v->pgsz, p, why, sizeof why);
                else
                    snprintf(why, sizeof why, "cannot be read");
                ju_problem(v->o, (long long)p, "%s", why);
                continue;
            }
            unsigned type = page_type(pg);
            v->type_count[type <= PAGE_LV ? type : PAGE_LV + 1]++;
            if (type > PAGE_LV) ju_problem(v->o, (long long)p, "unknown page type %u", type);
            if (p >= 2 && type == PAGE_HEADER)
                ju_problem(v->o, (long long)p, "a header page outside pages 0 and 1");
            if (p >= v->extent)
                ju_warning(v->o, (long long)p, "%s page past the space page's count %llu",
                           ju_page_type_name(type), (unsigned long long)v->extent);
            if (clean && p >= 2 && page_dbtime(pg) > v->db->hdr.dbtime)
                ju_problem(v->o, (long long)p, "page dbtime %llu is newer than the header's %llu",
                           (unsigned long long)page_dbtime(pg),
                           (unsigned long long)v->db->hdr.dbtime);
        }
    }
    free(chunk);
}

static void ju_verify_free_list(struct ju_verify *v, uint64_t *found)
{
    uint32_t p = v->free_head, prev = PGNO_SPACE;
    uint8_t *pg = v->pg[0];
    char who[96];
    *found = 0;
    while (p) {
        if (p <= PGNO_SPACE || p >= v->npages || p >= v->extent) {
            ju_problem(v->o, prev, "free list points to page %u, outside the database", p);
            return;
        }
        if (v->owner[p] != JU_OWN_NONE) {
            ju_owner_name(v, v->owner[p], who, sizeof who);
            ju_problem(v->o, prev, "free list points to page %u, already in %s (a loop?)", p, who);
            return;
        }
        v->owner[p] = JU_OWN_FREE;
        if (ju_db_read_page(v->db, p, pg) != JU_PAGE_OK) {
            if (v->status[p] == JU_PAGE_OK)
                ju_problem(v->o, p, "free page no longer verifies (changed while reading?)");
            return; /* otherwise reported by the scan */
        }
        if (page_type(pg) != PAGE_FREE) {
            ju_problem(v->o, p, "page on the free list has type %u (%s)", page_type(pg),
                       ju_page_type_name(page_type(pg)));
            return;
        }
        if (!ju_all_zero(pg + PAGE_HDR, v->pgsz - PAGE_HDR))
            ju_problem(v->o, p, "free page has content (free pages are zeroed)");
        (*found)++;
        prev = p;
        p = page_next(pg);
    }
    if (*found != v->free_count)
        ju_problem(v->o, PGNO_SPACE, "space page counts %u free pages, the free list has %llu",
                   v->free_count, (unsigned long long)*found);
}

static void ju_verify_trees(struct ju_verify *v, struct ju_tree *cat)
{
    memset(cat, 0, sizeof *cat);
    cat->name = "catalog";
    cat->owner = JU_OWN_CATALOG;
    ju_walk(v, cat, PGNO_SPACE, v->catalog_root, -1, NULL, 0, NULL, 0, 0, ju_catalog_record);
    for (size_t i = 0; i < v->ntables; i++) {
        struct ju_table *tb = &v->tables[i];
        struct ju_tree t;
        memset(&t, 0, sizeof t);
        t.name = tb->name;
        t.owner = (uint32_t)(JU_OWN_TABLE0 + i);
        t.table = tb;
        ju_walk(v, &t, v->catalog_root, tb->root, -1, NULL, 0, NULL, 0, 0, ju_table_record);
        tb->records = t.records;
        tb->pages = t.pages;
        tb->lv_pages = t.lv_pages;
        tb->levels = t.levels;
    }
}

/* Pages nobody owns. When a damaged page cut a walk short, the pages behind it look unowned
 * too: they are then warnings, the damaged page being the problem. */
static void ju_verify_leaks(struct ju_verify *v)
{
    uint64_t end = v->extent < v->npages ? v->extent : v->npages;
    uint8_t *pg = v->pg[0];
    for (uint64_t p = PGNO_FIRST_FREE - 1; p < end; p++) {
        if (v->owner[p] != JU_OWN_NONE || v->status[p] != JU_PAGE_OK) continue;
        unsigned type = ju_db_read_page(v->db, p, pg) == JU_PAGE_OK ? page_type(pg) : 255;
        if (v->damaged_pages)
            ju_warning(v->o, (long long)p,
                       "%s page is reached by no tree nor the free list "
                       "(perhaps only through a damaged page)",
                       ju_page_type_name(type));
        else
            ju_problem(v->o, (long long)p,
                       "%s page belongs to no tree and is not on the free "
                       "list (leaked)",
                       ju_page_type_name(type));
    }
}

static void ju_verify_output(struct ju_verify *v, int have_space, const struct ju_tree *cat,
                             uint64_t free_found)
{
    struct ju_out *o = v->o;
    if (have_space) {
        ju_inline(o, "space");
        ju_u64(o, "pageCount", v->extent);
        ju_u64(o, "freePages", v->free_count);
        ju_u64(o, "catalogRoot", v->catalog_root);
        ju_u64(o, "nextObjid", v->next_objid);
        ju_end(o);
    }
    ju_inline(o, "pageTypes");
    for (unsigned t = 0; t <= PAGE_LV; t++)
        ju_u64(o, ju_page_type_name(t), v->type_count[t]);
    ju_u64(o, "unknown", v->type_count[PAGE_LV + 1]);
    ju_u64(o, "zero", v->zero_pages);
    ju_end(o);
    if (v->db->is_copy || !have_space) return;
    ju_u64(o, "freeListPages", free_found);
    ju_inline(o, "catalog");
    ju_u64(o, "root", v->catalog_root);
    ju_u64(o, "tables", cat->records);
    ju_u64(o, "pages", cat->pages + cat->lv_pages);
    ju_u64(o, "levels", (uint64_t)cat->levels);
    ju_end(o);
    ju_arr(o, "tables");
    for (size_t i = 0; i < v->ntables; i++) {
        const struct ju_table *tb = &v->tables[i];
        ju_inline(o, NULL);
        ju_str(o, "name", tb->name);
        ju_u64(o, "objid", tb->objid);
        ju_u64(o, "root", tb->root);
        ju_u64(o, "records", tb->records);
        ju_u64(o, "pages", tb->pages);
        ju_u64(o, "longValuePages", tb->lv_pages);
        ju_u64(o, "levels", (uint64_t)tb->levels);
        ju_end(o);
    }
    ju_end(o);
}

static void ju_verify_free(struct ju_verify *v)
{
    for (size_t i = 0; i < v->ntables; i++)
        ju_tabledef_free(v->tables[i].td);
    free(v->tables);
    for (int i = 0; i < BT_DEPTH_MAX + 2; i++)
        free(v->pg[i]);
    free(v->lvpage);
    free(v->status);
    free(v->owner);
}

/* Verifies one database file, writing its findings into the current object of o. *out receives
 * the header (and trailer) as read; out->pgsz is 0 when the header could not be read. in_set: the
 * file is part of a backup set (a copy's pages of different ages are expected, not worth a note).
 */
static void ju_verify_run(struct ju_out *o, const char *path, int in_set, struct ju_db *out)
{
    struct ju_db db;
    struct ju_verify v;
    struct ju_tree cat;
    uint64_t free_found = 0;
    memset(&v, 0, sizeof v);
    memset(&cat, 0, sizeof cat);
    ju_str(o, "file", path);
    if (ju_db_open(o, path, &db) < 0) goto out;
    v.o = o;
    v.db = &db;
    v.pgsz = db.pgsz;
    v.npages = db.npages > UINT32_MAX ? UINT32_MAX : db.npages;
    ju_u64(o, "pageSize", db.pgsz);
    ju_u64(o, "pages", db.npages);
    ju_strf(o, "state", "%s (%u)", ju_state_name(db.hdr.state), db.hdr.state);
    ju_bool(o, "backupCopy", db.is_copy);
    v.status = calloc(v.npages, 1);
    v.owner = calloc(v.npages, sizeof *v.owner);
    v.lvpage = malloc(v.pgsz);
    int ok = v.status && v.owner && v.lvpage;
    for (int i = 0; ok && i < BT_DEPTH_MAX + 2; i++)
        ok = (v.pg[i] = malloc(v.pgsz)) != NULL;
    if (!ok) {
        ju_problem(o, -1, "out of memory for %llu pages", (unsigned long long)v.npages);
        goto out;
    }
    if (db.hdr.state != JET_dbstateCleanShutdown && !db.is_copy)
        ju_warning(o, -1,
                   "database is in state %s: it was not shut down cleanly or is in use, so "
                   "pages written at different moments may disagree until recovery runs",
                   ju_state_name(db.hdr.state));
    int have_space = ju_verify_space(&v);
    v.owner[0] = v.owner[1] = JU_OWN_HEADER;
    if (v.npages > PGNO_SPACE) v.owner[PGNO_SPACE] = JU_OWN_SPACE;
    /* The trailer of a backup copy was checked by ju_db_open. */
    ju_verify_scan(&v, db.is_copy && db.trailer_ok ? v.npages - 1 : v.npages);
    if (db.is_copy) {
        if (!in_set)
            ju_warning(o, -1,
                       "backup copy: its pages are of different ages until hard recovery "
                       "replays the logs, so only pages, header and trailer were checked");
    } else if (have_space) {
        ju_verify_free_list(&v, &free_found);
        ju_verify_trees(&v, &cat);
        ju_verify_leaks(&v);
    }
    if (v.oom) ju_problem(o, -1, "out of memory: the check is incomplete");
    ju_verify_output(&v, have_space, &cat, free_found);
    if (db.rereads)
        ju_warning(o, -1, "%lu pages verified only when read again (being written meanwhile)",
                   db.rereads);
out:
    ju_verify_free(&v);
    ju_db_close(&db);
    *out = db;
    if (!v.o) out->pgsz = 0;
}

/* `jetutil verify DB` */
static int ju_cmd_verify(struct ju_out *o, const char *path)
{
    struct ju_db db;
    ju_verify_run(o, path, 0, &db);
    return 0;
}

#endif
