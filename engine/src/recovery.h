/*
 * recovery.h — soft recovery at JetInit and the log-chain walk shared with hard recovery.
 *
 * Soft recovery replays the log from the checkpoint to the last valid record, then leaves every
 * database it touched consistent, in clean-shutdown state and detached (the application attaches
 * them again, as with ESE), writes LR_TERM so an incomplete transaction at the old end can never
 * be joined to a later one, starts a new generation when the old end was torn, and writes a new
 * checkpoint. Errors: JET_errCheckpointCorrupt, JET_errBadCheckpointSignature,
 * JET_errMissingLogFile (a generation between the checkpoint and the end is missing),
 * JET_errBadLogSignature (a generation of another log set), JET_errInvalidLogSequence (a
 * generation that does not chain to the previous one), JET_errLogFileCorrupt (an archived
 * generation damaged before its end), JET_errFileNotFound (a database the log needs is gone),
 * JET_errDatabaseCorrupted, I/O errors.
 */
#ifndef JET_RECOVERY_H
#define JET_RECOVERY_H

#include "inst.h"
#include "redo.h"

/* Runs soft recovery (or sets up a fresh log set) and opens inst->log. *ckpt_seq gets the
 * checkpoint sequence to continue from. */
JET_ERR recovery_soft(struct inst *inst, uint64_t *ckpt_seq);

/* Flushes and fsyncs every database in inst->dbs, marks each clean at position end, writes its
 * header and detaches it (recovery's end). */
JET_ERR recovery_close_databases(struct inst *inst, lgpos_t end, int clear_backup_copy);

#endif
