/*
 * arena.h — a bump allocator for memory that lives exactly as long as something else: the
 * allocations are never freed one by one, arena_reset drops them all at once (keeping some
 * chunks for the next use) and arena_free returns everything.
 *
 * A session's open transaction takes its write-set entries, their values and its key locks
 * from one (session.h), so a transaction of n writes costs a few chunk allocations instead of
 * 3n malloc/free pairs. Not thread-safe: its owner serialises the calls.
 */
#ifndef JET_ARENA_H
#define JET_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *cur; /* the chunk being filled; earlier ones follow its prev links */
    struct arena_chunk *spare; /* chunks kept by arena_reset for reuse */
};

#define ARENA_INIT {NULL, NULL}

/* n bytes aligned to 8, or NULL when out of memory. Valid until the next reset or free. */
void *arena_alloc(struct arena *a, size_t n);
/* Drops every allocation; keeps up to ARENA_KEEP bytes of chunks for reuse. */
void arena_reset(struct arena *a);
/* Drops every allocation and returns all memory. */
void arena_free(struct arena *a);

#endif
