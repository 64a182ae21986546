/*
 * catalog.c — table definitions in the catalog tree and their in-memory cache (format and
 * concurrency rules in catalog.h).
 */
#include "catalog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "btree.h"
#include "codec.h"
#include "space.h"

int cat_name_valid(const char *name)
{
    if (!name) return 0;
    size_t n = strlen(name);
    if (n == 0 || n > CAT_NAME_MAX || name[0] == ' ') return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == '!' || c == '.' || c == '[' || c == ']') return 0;
    }
    return 1;
}

static uint32_t cat_key(const char *name, uint8_t *key)
{
    size_t n = strlen(name);
    key[0] = 'T';
    for (size_t i = 0; i < n; i++) key[1 + i] = (uint8_t)tolower((unsigned char)name[i]);
    return (uint32_t)n + 1;
}

static void coldef_free(struct coldef *c)
{
    if (!c) return;
    free(c->def);
    free(c);
}

static void tabledef_free(struct tabledef *td)
{
    unsigned n = atomic_load(&td->ncols);
    for (unsigned i = 0; i < n; i++) coldef_free(td->cols[i]);
    pthread_mutex_destroy(&td->mu);
    free(td);
}

void cat_discard(struct tabledef *td) { tabledef_free(td); }

void tabledef_release(struct tabledef *td)
{
    pthread_mutex_lock(&td->mu);
    int gone = --td->refs == 0 && td->deleted;
    pthread_mutex_unlock(&td->mu);
    if (gone) tabledef_free(td);
}

static struct tabledef *tabledef_new(struct db *db)
{
    struct tabledef *td = calloc(1, sizeof *td);
    if (!td) return NULL;
    td->db = db;
    pthread_mutex_init(&td->mu, NULL);
    return td;
}

static JET_ERR decode(struct db *db, const uint8_t *v, uint32_t vlen, struct tabledef **out)
{
    struct bytebuf b;
    bb_init(&b, (uint8_t *)v, vlen);
    struct tabledef *td = tabledef_new(db);
    if (!td) return JET_errOutOfMemory;
    td->objid = bb_get32(&b);
    td->root = bb_get32(&b);
    uint16_t nl = bb_get16(&b);
    if (nl > CAT_NAME_MAX) goto corrupt;
    bb_getn(&b, td->name, nl);
    uint16_t ncols = bb_get16(&b);
    if (ncols > CAT_COLS_MAX) goto corrupt;
    for (unsigned i = 0; i < ncols && b.ok; i++) {
        struct coldef *c = calloc(1, sizeof *c);
        if (!c) {
            tabledef_free(td);
            return JET_errOutOfMemory;
        }
        td->cols[i] = c;
        atomic_store(&td->ncols, i + 1);
        c->id = bb_get32(&b);
        c->coltyp = bb_get32(&b);
        c->cb_max = bb_get32(&b);
        c->grbit = bb_get32(&b);
        c->cp = bb_get16(&b);
        uint16_t cl = bb_get16(&b);
        if (cl > CAT_NAME_MAX) goto corrupt;
        bb_getn(&b, c->name, cl);
        c->deflen = bb_get32(&b);
        if (c->deflen) {
            if (c->deflen > vlen) goto corrupt;
            c->def = malloc(c->deflen);
            if (!c->def) {
                tabledef_free(td);
                return JET_errOutOfMemory;
            }
            bb_getn(&b, c->def, c->deflen);
        }
    }
    td->has_primary = bb_get8(&b);
    if (td->has_primary) {
        uint16_t il = bb_get16(&b);
        if (il > CAT_NAME_MAX) goto corrupt;
        bb_getn(&b, td->idxname, il);
        td->idxgrbit = bb_get32(&b);
        td->nseg = bb_get8(&b);
        if (td->nseg > CAT_SEG_MAX) goto corrupt;
        for (unsigned i = 0; i < td->nseg; i++) {
            td->seg[i].col = bb_get32(&b);
            td->seg[i].desc = bb_get8(&b);
        }
    }
    if (!b.ok) goto corrupt;
    *out = td;
    return JET_errSuccess;
corrupt:
    tabledef_free(td);
    return JET_errDatabaseCorrupted;
}

