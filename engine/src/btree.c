/*
 * btree.c — B+tree search, insert with splits, delete with merges, long value chains, and
 * verification (format and rules in btree.h).
 *
 * Page access goes through a small context: inside a batch every page is pinned by the batch
 * (mtr_get) and released when it ends; outside (readers), each page is pinned for the moment it
 * is read and released at once. Either way the caller holds the tree lock, so the structure cannot
 * change under a search and a path of (page, index) pairs stays valid for the whole call.
 */
#include "btree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "page.h"
#include "space.h"

#define LV_FLAG 0x80000000u
#define CELL_HDR 6u

struct ctx {
    struct db *db;
    struct mtr *m; /* NULL: reader */
    uint32_t pgsz;
    int reshaped;  /* a split changed the tree's shape (bt_put's hint is stale) */
};



static JET_ERR get(struct ctx *c, uint32_t pgno, struct frame **fr)
{
    if (c->m) return mtr_get(c->m, c->db, pgno, fr);
    return cache_get(c->db->inst->cache, c->db, pgno, CG_READ, fr);
}

static void put(struct ctx *c, struct frame *fr)
{
    if (!c->m && fr) cache_put(c->db->inst->cache, fr);
}

void bt_rec_free(struct bt_rec *r)
{
    free(r->val);
    r->val = NULL;
    r->vlen = r->vcap = 0;
}

uint32_t bt_inline_max(uint32_t pgsz, uint32_t klen)
{
    uint32_t cell_max = (pgsz - PAGE_HDR) / 4 - PAGE_SLOT;
    return cell_max - CELL_HDR - klen;
}

static int keycmp(const uint8_t *a, uint32_t al, const uint8_t *b, uint32_t bl)
{
    uint32_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    if (r) return r;
    return al < bl ? -1 : al > bl;
}

/* Cell accessors. */
static const uint8_t *cell_key(const uint8_t *cell, uint32_t *klen)
{
    *klen = get_u16(cell);
    return cell + CELL_HDR;
}
static uint32_t cell_child(const uint8_t *cell) { return get_u32(cell + 2); }

