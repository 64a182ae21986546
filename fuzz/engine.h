/*
 * engine.h — libjet fixtures for the engine harnesses: an instance in a scratch directory, a
 * template database with a table of records (small values and long values), and one pass over a
 * database through the public API (attach, read every record, write, delete, detach) using the
 * server's record layer (server/records.h), the code the appliance itself reads tables with.
 */
#ifndef HOTCOPY_FUZZ_ENGINE_H
#define HOTCOPY_FUZZ_ENGINE_H

#include "image.h"

#include "jet.h"

#define FZ_TABLE "t"

/* JetCreateInstance (a name unique in the process) + paths in dir, 64 KiB logs, 4 KiB pages, then
 * JetInit. On failure the instance is freed and *inst is 0. */
JET_ERR fz_jet_start(const char *dir, JET_INSTANCE *inst);
/* JetTerm (abrupt when the instance is unusable); 0 is ignored. */
void fz_jet_stop(JET_INSTANCE inst);

/* A database at path with table FZ_TABLE: records "k00000".. with values of many sizes, a few
 * long values and a few deletions, shut down cleanly. *sig: its database signature. The instance
 * files go to dir. Aborts on failure (a fixture bug, not a finding). */
void fz_jet_template(const char *dir, const char *path, struct signature *sig);

/* Attaches path to inst, reads and writes table FZ_TABLE through the record layer, detaches.
 * Every engine error is an acceptable answer; only crashes, hangs and sanitizer reports count. */
void fz_jet_exercise(JET_INSTANCE inst, const char *path);

/* Writes data as one seed file dir/name (for the FUZZ_WRITE_SEEDS mode of the harnesses). */
void fz_seed(const char *dir, const char *name, const void *data, size_t len);

#endif
