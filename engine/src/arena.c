/*
 * arena.c — chunked bump allocation (contract in arena.h). Chunks are ARENA_CHUNK bytes, or
 * larger for an allocation that does not fit one; a reset keeps standard-size chunks, up to
 * ARENA_KEEP bytes, on a spare list and frees the rest.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>

/* Under AddressSanitizer the unused and dropped parts of chunks are poisoned, so a use after
 * arena_reset is caught as a use after free would be. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_CHUNK (64u * 1024u)
#define ARENA_KEEP (256u * 1024u)
#define ARENA_ALIGN 8u

struct arena_chunk {
    struct arena_chunk *prev;
    size_t used, cap; /* bytes of data[] */
    unsigned char data[]; /* at offset 24: 8-aligned, as malloc's result is */
};

static struct arena_chunk *chunk_new(struct arena *a, size_t need)
{
    struct arena_chunk *c;
    if (need <= ARENA_CHUNK && a->spare) {
        c = a->spare;
        a->spare = c->prev;
    } else {
        size_t cap = need <= ARENA_CHUNK ? ARENA_CHUNK : need;
        c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->cap = cap;
        POISON(c->data, cap);
    }
    c->used = 0;
    c->prev = a->cur;
    a->cur = c;
    return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n) return NULL; /* overflow */
    struct arena_chunk *c = a->cur;
    if (!c || c->cap - c->used < need) {
        c = chunk_new(a, need);
        if (!c) return NULL;
    }
    void *p = c->data + c->used;
    c->used += need;
    UNPOISON(p, n);
    return p;
}

void arena_reset(struct arena *a)
{
    size_t kept = 0;
    for (struct arena_chunk *s = a->spare; s; s = s->prev) kept += s->cap;
    while (a->cur) {
        struct arena_chunk *c = a->cur;
        a->cur = c->prev;
        if (c->cap == ARENA_CHUNK && kept + c->cap <= ARENA_KEEP) {
            POISON(c->data, c->cap);
            c->prev = a->spare;
            a->spare = c;
            kept += c->cap;
        } else {
            UNPOISON(c->data, c->cap);
            free(c);
        }
    }
}

void arena_free(struct arena *a)
{
    arena_reset(a);
    while (a->spare) {
        struct arena_chunk *c = a->spare;
        a->spare = c->prev;
        UNPOISON(c->data, c->cap);
        free(c);
    }
}