/* Index of the first cell >= key (leaf), or of the last cell <= key (internal). */
static unsigned search(const uint8_t *pg, const uint8_t *key, uint32_t klen, int internal, int *exact)
{
    unsigned lo = 0, hi = page_nslots(pg);
    *exact = 0;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2, len;
        uint32_t ckl;
        const uint8_t *ck = cell_key(page_cell(pg, mid, &len), &ckl);
        int r = (internal && mid == 0) ? -1 : keycmp(ck, ckl, key, klen);
        if (r == 0) {
            *exact = 1;
            return mid;
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (internal) return lo ? lo - 1 : 0;
    return lo;
}

static JET_ERR corrupt(struct ctx *c, uint32_t pgno)
{
    (void)c;
    (void)pgno;
    return JET_errDatabaseCorrupted;
}

/* Descends from root to the leaf for key; path gets every level. */
/* Descends from root to the leaf for key; path gets every level. With hint, also records the
 * leaf's upper bound: the smallest separator right of the path. */
static JET_ERR descend_bounded(struct ctx *c, uint32_t root, const uint8_t *key, uint32_t klen, struct bt_path *p,
                               struct bt_hint *hint)
{
    JET_ERR err = JET_errSuccess;
    uint32_t pgno = root;
    p->depth = 0;
    if (hint) hint->has_hi = 0;
    for (;;) {
        struct frame *fr;
        if (p->depth >= BT_DEPTH_MAX) return corrupt(c, pgno);
        if ((err = get(c, pgno, &fr)) < 0) return err;
        unsigned type = page_type(fr->data);
        int exact;
        if (type == PAGE_LEAF) {
            p->pgno[p->depth] = pgno;
            p->idx[p->depth++] = search(fr->data, key, klen, 0, &exact);
            put(c, fr);
            return JET_errSuccess;
        }
        if (type != PAGE_INTERNAL || page_nslots(fr->data) == 0) {
            put(c, fr);
            return corrupt(c, pgno);
        }
        unsigned i = search(fr->data, key, klen, 1, &exact), len;
        p->pgno[p->depth] = pgno;
        p->idx[p->depth++] = i;
        if (hint && i + 1 < page_nslots(fr->data)) {
            uint32_t hl;
            const uint8_t *hk = cell_key(page_cell(fr->data, i + 1, &len), &hl);
            if (hl > BT_KEY_MAX) {
                put(c, fr);
                return corrupt(c, pgno);
            }
            memcpy(hint->hi, hk, hl);
            hint->hilen = hl;
            hint->has_hi = 1;
        }
        pgno = cell_child(page_cell(fr->data, i, &len));
        put(c, fr);
    }
}

static JET_ERR descend(struct ctx *c, uint32_t root, const uint8_t *key, uint32_t klen, struct bt_path *p)
{
    return descend_bounded(c, root, key, klen, p, NULL);
}

/* From p->pgno[d] (an internal page at its recorded index) down to a leaf along the first
 * (leftmost) or last cells. */
static JET_ERR descend_edge(struct ctx *c, struct bt_path *p, int d, int rightmost)
{
    JET_ERR err;
    for (;;) {
        struct frame *fr;
        if ((err = get(c, p->pgno[d], &fr)) < 0) return err;
        unsigned n = page_nslots(fr->data), len;
        if (page_type(fr->data) == PAGE_LEAF) {
            p->idx[d] = rightmost ? n : 0;
            p->depth = d + 1;
            put(c, fr);
            return JET_errSuccess;
        }
        if (page_type(fr->data) != PAGE_INTERNAL || n == 0 || d + 1 >= BT_DEPTH_MAX) {
            put(c, fr);
            return corrupt(c, p->pgno[d]);
        }
        if (d > 0 || rightmost || 1) p->idx[d] = rightmost ? n - 1 : 0;
        uint32_t child = cell_child(page_cell(fr->data, p->idx[d], &len));
        put(c, fr);
        p->pgno[++d] = child;
    }
}

/* Moves the path to the next (dir > 0) or previous leaf: 1 moved, 0 none. */
static JET_ERR step_leaf(struct ctx *c, struct bt_path *p, int dir, int *moved)
{
    JET_ERR err;
    *moved = 0;
    for (int d = p->depth - 2; d >= 0; d--) {
        struct frame *fr;
        if ((err = get(c, p->pgno[d], &fr)) < 0) return err;
        unsigned n = page_nslots(fr->data), len;
        int can = dir > 0 ? p->idx[d] + 1 < n : p->idx[d] > 0;
        if (!can) {
            put(c, fr);
            continue;
        }
        p->idx[d] = dir > 0 ? p->idx[d] + 1 : p->idx[d] - 1;
        p->pgno[d + 1] = cell_child(page_cell(fr->data, p->idx[d], &len));
        put(c, fr);
        if ((err = descend_edge(c, p, d + 1, dir < 0)) < 0) return err;
        *moved = 1;
        return JET_errSuccess;
    }
    return JET_errSuccess;
}

/* ---- long values ------------------------------------------------------------------------------- */
static JET_ERR lv_read(struct ctx *c, uint32_t first, uint32_t vlen, uint8_t *dst)
{
    JET_ERR err = JET_errSuccess;
    uint32_t pgno = first, done = 0, cap = c->pgsz - PAGE_HDR;
    while (done < vlen) {
        struct frame *fr;
        if (!pgno) return corrupt(c, pgno);
        if ((err = get(c, pgno, &fr)) < 0) return err;
        uint32_t used = page_aux(fr->data);
        if (page_type(fr->data) != PAGE_LV || used > cap || used > vlen - done) {
            put(c, fr);
            return corrupt(c, pgno);
        }
        memcpy(dst + done, fr->data + PAGE_HDR, used);
        done += used;
        uint32_t next = page_next(fr->data);
        put(c, fr);
        if (used == 0) return corrupt(c, pgno);
        pgno = next;
    }
    return err;
}

static JET_ERR lv_write(struct ctx *c, const uint8_t *val, uint32_t vlen, uint32_t *first)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cap = c->pgsz - PAGE_HDR, done = 0;
    struct frame *prev = NULL;
    *first = 0;
    while (done < vlen) {
        struct frame *fr;
        if ((err = space_alloc(c->m, c->db, &fr)) < 0) return err;
        uint32_t n = vlen - done < cap ? vlen - done : cap;
        page_init(fr->data, c->pgsz, fr->pgno, PAGE_LV, 0);
        page_set_aux(fr->data, n);
        memcpy(fr->data + PAGE_HDR, val + done, n);
        if (prev)
            page_set_next(prev->data, fr->pgno);
        else
            *first = fr->pgno;
        prev = fr;
        done += n;
    }
    return err;
}

static JET_ERR lv_free(struct ctx *c, uint32_t first)
{
    JET_ERR err = JET_errSuccess;
    uint32_t pgno = first, guard = 0;
    while (pgno) {
        struct frame *fr;
        if (++guard > (1u << 24)) return corrupt(c, pgno);
        if ((err = get(c, pgno, &fr)) < 0) return err;
        if (page_type(fr->data) != PAGE_LV) return corrupt(c, pgno);
        uint32_t next = page_next(fr->data);
        if ((err = space_free(c->m, c->db, fr)) < 0) return err;
        pgno = next;
    }
    return err;
}

