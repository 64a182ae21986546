/*
 * keylock.h — instance-wide write locks on record keys, held by a transaction from its first
 * write of a key to its outermost commit or rollback. A second transaction writing the same key
 * gets JET_errWriteConflict (ESE's answer), so a committed batch never meets a conflicting one.
 */
#ifndef JET_KEYLOCK_H
#define JET_KEYLOCK_H

#include "session.h"

JET_ERR keylock_new(struct keylocks **out);
void keylock_free(struct keylocks *k);
/* Success when the key is free or already the session's; JET_errWriteConflict otherwise. A new
 * lock is allocated from s->txn_mem, which must outlive it (up to keylock_release_all). */
JET_ERR keylock_acquire(struct keylocks *k, struct session *s, uint32_t dbid, uint32_t objid,
                        const uint8_t *key, uint32_t klen);
void keylock_release_all(struct keylocks *k, struct session *s);

#endif
