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

#include <cjson/cJSON.h>

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

#define HC_LOAD_RATE_MAX 100000     /* writes per second */
#define HC_LOAD_SECONDS_MAX 86400
#define HC_LOAD_SECONDS_DEFAULT 60

/* Starts the generator on inst at rate writes per second (1..HC_LOAD_RATE_MAX) for secs seconds
 * (1..HC_LOAD_SECONDS_MAX). Returns 0; -EINVAL (a number out of range), -EBUSY (one is running),
 * -ENOMEM, -EAGAIN (no thread), or -ENOENT with *jerr set when the instance has no database.
 * Shared by POST /api/v1/instances/{inst}/load and the dashboard. */
int hc_loadgen_start(struct hc_instance *inst, double rate, double secs, JET_ERR *jerr);
/* The generator's status as GET .../load shows it ({"running", "writesPerSecond", "committed",
 * "highestSequence", "lastError", ...}); caller deletes. */
cJSON *hc_loadgen_status(struct hc_instance *inst);
/* Stops the generator and joins its thread; *final (may be NULL; caller deletes) receives its last
 * status. Returns 0, or -ENOENT when no generator has run on inst. */
int hc_loadgen_stop(struct hc_instance *inst, cJSON **final);

/* Stops and frees the instance's generator, if any (shutdown). */
void hc_loadgen_shutdown(struct hc_instance *inst);

#endif