/* A long value's length, read from a cell, before anything is allocated for it: no longer than
 * every page of the database could hold (a damaged cell could ask for 2 GiB). */
static JET_ERR lv_len_check(struct ctx *c, uint32_t vlen)
{
    uint32_t pages;
    JET_ERR err = space_info(c->db, &pages, NULL, NULL);
    if (err < 0) return err;
    return (uint64_t)vlen > (uint64_t)pages * (c->pgsz - PAGE_HDR) ? corrupt(c, 0) : JET_errSuccess;
}

/* Copies a leaf cell into out. */
static JET_ERR copy_rec(struct ctx *c, const uint8_t *cell, unsigned clen, struct bt_rec *out, int want)
{
    uint32_t klen;
    const uint8_t *k = cell_key(cell, &klen);
    if (klen > BT_KEY_MAX || CELL_HDR + klen > clen) return JET_errDatabaseCorrupted;
    memcpy(out->key, k, klen);
    out->klen = klen;
    if (!want) return JET_errSuccess;
    uint32_t vinfo = get_u32(cell + 2), vlen = vinfo & ~LV_FLAG;
    /* Lengths come from the page: checked before anything is allocated. */
    if (vinfo & LV_FLAG) {
        if (CELL_HDR + klen + 4 > clen) return JET_errDatabaseCorrupted;
        JET_ERR err = lv_len_check(c, vlen);
        if (err < 0) return err;
    } else if (CELL_HDR + klen + vlen > clen) {
        return JET_errDatabaseCorrupted;
    }
    if (vlen + 1 > out->vcap) {
        uint32_t cap = vlen + 1 < 256 ? 256 : vlen + 1;
        uint8_t *p = realloc(out->val, cap);
        if (!p) return JET_errOutOfMemory;
        out->val = p;
        out->vcap = cap;
    }
    out->vlen = vlen;
    if (vinfo & LV_FLAG) /* the cell stays valid: the caller holds its leaf under the tree lock */
        return lv_read(c, get_u32(cell + CELL_HDR + klen), vlen, out->val);
    memcpy(out->val, cell + CELL_HDR + klen, vlen);
    return JET_errSuccess;
}

/* ---- search ------------------------------------------------------------------------------------- */
JET_ERR bt_find(struct db *db, uint32_t root, const uint8_t *key, uint32_t klen, int mode,
                struct bt_rec *out, int want_value)
{
    struct ctx c = {db, NULL, db->inst->params.page_size, 0};
    struct bt_path p;
    JET_ERR err;
    if (mode == BT_FIRST || mode == BT_LAST) {
        p.pgno[0] = root;
        if ((err = descend_edge(&c, &p, 0, mode == BT_LAST)) < 0) return err;
    } else {
        if ((err = descend(&c, root, key, klen, &p)) < 0) return err;
    }
    int forward = mode == BT_EQ || mode == BT_GE || mode == BT_GT || mode == BT_FIRST;
    for (;;) {
        struct frame *fr;
        int leaf = p.depth - 1;
        if ((err = get(&c, p.pgno[leaf], &fr)) < 0) return err;
        unsigned n = page_nslots(fr->data), i = p.idx[leaf], len;
        /* Position within the leaf: i is the first cell >= key (or an edge). */
        if (forward) {
            if (mode == BT_GT && i < n) {
                uint32_t ckl;
                const uint8_t *ck = cell_key(page_cell(fr->data, i, &len), &ckl);
                if (keycmp(ck, ckl, key, klen) == 0) i++;
            }
            if (i < n) {
                const uint8_t *cell = page_cell(fr->data, i, &len);
                uint32_t ckl;
                const uint8_t *ck = cell_key(cell, &ckl);
                if (mode == BT_EQ && keycmp(ck, ckl, key, klen) != 0) {
                    put(&c, fr);
                    return JET_errRecordNotFound;
                }
                /* Keys out of order (a damaged page with a valid checksum) could send a caller
                 * walking with GT round in a circle: refuse an answer that is not past key. */
                if ((mode == BT_GT || mode == BT_GE) && keycmp(ck, ckl, key, klen) < (mode == BT_GT)) {
                    put(&c, fr);
                    return corrupt(&c, p.pgno[leaf]);
                }
                err = copy_rec(&c, cell, len, out, want_value);
                put(&c, fr);
                return err;
            }
            put(&c, fr);
            if (mode == BT_EQ) return JET_errRecordNotFound;
            int moved;
            if ((err = step_leaf(&c, &p, 1, &moved)) < 0) return err;
            if (!moved) return JET_errRecordNotFound;
            p.idx[p.depth - 1] = 0;
            mode = mode == BT_GT ? BT_GE : mode; /* in a later leaf every key is > key */
            continue;
        }
        /* Backward: LE, LT, LAST. Candidate is the cell before i, or i itself for an exact LE. */
        if (mode == BT_LE && i < n) {
            uint32_t ckl;
            const uint8_t *ck = cell_key(page_cell(fr->data, i, &len), &ckl);
            if (keycmp(ck, ckl, key, klen) == 0) i++;
        }
        if (i > 0) {
            const uint8_t *cell = page_cell(fr->data, i - 1, &len);
            uint32_t ckl;
            const uint8_t *ck = cell_key(cell, &ckl);
            if ((mode == BT_LT || mode == BT_LE) && keycmp(ck, ckl, key, klen) > -(mode == BT_LT)) {
                put(&c, fr);
                return corrupt(&c, p.pgno[leaf]);
            }
            err = copy_rec(&c, cell, len, out, want_value);
            put(&c, fr);
            return err;
        }
        put(&c, fr);
        int moved;
        if ((err = step_leaf(&c, &p, -1, &moved)) < 0) return err;
        if (!moved) return JET_errRecordNotFound;
        /* descend_edge left idx at n (past the last cell): the candidate is the last cell. */
        mode = BT_LAST;
    }
}

