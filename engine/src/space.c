/*
 * space.c — the free list and file extent of a database (format in space.h).
 */
#include "space.h"

#include "codec.h"
#include "page.h"

#define SP_PAGE_COUNT 32
#define SP_FREE_HEAD 36
#define SP_FREE_COUNT 40
#define SP_CATALOG 44
#define SP_NEXT_OBJID 48

JET_ERR space_format(struct mtr *m, struct db *db)
{
    JET_ERR err;
    struct frame *sp, *cat;
    uint32_t pgsz = m->inst->params.page_size;
    Call(mtr_new(m, db, PGNO_SPACE, &sp));
    page_init(sp->data, pgsz, PGNO_SPACE, PAGE_SPACE, 0);
    put_u32(sp->data + SP_PAGE_COUNT, PGNO_FIRST_FREE);
    put_u32(sp->data + SP_FREE_HEAD, 0);
    put_u32(sp->data + SP_FREE_COUNT, 0);
    put_u32(sp->data + SP_CATALOG, PGNO_CATALOG);
    put_u32(sp->data + SP_NEXT_OBJID, 1);
    Call(mtr_new(m, db, PGNO_CATALOG, &cat));
    page_init(cat->data, pgsz, PGNO_CATALOG, PAGE_LEAF, 0);
HandleError:
    return err;
}

static JET_ERR space_page(struct mtr *m, struct db *db, struct frame **sp)
{
    JET_ERR err;
    Call(mtr_get(m, db, PGNO_SPACE, sp));
    if (page_type((*sp)->data) != PAGE_SPACE) Error(JET_errDatabaseCorrupted);
    Call(mtr_write(m, db, *sp));
HandleError:
    return err;
}

JET_ERR space_alloc(struct mtr *m, struct db *db, struct frame **out)
{
    JET_ERR err;
    struct frame *sp, *fr;
    Call(space_page(m, db, &sp));
    uint32_t head = get_u32(sp->data + SP_FREE_HEAD);
    uint32_t count = get_u32(sp->data + SP_PAGE_COUNT);
    if (head) {
        /* Reuse the free list's head: keep its content as the before-image (an abort puts it
         * back), then it becomes a new page. */
        Call(mtr_get(m, db, head, &fr));
        if (page_type(fr->data) != PAGE_FREE) Error(JET_errDatabaseCorrupted);
        put_u32(sp->data + SP_FREE_HEAD, page_next(fr->data));
        put_u32(sp->data + SP_FREE_COUNT, get_u32(sp->data + SP_FREE_COUNT) - 1);
        Call(mtr_renew(m, db, fr));
    } else {
        if (count == UINT32_MAX) Error(JET_errOutOfDatabaseSpace);
        put_u32(sp->data + SP_PAGE_COUNT, count + 1);
        Call(mtr_new(m, db, count, &fr));
    }
    *out = fr;
HandleError:
    return err;
}

JET_ERR space_free(struct mtr *m, struct db *db, struct frame *fr)
{
    JET_ERR err;
    struct frame *sp;
    Call(space_page(m, db, &sp));
    Call(mtr_write(m, db, fr));
    page_init(fr->data, m->inst->params.page_size, fr->pgno, PAGE_FREE, 0);
    page_set_next(fr->data, get_u32(sp->data + SP_FREE_HEAD));
    put_u32(sp->data + SP_FREE_HEAD, fr->pgno);
    put_u32(sp->data + SP_FREE_COUNT, get_u32(sp->data + SP_FREE_COUNT) + 1);
HandleError:
    return err;
}

JET_ERR space_info(struct db *db, uint32_t *page_count, uint32_t *free_count, uint32_t *catalog_root)
{
    struct frame *sp;
    JET_ERR err = cache_get(db->inst->cache, db, PGNO_SPACE, CG_READ, &sp);
    if (err < 0) return err;
    if (page_type(sp->data) != PAGE_SPACE) {
        err = JET_errDatabaseCorrupted;
    } else {
        if (page_count) *page_count = get_u32(sp->data + SP_PAGE_COUNT);
        if (free_count) *free_count = get_u32(sp->data + SP_FREE_COUNT);
        if (catalog_root) *catalog_root = get_u32(sp->data + SP_CATALOG);
    }
    cache_put(db->inst->cache, sp);
    return err;
}

JET_ERR space_next_objid(struct mtr *m, struct db *db, uint32_t *objid)
{
    JET_ERR err;
    struct frame *sp;
    Call(space_page(m, db, &sp));
    *objid = get_u32(sp->data + SP_NEXT_OBJID);
    put_u32(sp->data + SP_NEXT_OBJID, *objid + 1);
HandleError:
    return err;
}
