/*
 * record.h — the stored form of a record and the in-memory record being built.
 *
 * Stored record (the value in a table's tree), little-endian:
 *   u16 count, then count x {u32 columnid, u32 length, bytes}, sorted by columnid; a multi-valued
 *   column repeats its id, in tag order (itagSequence 1, 2, ...).
 * NULL columns are absent. Records are bounded by JET_cbRecordMostX.
 */
#ifndef JET_RECORD_H
#define JET_RECORD_H

#include "session.h"

/* Empties r (keeps its memory for the next record); rec_free releases it. */
void rec_clear(struct recbuf *r);
void rec_free(struct recbuf *r);
/* Decodes a stored record into r (copies). JET_errDatabaseCorrupted when malformed. */
JET_ERR rec_decode(struct recbuf *r, const uint8_t *p, uint32_t len);
/* The size of r encoded; JET_errRecordTooBig past JET_cbRecordMostX. */
JET_ERR rec_encoded_size(const struct recbuf *r, uint32_t *len);
/* Encodes r into p, which has room for rec_encoded_size's bytes. */
void rec_encode_into(const struct recbuf *r, uint8_t *p);
/* Value of column id, tag itag (1-based) in r: 1 found, 0 absent. */
int rec_get(const struct recbuf *r, JET_COLUMNID id, unsigned long itag, const uint8_t **p, uint32_t *len);
/* Value of column id, tag itag, straight from a stored record (no copy): 1 found, 0 absent,
 * negative on a malformed record. */
int rec_find(const uint8_t *rec, uint32_t reclen, JET_COLUMNID id, unsigned long itag, const uint8_t **p,
             uint32_t *len);
/* Number of values of a column. */
unsigned long rec_count(const struct recbuf *r, JET_COLUMNID id);
/* Sets column id's tag itag (0: append a new value) to data, or removes it when data is NULL.
 * append: data is added to the end of the existing value (JET_bitSetAppendLV). */
JET_ERR rec_set(struct recbuf *r, JET_COLUMNID id, unsigned long itag, const void *data, uint32_t len, int append,
                int multi);

#endif