/* ---- insert ------------------------------------------------------------------------------------- */
struct cellref {
    const uint8_t *p;
    unsigned len;
};

/* Rebuilds page pg (type/level kept) with the given cells. */
static void rebuild(uint8_t *pg, uint32_t pgsz, const struct cellref *cells, unsigned n)
{
    unsigned type = page_type(pg), level = page_level(pg);
    uint32_t pgno = page_pgno(pg);
    uint64_t dbtime = page_dbtime(pg);
    page_init(pg, pgsz, pgno, type, level);
    page_set_dbtime(pg, dbtime);
    for (unsigned i = 0; i < n; i++) page_insert(pg, pgsz, i, cells[i].p, cells[i].len);
}

static int is_rightmost(struct ctx *c, const struct bt_path *p, int d)
{
    for (int k = 0; k < d; k++) {
        struct frame *fr;
        if (get(c, p->pgno[k], &fr) < 0) return 0;
        unsigned n = page_nslots(fr->data);
        put(c, fr);
        if (p->idx[k] + 1 != n) return 0;
    }
    return 1;
}

static JET_ERR insert_at(struct ctx *c, struct bt_path *p, int d, struct frame *writable, unsigned idx,
                         const uint8_t *cell, unsigned clen);

/* The split of the rightmost page of its level when the new cell goes past its last: the page
 * keeps every cell (left full: sequential keys fill pages) and is not touched, a new right page
 * gets the new cell alone (in an internal page, with an empty key), and the new cell's key goes
 * up as the separator. The same outcome as the general split, without rebuilding the full page. */
static JET_ERR split_append(struct ctx *c, struct bt_path *p, int d, const uint8_t *pg, const uint8_t *cell,
                            unsigned clen)
{
    struct frame *right;
    uint8_t pcell[CELL_HDR + BT_KEY_MAX];
    uint32_t sepl;
    const uint8_t *sep = cell_key(cell, &sepl);
    if (sepl > BT_KEY_MAX) return JET_errDatabaseCorrupted;
    JET_ERR err = space_alloc(c->m, c->db, &right);
    if (err < 0) return err;
    page_init(right->data, c->pgsz, right->pgno, page_type(pg), page_level(pg));
    if (page_type(pg) == PAGE_INTERNAL) {
        uint8_t first[CELL_HDR];
        put_u16(first, 0);
        put_u32(first + 2, cell_child(cell));
        page_insert(right->data, c->pgsz, 0, first, CELL_HDR);
    } else {
        page_insert(right->data, c->pgsz, 0, cell, clen);
    }
    put_u16(pcell, (uint16_t)sepl);
    put_u32(pcell + 2, right->pgno);
    memcpy(pcell + CELL_HDR, sep, sepl);
    return insert_at(c, p, d - 1, NULL, p->idx[d - 1] + 1, pcell, CELL_HDR + sepl);
}

/* Inserts cell at idx of the page at level d of the path, splitting as needed. writable: that
 * page's frame when the caller has it pinned and made writable in the batch already (or NULL). */
