/*
 * event.h — the engine's events: ESE's event ids, delivered to the host's callback
 * (JetXSetEventCallback) with instance, time, level, category, message and backup id.
 */
#ifndef JET_EVENT_H
#define JET_EVENT_H

#include <stdint.h>

#include "jet.h"

struct inst;

enum event_id {
    EV_RESTORE_BEGIN = 204,        /* hard recovery starts */
    EV_RESTORE_END = 205,          /* hard recovery ended successfully */
    EV_MISSING_FULL_BACKUP = 206,  /* incremental refused: a database has no full backup */
    EV_BACKUP_FULL_BEGIN = 210,
    EV_BACKUP_INC_BEGIN = 211,
    EV_BACKUP_DONE = 213,
    EV_BACKUP_ERROR = 214,         /* the backup ended early because of an error */
    EV_BACKUP_ABORT_CALLER = 215,
    EV_BACKUP_DB_FAILED = 217,     /* a database page failed verification during backup */
    EV_BACKUP_LOG_FAILED = 218,    /* a log failed verification during backup */
    EV_BACKUP_TRUNCATE_FAILED = 219,
    EV_BACKUP_FILE_OPEN = 220,
    EV_BACKUP_FILE_DONE = 221,
    EV_BACKUP_FILE_PARTIAL = 222,
    EV_BACKUP_LOGS = 223,
    EV_TRUNCATE = 224,
    EV_TRUNCATE_NOTHING = 225,
    EV_BACKUP_ABORT_SERVER = 226,
    EV_TRUNCATE_MISSING = 227,
    EV_RESTORE_DB_TRAILER = 430,     /* a database copy does not match its trailer / the log set */
    EV_RESTORE_START_TOO_HIGH = 431, /* the first generation given is after the copy's first */
    EV_RESTORE_END_TOO_LOW = 432,    /* the last generation given is before the copy's last */
    EV_RESTORE_LOG_SIGNATURE = 433,  /* a backup log has another log set's signature */
    EV_RESTORE_LOG_SEQUENCE = 434,   /* a backup log does not follow the previous one */
    EV_RESTORE_LOG_MISSING = 435,    /* a backup log is missing */
    EV_RESTORE_LATER_MISSING = 450,  /* a gap before the current log in the log path */
    EV_RESTORE_LATER_SIGNATURE = 457, /* a later log in the log path has another signature */
    EV_RESTORE_LATER_SEQUENCE = 458,  /* a later log in the log path is out of sequence */
    EV_RESTORE_FAILED = 454,
    EV_MISSING_FILE_TO_BACKUP = 459,
    EV_PAGE_CHECKSUM = 474,        /* a page failed verification on read */
    EV_READ_FAILURE = 481,         /* a read of a backup file failed with an I/O error */
    EV_BACKUP_NOT_ALLOWED = 493,
    EV_LOG_NOT_COPIED = 520,
    EV_RESTORE_DB_STATE = 619,     /* a restored database's state after recovery */
    EV_RECOVERY_BEGIN = 300,
    EV_RECOVERY_END = 301,
    EV_INSTANCE_FATAL = 412,       /* the log could not be written: instance unavailable */
};

/* Events are never delivered while the raising thread may hold engine locks: between
 * event_hold() and the matching event_release() (every API call's entry and exit, background
 * threads' work) they are queued on the raising thread and delivered, in order, by the outermost
 * event_release(). Outside a hold they are delivered at once. */
void event_hold(void);
void event_release(void);

/* Formats and delivers (or queues) an event. Safe to call with engine locks held: the callback must not call
 * back into calls that take those locks (documented in jet.h). */
void event_log(struct inst *inst, unsigned id, int level, uint64_t backup_id, JET_ERR err,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Same, with an instance name instead of an instance (restore has none yet). */
void event_log_named(const char *inst_name, unsigned id, int level, uint64_t backup_id, JET_ERR err,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
