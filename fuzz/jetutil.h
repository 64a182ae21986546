/*
 * jetutil.h — the commands of engine/tools/jetutil (header-only modules) callable from a harness:
 * the offline readers of database files, log generations, checkpoints and backup sets.
 */
#ifndef HOTCOPY_FUZZ_JETUTIL_H
#define HOTCOPY_FUZZ_JETUTIL_H

enum fz_jetutil_cmd { FZ_JU_HEADER, FZ_JU_LOG, FZ_JU_LOG_RECORDS, FZ_JU_CHECKPOINT, FZ_JU_VERIFY, FZ_JU_VERIFY_BACKUP };

/* Runs one command on path with its output (text or JSON) discarded; returns its exit status
 * (0 no problem, 1 problems). */
int fz_jetutil(enum fz_jetutil_cmd cmd, const char *path, int json);

#endif