static JET_ERR insert_at(struct ctx *c, struct bt_path *p, int d, struct frame *writable, unsigned idx,
                         const uint8_t *cell, unsigned clen)
{
    JET_ERR err;
    struct frame *fr = writable;
    if (!fr) {
        if ((err = get(c, p->pgno[d], &fr)) < 0) return err;
        if ((err = mtr_write(c->m, c->db, fr)) < 0) return err;
    }
    if (page_insert(fr->data, c->pgsz, idx, cell, clen) == 0) return JET_errSuccess;
    c->reshaped = 1;

    if (d == 0) {
        /* Root split: move the root's content to a new child; the root becomes its parent. */
        if (p->depth >= BT_DEPTH_MAX) return JET_errDatabaseCorrupted;
        struct frame *child;
        if ((err = space_alloc(c->m, c->db, &child)) < 0) return err;
        memcpy(child->data, fr->data, c->pgsz);
        put_u32(child->data + PAGE_OFF_PGNO, child->pgno);
        unsigned level = page_level(fr->data);
        page_init(fr->data, c->pgsz, fr->pgno, PAGE_INTERNAL, level + 1);
        uint8_t rc[CELL_HDR];
        put_u16(rc, 0);
        put_u32(rc + 2, child->pgno);
        page_insert(fr->data, c->pgsz, 0, rc, CELL_HDR);
        memmove(p->pgno + 1, p->pgno, sizeof p->pgno[0] * (size_t)p->depth);
        memmove(p->idx + 1, p->idx, sizeof p->idx[0] * (size_t)p->depth);
        p->depth++;
        p->pgno[0] = fr->pgno;
        p->idx[0] = 0;
        p->pgno[1] = child->pgno;
        d = 1;
        fr = child;
    }

    if (idx == page_nslots(fr->data) && is_rightmost(c, p, d)) return split_append(c, p, d, fr->data, cell, clen);

    /* Split fr: gather its cells with the new one, keep a left part, move the rest right. */
    uint8_t *tmp = malloc(c->pgsz + clen);
    struct cellref *cells = malloc(sizeof *cells * (page_nslots(fr->data) + 1));
    if (!tmp || !cells) {
        free(tmp);
        free(cells);
        return JET_errOutOfMemory;
    }
    memcpy(tmp, fr->data, c->pgsz);
    memcpy(tmp + c->pgsz, cell, clen);
    unsigned n = page_nslots(tmp), m = 0, total = 0;
    for (unsigned i = 0; i <= n; i++) {
        if (i == idx) {
            cells[m++] = (struct cellref){tmp + c->pgsz, clen};
            total += clen + PAGE_SLOT;
        }
        if (i == n) break;
        unsigned len;
        const uint8_t *cp = page_cell(tmp, i, &len);
        cells[m++] = (struct cellref){cp, len};
        total += len + PAGE_SLOT;
    }
    unsigned split = 0, acc = 0;
    int internal = page_type(tmp) == PAGE_INTERNAL;
    while (split < m - 1 && acc + (cells[split].len + PAGE_SLOT) <= total / 2) {
        acc += cells[split].len + PAGE_SLOT;
        split++;
    }
    if (split == 0) split = 1;
    struct frame *right;
    if ((err = space_alloc(c->m, c->db, &right)) < 0) goto out;
    page_init(right->data, c->pgsz, right->pgno, page_type(tmp), page_level(tmp));
    rebuild(fr->data, c->pgsz, cells, split);
    /* Separator: the right part's first key; in an internal page that cell's key becomes empty. */
    uint32_t sepl;
    const uint8_t *sep = cell_key(cells[split].p, &sepl);
    uint8_t *pcell = malloc(CELL_HDR + sepl);
    if (!pcell) {
        err = JET_errOutOfMemory;
        goto out;
    }
    put_u16(pcell, (uint16_t)sepl);
    put_u32(pcell + 2, right->pgno);
    memcpy(pcell + CELL_HDR, sep, sepl);
    if (internal) {
        uint8_t first[CELL_HDR];
        put_u16(first, 0);
        put_u32(first + 2, cell_child(cells[split].p));
        cells[split] = (struct cellref){first, CELL_HDR};
        rebuild(right->data, c->pgsz, cells + split, m - split);
    } else {
        rebuild(right->data, c->pgsz, cells + split, m - split);
    }
    err = insert_at(c, p, d - 1, NULL, p->idx[d - 1] + 1, pcell, CELL_HDR + sepl);
    free(pcell);
out:
    free(tmp);
    free(cells);
    return err;
}

/* Builds a leaf cell in buf (room for a quarter page: the largest cell a page takes). */
static JET_ERR make_leaf_cell(struct ctx *c, const uint8_t *key, uint32_t klen, const uint8_t *val,
                              uint32_t vlen, uint8_t *buf, unsigned *clen)
{
    JET_ERR err;
    int lv = vlen > bt_inline_max(c->pgsz, klen);
    uint32_t body = lv ? 4 : vlen;
    put_u16(buf, (uint16_t)klen);
    put_u32(buf + 2, vlen | (lv ? LV_FLAG : 0));
    memcpy(buf + CELL_HDR, key, klen);
    if (lv) {
        uint32_t first;
        if ((err = lv_write(c, val, vlen, &first)) < 0) return err;
        put_u32(buf + CELL_HDR + klen, first);
    } else if (vlen) {
        memcpy(buf + CELL_HDR + klen, val, vlen);
    }
    *clen = CELL_HDR + klen + body;
    return JET_errSuccess;
}

