/*
 * keylock.c — the key lock table: a chained hash guarded by one mutex, grown as locks accumulate
 * (a large transaction holds one lock per key it writes). Each lock is one allocation from its
 * session's transaction arena (session.h), linked both into its bucket and into its session's list
 * (struct lockref is the session's view of it), so release is proportional to what the session
 * locked, and frees nothing itself: the session resets its arena after keylock_release_all.
 */
#include "keylock.h"

#include <stdlib.h>
#include <string.h>

#include "crc32c.h"

#define NBUCKETS_MIN 1024

struct klock {
    struct klock *hnext;  /* bucket chain */
    struct klock *onext;  /* the owning session's list */
    struct session *owner;
    uint32_t hash, dbid, objid, klen;
    uint8_t key[];
};

/* The session's list head is declared as struct lockref *; it points at klocks. */
struct lockref;

struct keylocks {
    pthread_mutex_t mu;
    struct klock **b;
    size_t nb, count;
};

JET_ERR keylock_new(struct keylocks **out)
{
    struct keylocks *k = calloc(1, sizeof *k);
    if (!k) return JET_errOutOfMemory;
    k->b = calloc(NBUCKETS_MIN, sizeof *k->b);
    if (!k->b) {
        free(k);
        return JET_errOutOfMemory;
    }
    k->nb = NBUCKETS_MIN;
    pthread_mutex_init(&k->mu, NULL);
    *out = k;
    return JET_errSuccess;
}

void keylock_free(struct keylocks *k)
{
    if (!k) return;
    /* Locks still linked (none once every session ended) belong to their sessions' arenas. */
    free(k->b);
    pthread_mutex_destroy(&k->mu);
    free(k);
}

static uint32_t hash_of(uint32_t dbid, uint32_t objid, const uint8_t *key, uint32_t klen)
{
    return crc32c(dbid * 2654435761u ^ objid, key, klen);
}

/* Doubles the bucket array when locks outnumber buckets two to one (mu held). */
static void grow(struct keylocks *k)
{
    size_t nb = k->nb * 2;
    struct klock **b = calloc(nb, sizeof *b);
    if (!b) return; /* keep the chains longer rather than fail */
    for (size_t i = 0; i < k->nb; i++)
        while (k->b[i]) {
            struct klock *l = k->b[i];
            k->b[i] = l->hnext;
            l->hnext = b[l->hash % nb];
            b[l->hash % nb] = l;
        }
    free(k->b);
    k->b = b;
    k->nb = nb;
}

JET_ERR keylock_acquire(struct keylocks *k, struct session *s, uint32_t dbid, uint32_t objid,
                        const uint8_t *key, uint32_t klen)
{
    uint32_t h = hash_of(dbid, objid, key, klen);
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&k->mu);
    for (struct klock *l = k->b[h % k->nb]; l; l = l->hnext) {
        if (l->hash == h && l->dbid == dbid && l->objid == objid && l->klen == klen &&
            !memcmp(l->key, key, klen)) {
            err = l->owner == s ? JET_errSuccess : JET_errWriteConflict;
            goto out;
        }
    }
    struct klock *l = arena_alloc(&s->txn_mem, sizeof *l + klen);
    if (!l) {
        err = JET_errOutOfMemory;
        goto out;
    }
    l->owner = s;
    l->hash = h;
    l->dbid = dbid;
    l->objid = objid;
    l->klen = klen;
    memcpy(l->key, key, klen);
    l->hnext = k->b[h % k->nb];
    k->b[h % k->nb] = l;
    l->onext = (struct klock *)s->locks;
    s->locks = (struct lockref *)l;
    if (++k->count > 2 * k->nb) grow(k);
out:
    pthread_mutex_unlock(&k->mu);
    return err;
}

void keylock_release_all(struct keylocks *k, struct session *s)
{
    if (!s->locks) return;
    pthread_mutex_lock(&k->mu);
    struct klock *l = (struct klock *)s->locks;
    while (l) {
        struct klock *next = l->onext;
        struct klock **pp = &k->b[l->hash % k->nb];
        while (*pp && *pp != l) pp = &(*pp)->hnext;
        if (*pp) *pp = l->hnext;
        k->count--;
        l = next;
    }
    s->locks = NULL;
    pthread_mutex_unlock(&k->mu);
}
