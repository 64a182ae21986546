/*
 * backup.h — the external backup state machine of an instance (the JetBeginExternalBackup family
 * and JetXReadFileAt). Internal interface used by the instance lifecycle.
 */
#ifndef JET_BACKUP_H
#define JET_BACKUP_H

#include "inst.h"

JET_ERR bk_init(struct inst *inst);
void bk_free(struct inst *inst);
/* 1 while a backup runs. */
int bk_active(struct inst *inst);
/* Ends a running backup as aborted by the server (JetTerm2 with StopBackup or Abrupt). */
void bk_abort_by_server(struct inst *inst);

#endif