/* Index of the first cell >= key in a leaf, trying past the last cell first (a batch's keys
 * ascend, so that is where they usually go). */
static unsigned search_leaf_ascending(const uint8_t *pg, const uint8_t *key, uint32_t klen)
{
    unsigned n = page_nslots(pg), len;
    int exact;
    if (n) {
        uint32_t ckl;
        const uint8_t *ck = cell_key(page_cell(pg, n - 1, &len), &ckl);
        if (keycmp(ck, ckl, key, klen) < 0) return n;
    }
    return search(pg, key, klen, 0, &exact);
}

JET_ERR bt_put(struct mtr *m, struct db *db, uint32_t root, const uint8_t *key, uint32_t klen,
               const uint8_t *val, uint32_t vlen, struct bt_hint *hint)
{
    struct ctx c = {db, m, m->inst->params.page_size, 0};
    struct bt_path p;
    JET_ERR err;
    uint8_t cell[PAGE_SIZE_MAX / 4];
    unsigned clen;
    if (klen > BT_KEY_LIMIT) return JET_errKeyTooBig;
    if (vlen & LV_FLAG) return JET_errRecordTooBig;
    struct frame *leaf;
    int hinted = hint && hint->valid && hint->root == root &&
                 (!hint->has_hi || keycmp(key, klen, hint->hi, hint->hilen) < 0);
    int d;
    if (hinted) {
        /* The previous put of the batch pinned this leaf and made it writable. */
        p = hint->path;
        d = p.depth - 1;
        leaf = hint->leaf;
        p.idx[d] = search_leaf_ascending(leaf->data, key, klen);
    } else {
        if (hint) hint->valid = 0;
        if ((err = descend_bounded(&c, root, key, klen, &p, hint)) < 0) return err;
        d = p.depth - 1;
        if ((err = get(&c, p.pgno[d], &leaf)) < 0) return err;
    }
    unsigned idx = p.idx[d], n = page_nslots(leaf->data), len;
    int exists = 0;
    if (idx < n) {
        uint32_t ckl;
        const uint8_t *old = page_cell(leaf->data, idx, &len);
        const uint8_t *ck = cell_key(old, &ckl);
        exists = keycmp(ck, ckl, key, klen) == 0;
        if (exists && (get_u32(old + 2) & LV_FLAG))
            if ((err = lv_free(&c, get_u32(old + CELL_HDR + ckl))) < 0) goto out;
    }
    if ((err = make_leaf_cell(&c, key, klen, val, vlen, cell, &clen)) < 0) goto out;
    if (!hinted && (err = mtr_write(m, db, leaf)) < 0) goto out;
    if (exists) {
        if (page_replace(leaf->data, c.pgsz, idx, cell, clen) == 0) goto out;
        page_delete(leaf->data, c.pgsz, idx);
    }
    err = insert_at(&c, &p, d, leaf, idx, cell, clen);
out:
    if (hint) {
        hint->valid = err >= 0 && !c.reshaped;
        hint->root = root;
        hint->path = p;
        hint->leaf = leaf;
    }
    return err;
}

JET_ERR bt_create(struct mtr *m, struct db *db, uint32_t *root)
{
    struct frame *fr;
    JET_ERR err = space_alloc(m, db, &fr);
    if (err < 0) return err;
    page_init(fr->data, m->inst->params.page_size, fr->pgno, PAGE_LEAF, 0);
    *root = fr->pgno;
    return JET_errSuccess;
}

