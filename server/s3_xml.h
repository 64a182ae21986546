/*
 * s3_xml.h — internal to the S3 client (server/s3*.c): reading the store's XML answers with expat
 * and writing the little XML the client sends. Not for use outside the S3 client.
 */
#ifndef HOTCOPY_S3_XML_H
#define HOTCOPY_S3_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "s3.h"

/* Called at the end of every element with its path from the root, local names joined by '/'
 * (namespaces dropped: "ListBucketResult/Contents/Key"), and its text (NUL-terminated, text_len
 * bytes; container elements get their whitespace). Return 0 to go on, non-zero to stop. */
typedef int (*s3_xml_element_fn)(void *ctx, const char *path, const char *text, size_t text_len);

/* Parse a whole document. 0 when it is well-formed and every callback returned 0; -1 when it is
 * malformed, nested deeper than the client expects or larger than S3_XML_MAX_BYTES; otherwise the
 * first non-zero callback result. root (may be NULL) receives the root element's local name. */
#define S3_XML_MAX_BYTES (16u * 1024 * 1024)
int s3_xml_parse(const char *xml, size_t len, s3_xml_element_fn on_end, void *ctx, char *root,
                 size_t root_size);

/* If xml is an S3 <Error> document, copy its Code, Message and RequestId into err and return
 * true; otherwise leave err alone and return false. */
bool s3_xml_read_error(const char *xml, size_t len, struct s3_error *err);

/* Copy text into dst (size bytes) without surrounding double quotes ("&quot;" arrives decoded).
 * Returns -1 if it does not fit. */
int s3_xml_copy_etag(char *dst, size_t size, const char *text, size_t text_len);

/* Parse a decimal unsigned number spanning all of text. Returns -1 on anything else. */
int s3_xml_parse_u64(const char *text, uint64_t *out);

/* Parse an ISO 8601 UTC time ("2026-11-28T15:53:19.658Z"). Returns -1 if malformed. */
int s3_xml_parse_time(const char *text, time_t *out);

/* Append text to dst with &, <, >, " and ' escaped. Returns -1 when out of memory. */
struct s3_buf;
int s3_xml_escape_append(struct s3_buf *dst, const char *text);

#endif /* HOTCOPY_S3_XML_H */