static JET_ERR encode(const struct tabledef *td, uint8_t **out, uint32_t *outlen)
{
    unsigned n = atomic_load(&td->ncols);
    size_t cap = 64 + CAT_NAME_MAX * 2 + CAT_SEG_MAX * 5;
    for (unsigned i = 0; i < n; i++) cap += 24 + CAT_NAME_MAX + td->cols[i]->deflen;
    uint8_t *p = malloc(cap);
    if (!p) return JET_errOutOfMemory;
    struct bytebuf b;
    bb_init(&b, p, cap);
    bb_put32(&b, td->objid);
    bb_put32(&b, td->root);
    bb_put16(&b, (uint16_t)strlen(td->name));
    bb_putn(&b, td->name, strlen(td->name));
    bb_put16(&b, (uint16_t)n);
    for (unsigned i = 0; i < n; i++) {
        const struct coldef *c = td->cols[i];
        bb_put32(&b, (uint32_t)c->id);
        bb_put32(&b, (uint32_t)c->coltyp);
        bb_put32(&b, c->cb_max);
        bb_put32(&b, (uint32_t)c->grbit);
        bb_put16(&b, c->cp);
        bb_put16(&b, (uint16_t)strlen(c->name));
        bb_putn(&b, c->name, strlen(c->name));
        bb_put32(&b, c->deflen);
        bb_putn(&b, c->def, c->deflen);
    }
    bb_put8(&b, (uint8_t)td->has_primary);
    if (td->has_primary) {
        bb_put16(&b, (uint16_t)strlen(td->idxname));
        bb_putn(&b, td->idxname, strlen(td->idxname));
        bb_put32(&b, (uint32_t)td->idxgrbit);
        bb_put8(&b, (uint8_t)td->nseg);
        for (unsigned i = 0; i < td->nseg; i++) {
            bb_put32(&b, (uint32_t)td->seg[i].col);
            bb_put8(&b, td->seg[i].desc);
        }
    }
    if (!b.ok) {
        free(p);
        return JET_errInvalidParameter;
    }
    *out = p;
    *outlen = (uint32_t)b.pos;
    return JET_errSuccess;
}

static struct tabledef *cached(struct db *db, const char *name)
{
    for (struct tabledef *t = db->tables; t; t = t->next)
        if (strcasecmp(t->name, name) == 0) return t;
    return NULL;
}

JET_ERR cat_find(struct db *db, const char *name, struct tabledef **out)
{
    JET_ERR err;
    if (!cat_name_valid(name)) return JET_errInvalidName;
    /* The cache list is changed only under the exclusive tree lock or by this loader, which
     * serialises on the instance's cache of definitions below. */
    pthread_mutex_lock(&db->inst->mu);
    struct tabledef *t = cached(db, name);
    pthread_mutex_unlock(&db->inst->mu);
    if (t) {
        *out = t;
        return JET_errSuccess;
    }
    uint32_t root;
    if ((err = space_info(db, NULL, NULL, &root)) < 0) return err;
    uint8_t key[1 + CAT_NAME_MAX];
    uint32_t klen = cat_key(name, key);
    struct bt_rec r = {0};
    err = bt_find(db, root, key, klen, BT_EQ, &r, 1);
    if (err == JET_errRecordNotFound) err = JET_errObjectNotFound;
    if (err >= 0) err = decode(db, r.val, r.vlen, &t);
    bt_rec_free(&r);
    if (err < 0) return err;
    pthread_mutex_lock(&db->inst->mu);
    struct tabledef *again = cached(db, name);
    if (again) {
        tabledef_free(t);
        t = again;
    } else {
        t->next = db->tables;
        db->tables = t;
    }
    pthread_mutex_unlock(&db->inst->mu);
    *out = t;
    return JET_errSuccess;
}

JET_ERR cat_store(struct mtr *m, struct tabledef *td)
{
    JET_ERR err;
    uint32_t root;
    uint8_t *val = NULL, key[1 + CAT_NAME_MAX];
    uint32_t vlen;
    Call(space_info(td->db, NULL, NULL, &root));
    Call(encode(td, &val, &vlen));
    Call(bt_put(m, td->db, root, key, cat_key(td->name, key), val, vlen, NULL));
HandleError:
    free(val);
    return err;
}

