/*
 * fuzz_range.c — the Range header parser, If-Range and the multipart/byteranges layout
 * (server/range.h) on arbitrary header text.
 *
 * Input: u8 size selector, u64 size, u8 flags, If-Range text (length-prefixed), Range text (rest).
 * Checked (range.h's contract): a partial answer has 1..HC_RANGES_MAX ranges, each non-empty and
 * inside the file, adding up to at most the file; the multipart length equals the bytes the parts
 * really take; a formatted HTTP date parses back to itself.
 */
#include "common.h"

#include "../server/range.h"

#include <stdlib.h>
#include <string.h>

static uint64_t pick_size(struct fz_in *in)
{
    uint8_t how = fz_u8(in);
    uint64_t raw = fz_u64(in);
    switch (how % 4) {
    case 0: return raw % 64;             /* tiny, empty included */
    case 1: return raw % (1u << 20);     /* a small file */
    case 2: return raw;                  /* anything, beyond INT64_MAX included */
    default: return (uint64_t)INT64_MAX - (raw % 4);
    }
}

static void check_multipart(const struct hc_byte_range *r, size_t n, uint64_t size)
{
    struct hc_multipart mp = {.boundary = "00000000000000000042", .part_type = "application/octet-stream",
                              .size = size};
    char buf[256];
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t h = hc_multipart_part_header(&mp, &r[i], buf, sizeof buf);
        if (h == 0 || h >= sizeof buf) abort();
        total += h + (r[i].end - r[i].start);
    }
    size_t t = hc_multipart_trailer(&mp, buf, sizeof buf);
    if (t == 0) abort();
    if (hc_multipart_length(&mp, r, n) != total + t) abort();
}

static void check_dates(const char *text)
{
    char buf[HC_HTTP_DATE_LEN + 1];
    time_t t = hc_http_date_parse(text);
    if (t != -1 && t >= 0 && t < 253402300800) { /* years 1970..9999: the fixdate has 4 digits */
        hc_http_date_format(t, buf);
        if (hc_http_date_parse(buf) != t) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    fz_init(&in, data, size);
    uint64_t file_size = pick_size(&in);
    uint8_t flags = fz_u8(&in);
    char if_range[512];
    fz_cstr(&in, if_range, sizeof if_range - 1);
    size_t n;
    const uint8_t *rest = fz_rest(&in, &n);
    char *header = malloc(n + 1);
    if (header == NULL) return 0;
    memcpy(header, rest, n);
    header[n] = '\0';

    struct hc_byte_range ranges[HC_RANGES_MAX];
    size_t count = 99;
    enum hc_range_outcome out = hc_range_parse((flags & 1) ? NULL : header, file_size, ranges, &count);
    if (out == HC_RANGE_PARTIAL) {
        if (count == 0 || count > HC_RANGES_MAX) abort();
        uint64_t sum = 0;
        for (size_t i = 0; i < count; i++) {
            if (ranges[i].start >= ranges[i].end || ranges[i].end > file_size) abort();
            sum += ranges[i].end - ranges[i].start;
        }
        if (sum > file_size) abort();
        check_multipart(ranges, count, file_size);
    } else if (out != HC_RANGE_WHOLE && out != HC_RANGE_UNSATISFIABLE) {
        abort();
    }

    const char *etag = (flags & 2) ? "\"17-main.edb-1700000000\"" : NULL;
    time_t last_modified = (time_t)(file_size % 4102444800u);
    (void)hc_if_range_matches((flags & 4) ? NULL : if_range, etag, last_modified);
    if (etag && strcmp(if_range, etag) == 0 && !hc_if_range_matches(if_range, etag, last_modified))
        abort(); /* the very same strong tag always matches */
    check_dates(if_range);
    check_dates(header);
    free(header);
    return 0;
}
