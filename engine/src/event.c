/*
 * event.c — formats engine events and hands them to the host's callback.
 * The registration (callback + context) is process-wide, like ESE's event log source; it is read
 * under a rwlock so registration can change while events are delivered.
 */
#include "event.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "inst.h"

static pthread_rwlock_t cb_lock = PTHREAD_RWLOCK_INITIALIZER;
static JET_PFNXEVENT cb_fn;
static void *cb_ctx;

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
    pthread_rwlock_rdlock(&cb_lock);
    if (cb_fn) cb_fn(&ev, cb_ctx);
    pthread_rwlock_unlock(&cb_lock);
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
