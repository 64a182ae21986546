/*
 * session.c — JetBeginSession / JetEndSession and the handle tables of sessions and cursors
 * (process-wide, like the instance table; handle.h explains the checks).
 *
 * A call finds its session and passes the instance's entry gate with the handle tables' mutex
 * held (ses_enter, cur_enter, JetEndSession), and a session leaves its table before it is freed:
 * so a call racing with JetTerm (which frees every session) either enters before the term
 * (which then waits for it) or finds the session gone or the term under way, and never reads
 * a freed session. One mutex (handles_mu) guards both tables, so cur_enter finds the session
 * and the cursor under a single lock. Lock order: handles_mu, then inst->mu.
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "handle.h"
#include "keylock.h"
#include "record.h"

static pthread_mutex_t handles_mu = PTHREAD_MUTEX_INITIALIZER;
static struct htable sessions = HTABLE_INIT(&handles_mu);
static struct htable cursors = HTABLE_INIT(&handles_mu);

JET_ERR session_from(JET_SESID sesid, struct session **out)
{
    if (sesid == 0 || sesid == JET_sesidNil) return JET_errInvalidSesid;
    struct session *s = ht_get(&sessions, sesid);
    if (!s) return JET_errInvalidSesid;
    *out = s;
    return JET_errSuccess;
}

JET_ERR cursor_from(JET_SESID sesid, JET_TABLEID tableid, struct session **ses, struct cursor **cur)
{
    JET_ERR err = session_from(sesid, ses);
    if (err < 0) return err;
    if (tableid == 0 || tableid == JET_tableidNil) return JET_errInvalidTableId;
    struct cursor *c = ht_get(&cursors, tableid);
    if (!c || c->ses != *ses) return JET_errInvalidTableId;
    *cur = c;
    return JET_errSuccess;
}

JET_ERR cursor_register(struct cursor *c)
{
    c->handle = ht_add(&cursors, c);
    return c->handle ? JET_errSuccess : JET_errOutOfMemory;
}

void cursor_free(struct cursor *c)
{
    ht_remove(&cursors, c->handle);
    rec_free(&c->copy);
    bt_rec_free(&c->cur);
    tabledef_release(c->td);
    free(c);
}

void session_close_cursors(struct session *s)
{
    while (s->cursors) {
        struct cursor *c = s->cursors;
        s->cursors = c->next;
        cursor_free(c);
    }
}

static void session_free(struct session *s)
{
    struct inst *inst = s->inst;
    ht_remove(&sessions, s->handle); /* first: no call can find it any more */
    txn_rollback(s, 1);
    session_close_cursors(s);
    pthread_mutex_lock(&inst->mu);
    for (uint32_t id = 1; id <= DB_MAX; id++)
        if (s->opendb[id] && inst->dbs[id]) inst->dbs[id]->open_count--;
    if (s->prev)
        s->prev->next = s->next;
    else
        inst->sessions = s->next;
    if (s->next) s->next->prev = s->prev;
    inst->nsessions--;
    pthread_mutex_unlock(&inst->mu);
    arena_free(&s->txn_mem);
    free(s);
}

void session_end_all(struct inst *inst)
{
    for (;;) {
        pthread_mutex_lock(&inst->mu);
        struct session *s = inst->sessions;
        pthread_mutex_unlock(&inst->mu);
        if (!s) break;
        session_free(s);
    }
}

JET_ERR JET_API JetBeginSession(JET_INSTANCE instance, JET_SESID *psesid, JET_PCSTR szUserName,
                                JET_PCSTR szPassword)
{
    struct inst *inst;
    if (!psesid) return JET_errInvalidParameter;
    JET_ERR err = inst_enter(instance, &inst);
    if (err < 0) return err;
    struct session *s = calloc(1, sizeof *s);
    if (!s) {
        err = JET_errOutOfMemory;
        goto out;
    }
    s->inst = inst;
    pthread_mutex_lock(&inst->mu);
    if ((uint32_t)inst->nsessions >= inst->params.max_sessions) {
        pthread_mutex_unlock(&inst->mu);
        free(s);
        err = JET_errOutOfSessions;
        goto out;
    }
    s->next = inst->sessions;
    if (s->next) s->next->prev = s;
    inst->sessions = s;
    inst->nsessions++;
    pthread_mutex_unlock(&inst->mu);
    s->handle = ht_add(&sessions, s);
    if (!s->handle) {
        session_free(s);
        err = JET_errOutOfMemory;
        goto out;
    }
    *psesid = s->handle;
out:
    inst_leave(inst);
    return err;
}

/* The session of a handle, with handles_mu held by the caller. */
static struct session *session_locked(JET_SESID sesid)
{
    if (sesid == 0 || sesid == JET_sesidNil) return NULL;
    return ht_get_locked(&sessions, sesid);
}

JET_ERR JET_API JetEndSession(JET_SESID sesid, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&handles_mu);
    struct session *s = session_locked(sesid);
    struct inst *inst = s ? s->inst : NULL;
    if (!s) {
        err = JET_errInvalidSesid;
    } else {
        pthread_mutex_lock(&inst->mu);
        if (inst->terminating)
            err = JET_errTermInProgress;
        else
            atomic_fetch_add(&inst->active, 1);
        pthread_mutex_unlock(&inst->mu);
    }
    pthread_mutex_unlock(&handles_mu);
    if (err < 0) return err;
    event_hold(); /* inst_leave releases it */
    session_free(s);
    inst_leave(inst);
    return JET_errSuccess;
}

JET_ERR ses_enter(JET_SESID sesid, struct session **s)
{
    pthread_mutex_lock(&handles_mu);
    *s = session_locked(sesid);
    JET_ERR err = *s ? inst_enter_known((*s)->inst) : JET_errInvalidSesid;
    pthread_mutex_unlock(&handles_mu);
    return err;
}

JET_ERR cur_enter(JET_SESID sesid, JET_TABLEID tableid, struct session **s, struct cursor **c)
{
    JET_ERR err;
    pthread_mutex_lock(&handles_mu);
    *s = session_locked(sesid);
    if (!*s) {
        err = JET_errInvalidSesid;
    } else if (tableid == 0 || tableid == JET_tableidNil || !(*c = ht_get_locked(&cursors, tableid)) ||
               (*c)->ses != *s) {
        err = JET_errInvalidTableId;
    } else {
        err = inst_enter_known((*s)->inst);
    }
    pthread_mutex_unlock(&handles_mu);
    return err;
}
