/*
 * handle.c — generation-checked handle tables (see handle.h).
 */
#include "handle.h"

#include <stdlib.h>

uint64_t ht_add(struct htable *t, void *obj)
{
    uint64_t h = 0;
    pthread_mutex_lock(t->mu);
    uint32_t slot;
    if (t->free_head) {
        slot = t->free_head - 1;
        t->free_head = t->next_free[slot];
    } else {
        if (t->n == t->cap) {
            uint32_t cap = t->cap ? t->cap * 2 : 64;
            void **o = realloc(t->obj, cap * sizeof *o);
            if (o) t->obj = o;
            uint32_t *g = realloc(t->gen, cap * sizeof *g);
            if (g) t->gen = g;
            uint32_t *nf = realloc(t->next_free, cap * sizeof *nf);
            if (nf) t->next_free = nf;
            if (!o || !g || !nf) goto out;
            for (uint32_t i = t->cap; i < cap; i++) t->gen[i] = 1;
            t->cap = cap;
        }
        slot = t->n++;
    }
    t->obj[slot] = obj;
    h = ((uint64_t)t->gen[slot] << 32) | (slot + 1);
out:
    pthread_mutex_unlock(t->mu);
    return h;
}

void *ht_get_locked(struct htable *t, uint64_t h)
{
    uint32_t slot = (uint32_t)h, gen = (uint32_t)(h >> 32);
    if (!slot || slot > t->n || t->gen[slot - 1] != gen) return NULL;
    return t->obj[slot - 1];
}

void *ht_get(struct htable *t, uint64_t h)
{
    pthread_mutex_lock(t->mu);
    void *o = ht_get_locked(t, h);
    pthread_mutex_unlock(t->mu);
    return o;
}

void ht_remove(struct htable *t, uint64_t h)
{
    uint32_t slot = (uint32_t)h, gen = (uint32_t)(h >> 32);
    pthread_mutex_lock(t->mu);
    if (slot && slot <= t->n && t->gen[slot - 1] == gen && t->obj[slot - 1]) {
        t->obj[slot - 1] = NULL;
        t->gen[slot - 1]++;
        if (t->gen[slot - 1] == 0) t->gen[slot - 1] = 1;
        t->next_free[slot - 1] = t->free_head;
        t->free_head = slot;
    }
    pthread_mutex_unlock(t->mu);
}