JET_ERR cat_create(struct mtr *m, struct db *db, const char *name, struct tabledef **out)
{
    JET_ERR err;
    struct tabledef *existing;
    if (!cat_name_valid(name)) return JET_errInvalidName;
    err = cat_find(db, name, &existing);
    if (err >= 0) return JET_errTableDuplicate;
    if (err != JET_errObjectNotFound) return err;
    struct tabledef *td = tabledef_new(db);
    if (!td) return JET_errOutOfMemory;
    snprintf(td->name, sizeof td->name, "%s", name);
    Call(space_next_objid(m, db, &td->objid));
    Call(bt_create(m, db, &td->root));
    Call(cat_store(m, td));
    *out = td;
    return JET_errSuccess;
HandleError:
    tabledef_free(td);
    return err;
}

void cat_publish(struct db *db, struct tabledef *td)
{
    pthread_mutex_lock(&db->inst->mu);
    td->next = db->tables;
    db->tables = td;
    pthread_mutex_unlock(&db->inst->mu);
}

JET_ERR cat_delete(struct mtr *m, struct tabledef *td)
{
    JET_ERR err;
    uint32_t root;
    uint8_t key[1 + CAT_NAME_MAX];
    Call(space_info(td->db, NULL, NULL, &root));
    Call(bt_del(m, td->db, root, key, cat_key(td->name, key)));
    Call(bt_drop(m, td->db, td->root));
HandleError:
    return err;
}

void cat_unlink(struct tabledef *td)
{
    struct db *db = td->db;
    pthread_mutex_lock(&db->inst->mu);
    for (struct tabledef **pp = &db->tables; *pp; pp = &(*pp)->next)
        if (*pp == td) {
            *pp = td->next;
            break;
        }
    pthread_mutex_unlock(&db->inst->mu);
    pthread_mutex_lock(&td->mu);
    td->deleted = 1;
    int gone = td->refs == 0;
    pthread_mutex_unlock(&td->mu);
    if (gone) tabledef_free(td);
}

JET_ERR cat_list(struct db *db, void (*fn)(const char *name, uint32_t root, void *ctx), void *ctx)
{
    JET_ERR err;
    uint32_t root;
    struct bt_rec r = {0};
    if ((err = space_info(db, NULL, NULL, &root)) < 0) return err;
    err = bt_find(db, root, NULL, 0, BT_FIRST, &r, 1);
    while (err >= 0) {
        struct tabledef *td;
        if ((err = decode(db, r.val, r.vlen, &td)) < 0) break;
        fn(td->name, td->root, ctx);
        tabledef_free(td);
        uint8_t key[BT_KEY_MAX];
        uint32_t klen = r.klen;
        memcpy(key, r.key, klen);
        err = bt_find(db, root, key, klen, BT_GT, &r, 1);
    }
    bt_rec_free(&r);
    return err == JET_errRecordNotFound ? JET_errSuccess : err;
}

void cat_free_all(struct db *db)
{
    pthread_mutex_lock(&db->inst->mu);
    struct tabledef *t = db->tables;
    db->tables = NULL;
    pthread_mutex_unlock(&db->inst->mu);
    while (t) {
        struct tabledef *next = t->next;
        pthread_mutex_lock(&t->mu);
        t->deleted = 1;
        int gone = t->refs == 0;
        pthread_mutex_unlock(&t->mu);
        if (gone) tabledef_free(t);
        t = next;
    }
}

const struct coldef *tabledef_col(const struct tabledef *td, JET_COLUMNID id)
{
    unsigned n = atomic_load_explicit(&((struct tabledef *)td)->ncols, memory_order_acquire);
    for (unsigned i = 0; i < n; i++)
        if (td->cols[i]->id == id) return td->cols[i];
    return NULL;
}

const struct coldef *tabledef_col_named(const struct tabledef *td, const char *name)
{
    unsigned n = atomic_load_explicit(&((struct tabledef *)td)->ncols, memory_order_acquire);
    for (unsigned i = 0; i < n; i++)
        if (strcasecmp(td->cols[i]->name, name) == 0) return td->cols[i];
    return NULL;
}
