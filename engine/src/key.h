/*
 * key.h — normalized keys: byte strings whose memcmp order is the index order.
 *
 * A key is the concatenation of its segments. Each segment starts with a marker (0x7F: a value,
 * 0x00: NULL, so NULL sorts first) followed by the value: fixed-size numbers big-endian with the
 * sign bit flipped (floats: all bits inverted when negative), so byte order is numeric order;
 * text and binary with 0x00 escaped as 0x00 0xFF and ended by 0x00 0x00, so a prefix sorts
 * before its extensions (text is folded to upper case, as ESE's default is case-insensitive).
 * A descending segment has all its bytes inverted. A table without a primary index uses an
 * 8-byte big-endian sequence number as key.
 */
#ifndef JET_KEY_H
#define JET_KEY_H

#include "catalog.h"
#include "session.h"

/* Size of a fixed-size column type, 0 for variable ones. */
uint32_t key_fixed_size(JET_COLTYP t);
/* Appends a segment. data NULL or is_null: a NULL segment. prefix_only: leave out the
 * terminator of a variable value (partial / substring limits). Truncates at KEY_MAX.
 * JET_errInvalidBufferSize for a fixed type of the wrong size. */
JET_ERR key_append(uint8_t *key, uint32_t *klen, const struct coldef *c, int desc, const void *data,
                   uint32_t len, int is_null, int prefix_only);
/* The primary key of a record of a table with a primary index. */
JET_ERR key_build(const struct tabledef *td, const struct recbuf *r, uint8_t *key, uint32_t *klen);
/* Pads key with 0xFF (an end limit: greater than every key it prefixes). */
void key_pad_limit(uint8_t *key, uint32_t *klen);

#endif
