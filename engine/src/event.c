/*
 * event.c — formats engine events and hands them to the host's callback.
 * The registration (callback + context) is process-wide, like ESE's event log source; it is read
 * under a rwlock so registration can change while events are delivered.
 */
#include "event.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "inst.h"

static pthread_rwlock_t cb_lock = PTHREAD_RWLOCK_INITIALIZER;
static JET_PFNXEVENT cb_fn;
static void *cb_ctx;

/* Events raised by this thread while it is inside the engine (see event.h). */
struct pending {
    JET_XEVENT ev;
    char inst[INST_NAME_MAX];
    char msg[1024];
};
static _Thread_local struct {
    int depth;
    struct pending *q;
    size_t n, cap;
} tl;

static void call_back(const JET_XEVENT *ev)
{
    pthread_rwlock_rdlock(&cb_lock);
    if (cb_fn) cb_fn(ev, cb_ctx);
    pthread_rwlock_unlock(&cb_lock);
}

void event_hold(void) { tl.depth++; }

void event_release(void)
{
    if (--tl.depth > 0) return;
    tl.depth = 0;
    /* Take the queue first: a callback may call into the engine, which holds and releases again
     * (and may raise events of its own: they form a new queue). */
    while (tl.n) {
        struct pending *q = tl.q;
        size_t n = tl.n;
        tl.q = NULL;
        tl.n = tl.cap = 0;
        for (size_t i = 0; i < n; i++) {
            q[i].ev.szInstance = q[i].inst;
            q[i].ev.szMessage = q[i].msg;
            call_back(&q[i].ev);
        }
        free(q);
    }
}

JET_ERR JetXSetEventCallback(JET_PFNXEVENT pfn, void *pvContext)
{
    pthread_rwlock_wrlock(&cb_lock);
    cb_fn = pfn;
    cb_ctx = pvContext;
    pthread_rwlock_unlock(&cb_lock);
    return JET_errSuccess;
}

static void deliver(const char *name, unsigned id, int level, uint64_t backup_id, JET_ERR err,
                    const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    JET_XEVENT ev = {
        .ulEventId = id,
        .level = (unsigned long)level,
        .szInstance = name ? name : "",
        .szCategory = "Logging/Recovery",
        .szMessage = msg,
        .ullBackupId = backup_id,
        .llTimeMicros = os_now_us(),
        .err = err,
    };
    if (tl.depth == 0) {
        call_back(&ev);
        return;
    }
    if (tl.n == tl.cap) {
        size_t cap = tl.cap ? tl.cap * 2 : 8;
        struct pending *q = realloc(tl.q, cap * sizeof *q);
        if (!q) return; /* out of memory: the event is dropped rather than delivered under locks */
        tl.q = q;
        tl.cap = cap;
    }
    struct pending *p = &tl.q[tl.n++];
    p->ev = ev;
    snprintf(p->inst, sizeof p->inst, "%s", ev.szInstance);
    snprintf(p->msg, sizeof p->msg, "%s", msg);
}

void event_log(struct inst *inst, unsigned id, int level, uint64_t backup_id, JET_ERR err,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    deliver(inst ? inst->name : "", id, level, backup_id, err, fmt, ap);
    va_end(ap);
}

void event_log_named(const char *inst_name, unsigned id, int level, uint64_t backup_id, JET_ERR err,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    deliver(inst_name, id, level, backup_id, err, fmt, ap);
    va_end(ap);
}
