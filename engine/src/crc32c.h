/*
 * crc32c.h — CRC32C (Castagnoli), used for every page, log record, log header and checkpoint.
 * Uses the SSE4.2 crc32 instruction when the CPU has it (checked once per call site through a
 * cached cpuid result), three interleaved streams for long buffers; a table otherwise.
 */
#ifndef JET_CRC32C_H
#define JET_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 to start) over buf[0..len). */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

/* out[i] = crc32c(0, buffer i, len) for three buffers of the same length, computed together: on
 * short buffers (a page each) three times the speed of three calls. */
void crc32c_x3(const void *a, const void *b, const void *c, size_t len, uint32_t out[3]);

/* 1 when the hardware instruction is used. */
int crc32c_hw(void);

/* The portable table path alone, whatever the CPU (for tests comparing the two paths). */
uint32_t crc32c_portable(uint32_t crc, const void *buf, size_t len);

#endif