/* ---- delete ------------------------------------------------------------------------------------- */
static JET_ERR rebalance(struct ctx *c, struct bt_path *p, int d)
{
    JET_ERR err;
    struct frame *fr;
    if ((err = get(c, p->pgno[d], &fr)) < 0) return err;
    if (d == 0) {
        /* A root with a single child absorbs it (the root keeps its page number). */
        while (page_type(fr->data) == PAGE_INTERNAL && page_nslots(fr->data) == 1) {
            unsigned len;
            struct frame *child;
            if ((err = get(c, cell_child(page_cell(fr->data, 0, &len)), &child)) < 0) return err;
            if ((err = mtr_write(c->m, c->db, fr)) < 0) return err;
            uint64_t dbt = page_dbtime(fr->data);
            memcpy(fr->data, child->data, c->pgsz);
            put_u32(fr->data + PAGE_OFF_PGNO, fr->pgno);
            page_set_dbtime(fr->data, dbt);
            if ((err = space_free(c->m, c->db, child)) < 0) return err;
        }
        return JET_errSuccess;
    }
    if (page_used(fr->data, c->pgsz) >= (c->pgsz - PAGE_HDR) / 4) return JET_errSuccess;
    struct frame *parent;
    if ((err = get(c, p->pgno[d - 1], &parent)) < 0) return err;
    unsigned pn = page_nslots(parent->data), pidx = p->idx[d - 1], len;
    if (pn < 2) return JET_errSuccess;
    unsigned ridx = pidx > 0 ? pidx : 1;
    struct frame *left, *right;
    if ((err = get(c, cell_child(page_cell(parent->data, ridx - 1, &len)), &left)) < 0) return err;
    if ((err = get(c, cell_child(page_cell(parent->data, ridx, &len)), &right)) < 0) return err;
    int internal = page_type(left->data) == PAGE_INTERNAL;
    uint32_t sepl;
    const uint8_t *sep = cell_key(page_cell(parent->data, ridx, &len), &sepl);
    unsigned need = page_used(left->data, c->pgsz) + page_used(right->data, c->pgsz) + (internal ? sepl : 0);
    if (need > c->pgsz - PAGE_HDR) return JET_errSuccess;
    if ((err = mtr_write(c->m, c->db, left)) < 0) return err;
    unsigned rn = page_nslots(right->data), ln = page_nslots(left->data);
    for (unsigned i = 0; i < rn; i++) {
        const uint8_t *cp = page_cell(right->data, i, &len);
        if (internal && i == 0) {
            uint8_t *tmp = malloc(CELL_HDR + sepl);
            if (!tmp) return JET_errOutOfMemory;
            put_u16(tmp, (uint16_t)sepl);
            put_u32(tmp + 2, cell_child(cp));
            memcpy(tmp + CELL_HDR, sep, sepl);
            int r = page_insert(left->data, c->pgsz, ln + i, tmp, CELL_HDR + sepl);
            free(tmp);
            if (r < 0) return JET_errDatabaseCorrupted;
        } else if (page_insert(left->data, c->pgsz, ln + i, cp, len) < 0) {
            return JET_errDatabaseCorrupted;
        }
    }
    if ((err = space_free(c->m, c->db, right)) < 0) return err;
    if ((err = mtr_write(c->m, c->db, parent)) < 0) return err;
    page_delete(parent->data, c->pgsz, ridx);
    p->idx[d - 1] = ridx - 1;
    return rebalance(c, p, d - 1);
}

JET_ERR bt_del(struct mtr *m, struct db *db, uint32_t root, const uint8_t *key, uint32_t klen)
{
    struct ctx c = {db, m, m->inst->params.page_size, 0};
    struct bt_path p;
    JET_ERR err;
    if ((err = descend(&c, root, key, klen, &p)) < 0) return err;
    int d = p.depth - 1;
    struct frame *leaf;
    if ((err = get(&c, p.pgno[d], &leaf)) < 0) return err;
    unsigned idx = p.idx[d], len;
    if (idx >= page_nslots(leaf->data)) return JET_errRecordNotFound;
    uint32_t ckl;
    const uint8_t *cell = page_cell(leaf->data, idx, &len);
    const uint8_t *ck = cell_key(cell, &ckl);
    if (keycmp(ck, ckl, key, klen) != 0) return JET_errRecordNotFound;
    if (get_u32(cell + 2) & LV_FLAG)
        if ((err = lv_free(&c, get_u32(cell + CELL_HDR + ckl))) < 0) return err;
    if ((err = mtr_write(m, db, leaf)) < 0) return err;
    page_delete(leaf->data, c.pgsz, idx);
    return rebalance(&c, &p, d);
}

/* ---- drop ---------------------------------------------------------------------------------------- */
static JET_ERR drop_page(struct ctx *c, uint32_t pgno, int depth)
{
    JET_ERR err;
    struct frame *fr;
    if (depth > BT_DEPTH_MAX) return JET_errDatabaseCorrupted;
    if ((err = get(c, pgno, &fr)) < 0) return err;
    unsigned n = page_nslots(fr->data), len;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *cell = page_cell(fr->data, i, &len);
        if (page_type(fr->data) == PAGE_INTERNAL) {
            if ((err = drop_page(c, cell_child(cell), depth + 1)) < 0) return err;
        } else if (get_u32(cell + 2) & LV_FLAG) {
            uint32_t kl = get_u16(cell);
            if ((err = lv_free(c, get_u32(cell + CELL_HDR + kl))) < 0) return err;
        }
    }
    return space_free(c->m, c->db, fr);
}

