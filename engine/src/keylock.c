/*
 * keylock.c — the key lock table: a chained hash guarded by one mutex; each session keeps the
 * list of its locks (struct lockref) so release is proportional to what it locked.
 */
#include "keylock.h"

#include <stdlib.h>
#include <string.h>

#include "crc32c.h"

#define NBUCKETS 4096

struct klock {
    struct klock *next;
    struct session *owner;
    uint32_t dbid, objid, klen;
    uint8_t key[];
};

struct lockref {
    struct lockref *next;
    struct klock *lk;
};

struct keylocks {
    pthread_mutex_t mu;
    struct klock *b[NBUCKETS];
};

JET_ERR keylock_new(struct keylocks **out)
{
    struct keylocks *k = calloc(1, sizeof *k);
    if (!k) return JET_errOutOfMemory;
    pthread_mutex_init(&k->mu, NULL);
    *out = k;
    return JET_errSuccess;
}

void keylock_free(struct keylocks *k)
{
    if (!k) return;
    for (size_t i = 0; i < NBUCKETS; i++)
        while (k->b[i]) {
            struct klock *n = k->b[i]->next;
            free(k->b[i]);
            k->b[i] = n;
        }
    pthread_mutex_destroy(&k->mu);
    free(k);
}

static size_t bucket(uint32_t dbid, uint32_t objid, const uint8_t *key, uint32_t klen)
{
    uint32_t h = crc32c(dbid * 2654435761u ^ objid, key, klen);
    return h % NBUCKETS;
}

JET_ERR keylock_acquire(struct keylocks *k, struct session *s, uint32_t dbid, uint32_t objid,
                        const uint8_t *key, uint32_t klen)
{
    size_t b = bucket(dbid, objid, key, klen);
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&k->mu);
    for (struct klock *l = k->b[b]; l; l = l->next) {
        if (l->dbid == dbid && l->objid == objid && l->klen == klen && !memcmp(l->key, key, klen)) {
            err = l->owner == s ? JET_errSuccess : JET_errWriteConflict;
            goto out;
        }
    }
    struct klock *l = malloc(sizeof *l + klen);
    struct lockref *r = malloc(sizeof *r);
    if (!l || !r) {
        free(l);
        free(r);
        err = JET_errOutOfMemory;
        goto out;
    }
    l->owner = s;
    l->dbid = dbid;
    l->objid = objid;
    l->klen = klen;
    memcpy(l->key, key, klen);
    l->next = k->b[b];
    k->b[b] = l;
    r->lk = l;
    r->next = s->locks;
    s->locks = r;
out:
    pthread_mutex_unlock(&k->mu);
    return err;
}

void keylock_release_all(struct keylocks *k, struct session *s)
{
    if (!s->locks) return;
    pthread_mutex_lock(&k->mu);
    while (s->locks) {
        struct lockref *r = s->locks;
        struct klock *l = r->lk;
        struct klock **pp = &k->b[bucket(l->dbid, l->objid, l->key, l->klen)];
        while (*pp && *pp != l) pp = &(*pp)->next;
        if (*pp) *pp = l->next;
        free(l);
        s->locks = r->next;
        free(r);
    }
    pthread_mutex_unlock(&k->mu);
}
