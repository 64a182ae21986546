/*
 * stream.h — reading a running backup's files the way hotcopyd does: JetXReadFileAt in blocks of
 * a fixed size (1 MiB by default), every page verified by the engine; optionally written to a
 * file (the backup set of the restore case).
 */
#ifndef BENCH_STREAM_H
#define BENCH_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "jet.h"

/* The first database of the running backup (JetGetAttachInfoInstance) into out[cap]. */
int stream_first_database(JET_INSTANCE inst, char *out, size_t cap);

/* Reads the backup file `name` from offset 0 to its end in `block`-byte reads into buf (block
 * bytes); when out_path is not NULL the bytes are written there too. *bytes: the streamed size. */
int stream_file(JET_INSTANCE inst, const char *name, uint8_t *buf, size_t block,
                const char *out_path, uint64_t *bytes);

#endif