JET_ERR bt_drop(struct mtr *m, struct db *db, uint32_t root)
{
    struct ctx c = {db, m, m->inst->params.page_size, 0};
    return drop_page(&c, root, 0);
}

/* ---- verification ------------------------------------------------------------------------------- */
struct check {
    struct ctx c;
    uint64_t nrecs, npages;
    uint8_t last[BT_KEY_MAX];
    uint32_t lastlen;
    int have_last;
    char *msg;
    size_t cap;
};

static JET_ERR check_fail(struct check *k, uint32_t pgno, const char *what)
{
    snprintf(k->msg, k->cap, "page %u: %s", pgno, what);
    return JET_errDatabaseCorrupted;
}

static JET_ERR check_page(struct check *k, uint32_t pgno, int level, const uint8_t *lo, uint32_t lolen,
                          int depth)
{
    JET_ERR err;
    struct frame *fr;
    if (depth > BT_DEPTH_MAX) return check_fail(k, pgno, "tree too deep (a cycle?)");
    if ((err = get(&k->c, pgno, &fr)) < 0) {
        snprintf(k->msg, k->cap, "page %u: %s", pgno, JetXErrorName(err));
        return err;
    }
    k->npages++;
    unsigned type = page_type(fr->data), n = page_nslots(fr->data), len;
    if ((type != PAGE_LEAF && type != PAGE_INTERNAL) ||
        (level >= 0 && (int)page_level(fr->data) != level)) {
        put(&k->c, fr);
        return check_fail(k, pgno, "wrong page type or level");
    }
    if (type == PAGE_LEAF) {
        for (unsigned i = 0; i < n; i++) {
            const uint8_t *cell = page_cell(fr->data, i, &len);
            uint32_t kl;
            const uint8_t *key = cell_key(cell, &kl);
            if (kl > BT_KEY_MAX || CELL_HDR + kl > len) {
                put(&k->c, fr);
                return check_fail(k, pgno, "cell overruns its slot");
            }
            if ((k->have_last && keycmp(k->last, k->lastlen, key, kl) >= 0) ||
                (lo && keycmp(key, kl, lo, lolen) < 0)) {
                put(&k->c, fr);
                return check_fail(k, pgno, "keys out of order");
            }
            memcpy(k->last, key, kl);
            k->lastlen = kl;
            k->have_last = 1;
            k->nrecs++;
            uint32_t vinfo = get_u32(cell + 2);
            if (vinfo & LV_FLAG) {
                if (lv_len_check(&k->c, vinfo & ~LV_FLAG) < 0) {
                    put(&k->c, fr);
                    return check_fail(k, pgno, "long value longer than the database");
                }
                uint8_t *buf = malloc((vinfo & ~LV_FLAG) + 1);
                if (!buf) {
                    put(&k->c, fr);
                    return JET_errOutOfMemory;
                }
                err = lv_read(&k->c, get_u32(cell + CELL_HDR + kl), vinfo & ~LV_FLAG, buf);
                free(buf);
                if (err < 0) {
                    put(&k->c, fr);
                    return check_fail(k, pgno, "broken long value chain");
                }
            }
        }
        put(&k->c, fr);
        return JET_errSuccess;
    }
    if (n == 0) {
        put(&k->c, fr);
        return check_fail(k, pgno, "empty internal page");
    }
    int child_level = (int)page_level(fr->data) - 1;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *cell = page_cell(fr->data, i, &len);
        uint32_t kl;
        const uint8_t *key = cell_key(cell, &kl);
        uint8_t sep[BT_KEY_MAX];
        if (kl > BT_KEY_MAX || CELL_HDR + kl > len) {
            put(&k->c, fr);
            return check_fail(k, pgno, "separator overruns its cell");
        }
        memcpy(sep, key, kl);
        uint32_t child = cell_child(cell);
        if ((err = check_page(k, child, child_level, i ? sep : lo, i ? kl : lolen, depth + 1)) < 0) {
            put(&k->c, fr);
            return err;
        }
    }
    put(&k->c, fr);
    return JET_errSuccess;
}

JET_ERR bt_check(struct db *db, uint32_t root, uint64_t *nrecs, uint64_t *npages, char *msg, size_t cap)
{
    struct check k;
    memset(&k, 0, sizeof k);
    k.c = (struct ctx){db, NULL, db->inst->params.page_size, 0};
    k.msg = msg;
    k.cap = cap;
    if (cap) msg[0] = 0;
    JET_ERR err = check_page(&k, root, -1, NULL, 0, 0);
    if (nrecs) *nrecs = k.nrecs;
    if (npages) *npages = k.npages;
    return err;
}
