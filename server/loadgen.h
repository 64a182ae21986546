/*
 * loadgen.h — the built-in workload generator behind /api/v1/instances/{inst}/load: one thread
 * per instance committing one record per transaction at the asked rate into table "load" of the
 * instance's first database. Each record is verifiable on its own:
 *   key   = the sequence number as 16 decimal digits (index order = sequence order)
 *   value = seq (8 bytes LE) | commit time in unix micros (8 bytes LE) | 48 payload bytes derived
 *           from seq | CRC32C of the preceding 64 bytes (4 bytes LE)
 * Sequence numbers continue from the highest already in the table. "highestSequence" is the
 * newest sequence whose commit returned (acknowledged): every record up to it must survive a
 * crash and a restore of a backup whose log call came after the acknowledgement.
 */
#ifndef HOTCOPY_SERVER_LOADGEN_H
#define HOTCOPY_SERVER_LOADGEN_H

#include "instance.h"

#include <stddef.h>
#include <stdint.h>

#define HC_LOAD_TABLE "load"
#define HC_LOAD_RECORD_SIZE 68

/* Builds the value of record seq (HC_LOAD_RECORD_SIZE bytes). */
void hc_load_record(uint64_t seq, int64_t time_us, unsigned char out[HC_LOAD_RECORD_SIZE]);
/* Checks a value against its key's sequence number. */
bool hc_load_record_ok(uint64_t seq, const void *value, size_t len);
/* CRC32C (Castagnoli) of a buffer. */
uint32_t hc_crc32c(const void *data, size_t len);

/* Stops and frees the instance's generator, if any (shutdown). */
void hc_loadgen_shutdown(struct hc_instance *inst);

#endif
