/*
 * range.h — HTTP range requests (RFC 9110 §14): the Range header parser, If-Range evaluation,
 * the Content-Range of resumable uploads, HTTP dates and the multipart/byteranges layout. Pure
 * functions: no I/O, no allocation.
 *
 * Decisions (they follow nginx's range filter, so a download from hotcopyd and from nginx answer
 * the same Range header the same way; tests/e2e compares them):
 *   - A header that does not start with "bytes=" (any case) is ignored: 200 with the whole file.
 *   - A syntax error or a number that overflows inside "bytes=..." is unsatisfiable: 416.
 *   - "a-b" is clamped to the file; "a-" runs to the end; "-n" is the last n bytes. A range whose
 *     start lies at or beyond the end is dropped; if no range is left: 416 with
 *     "Content-Range: bytes * /size" (written without the space). A range "0-..." of an empty
 *     file, or an empty suffix of one, makes the header ignored (200).
 *   - More than HC_RANGES_MAX non-empty ranges, or ranges adding up to more than the file: the
 *     header is ignored and the whole file is sent with 200 (RFC 9110 §14.2 lets a server ignore
 *     Range; this defuses overlapping-range amplification without the client seeing an error).
 *   - Ranges are served in the order asked, not merged (as nginx does).
 *   - If-Range: a value ending in '"' is an entity tag compared byte for byte with the ETag
 *     (a weak tag therefore never matches our strong one); anything else is an HTTP date that must
 *     equal Last-Modified to the second. No match: the Range header is ignored (200).
 */
#ifndef HOTCOPY_SERVER_RANGE_H
#define HOTCOPY_SERVER_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HC_RANGES_MAX 16          /* ranges honoured in one request */
#define HC_MULTIPART_BOUNDARY_LEN 20 /* decimal digits, as nginx on 64-bit hosts */
#define HC_HTTP_DATE_LEN 29       /* "Sun, 06 Nov 1994 08:49:37 GMT" */

struct hc_byte_range {
    uint64_t start; /* first byte */
    uint64_t end;   /* one past the last byte */
};

enum hc_range_outcome {
    HC_RANGE_WHOLE,        /* no usable Range: 200 with the whole representation */
    HC_RANGE_PARTIAL,      /* 206: ranges[0..count) */
    HC_RANGE_UNSATISFIABLE /* 416 */
};

/* Parses a Range header value (NULL: none) against a representation of size bytes; fills
 * ranges[0..*count) (room for HC_RANGES_MAX) when the outcome is HC_RANGE_PARTIAL. */
enum hc_range_outcome hc_range_parse(const char *header, uint64_t size,
                                     struct hc_byte_range ranges[HC_RANGES_MAX], size_t *count);

/* True when the Range header may be honoured: no If-Range (NULL), or it matches etag or
 * last_modified as described above. */
bool hc_if_range_matches(const char *if_range, const char *etag, time_t last_modified);

/* Parses the Content-Range header of an upload (RFC 9110 §14.4): "bytes START-END/TOTAL", TOTAL
 * being a number or "*" (unit in any case, then spaces): decimal digits only, no sign,
 * END >= START, END < TOTAL, every value at most INT64_MAX. *total is 0 for "*" (not known yet). */
bool hc_content_range_parse(const char *text, uint64_t *start, uint64_t *end, uint64_t *total);

/* Parses an HTTP date (IMF-fixdate, RFC 850 or asctime form). Returns -1 when malformed. */
time_t hc_http_date_parse(const char *text);
/* Formats an IMF-fixdate into buf (HC_HTTP_DATE_LEN + 1 bytes). */
void hc_http_date_format(time_t t, char buf[HC_HTTP_DATE_LEN + 1]);

/* The multipart/byteranges body: for each range a part header
 *   CRLF "--" boundary CRLF "Content-Type: " type CRLF "Content-Range: bytes S-E/SIZE" CRLF CRLF
 * then the bytes; after the last one CRLF "--" boundary "--" CRLF. */
struct hc_multipart {
    char boundary[HC_MULTIPART_BOUNDARY_LEN + 1];
    const char *part_type; /* Content-Type of each part (static string) */
    uint64_t size;         /* the whole representation's size */
};
/* Writes the part header of range r into buf (cap bytes); returns its length (0 if cap is too
 * small; 256 bytes are always enough for a part_type of up to 64 bytes). */
size_t hc_multipart_part_header(const struct hc_multipart *mp, const struct hc_byte_range *r,
                                char *buf, size_t cap);
/* Writes the closing delimiter into buf (cap bytes); returns its length (0 if it does not fit). */
size_t hc_multipart_trailer(const struct hc_multipart *mp, char *buf, size_t cap);
/* The exact body length for these ranges. */
uint64_t hc_multipart_length(const struct hc_multipart *mp, const struct hc_byte_range *ranges,
                             size_t count);

#endif
