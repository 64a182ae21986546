/*
 * handle.h — opaque, checkable handles for sessions and table cursors.
 * A handle is (generation << 32 | slot + 1): a stale or made-up value is rejected instead of being
 * dereferenced. Thread-safe: each table is guarded by the mutex it was initialised with, which
 * several tables may share (so one lock covers a lookup in each).
 */
#ifndef JET_HANDLE_H
#define JET_HANDLE_H

#include <pthread.h>
#include <stdint.h>

struct htable {
    pthread_mutex_t *mu; /* guards the fields below */
    void **obj;
    uint32_t *gen;
    uint32_t n, cap;
    uint32_t free_head; /* slot + 1 of the first free slot, 0 none (linked through gen's high bit) */
    uint32_t *next_free;
};

#define HTABLE_INIT(mutex) {(mutex), 0, 0, 0, 0, 0, 0}

/* Registers obj; 0 on out-of-memory. */
uint64_t ht_add(struct htable *t, void *obj);
/* The object for a handle, or NULL. */
void *ht_get(struct htable *t, uint64_t h);
/* The same with *t->mu already held by the caller (to act on the object before it can be
 * removed). */
void *ht_get_locked(struct htable *t, uint64_t h);
void ht_remove(struct htable *t, uint64_t h);

#endif
