/*
 * range.c — the Range / If-Range logic and multipart/byteranges layout of range.h.
 * Arithmetic is done in int64_t: sizes above 2^63 are not representable in a file anyway.
 */
#include "range.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define RANGE_UNIT_PREFIX "bytes="

static void skip_spaces(const char **p)
{
    while (**p == ' ') (*p)++;
}

/* Reads decimal digits into *value; false on overflow past INT64_MAX. */
static bool read_number(const char **p, int64_t *value)
{
    int64_t v = 0;
    while (**p >= '0' && **p <= '9') {
        int digit = **p - '0';
        if (v > (INT64_MAX - digit) / 10) return false;
        v = v * 10 + digit;
        (*p)++;
    }
    *value = v;
    return true;
}

enum hc_range_outcome hc_range_parse(const char *header, uint64_t size_u,
                                     struct hc_byte_range ranges[HC_RANGES_MAX], size_t *count)
{
    *count = 0;
    size_t prefix = strlen(RANGE_UNIT_PREFIX);
    if (header == NULL || strlen(header) <= prefix ||
        strncasecmp(header, RANGE_UNIT_PREFIX, prefix) != 0)
        return HC_RANGE_WHOLE;
    if (size_u > (uint64_t)INT64_MAX) return HC_RANGE_WHOLE;

    const int64_t size = (int64_t)size_u;
    const char *p = header + prefix;
    int64_t total = 0;     /* bytes asked, while it stays <= size */
    bool beyond_size = false; /* the ranges add up to more than the file */
    for (;;) {
        int64_t start = 0, end = 0;
        bool open_end = false;
        skip_spaces(&p);
        if (*p == '-') { /* suffix: the last n bytes */
            p++;
            if (*p < '0' || *p > '9' || !read_number(&p, &end)) return HC_RANGE_UNSATISFIABLE;
            start = end < size ? size - end : 0;
            end = size; /* the suffix always runs to the end */
        } else {
            if (*p < '0' || *p > '9' || !read_number(&p, &start)) return HC_RANGE_UNSATISFIABLE;
            skip_spaces(&p);
            if (*p++ != '-') return HC_RANGE_UNSATISFIABLE;
            skip_spaces(&p);
            if (*p == ',' || *p == '\0') {
                end = size;
                open_end = true;
            } else {
                if (*p < '0' || *p > '9' || !read_number(&p, &end))
                    return HC_RANGE_UNSATISFIABLE;
                end = end >= size ? size : end + 1; /* inclusive last byte -> exclusive end */
            }
        }
        if (!open_end) {
            skip_spaces(&p);
            if (*p != ',' && *p != '\0') return HC_RANGE_UNSATISFIABLE;
        }
        if (start < end) {
            if (*count == HC_RANGES_MAX) return HC_RANGE_WHOLE; /* too many: ignore Range */
            ranges[*count].start = (uint64_t)start;
            ranges[*count].end = (uint64_t)end;
            (*count)++;
            /* compared before adding: near INT64_MAX two ranges would overflow the sum */
            if (end - start > size - total)
                beyond_size = true;
            else
                total += end - start;
        } else if (start == 0) {
            *count = 0;
            return HC_RANGE_WHOLE; /* an empty representation asked from its start */
        }
        if (*p++ != ',') break;
    }
    if (*count == 0) return HC_RANGE_UNSATISFIABLE;
    if (beyond_size) {
        *count = 0;
        return HC_RANGE_WHOLE;
    }
    return HC_RANGE_PARTIAL;
}

/* Reads at least one digit into *value; false on overflow past INT64_MAX or no digit. */
static bool read_digits(const char **p, uint64_t *value)
{
    if (**p < '0' || **p > '9') return false;
    int64_t v;
    if (!read_number(p, &v)) return false;
    *value = (uint64_t)v;
    return true;
}

bool hc_content_range_parse(const char *text, uint64_t *start, uint64_t *end, uint64_t *total)
{
    uint64_t s, e, t = 0;
    if (text == NULL || strncasecmp(text, "bytes ", 6) != 0) return false;
    const char *p = text + 6;
    skip_spaces(&p);
    if (!read_digits(&p, &s) || *p++ != '-' || !read_digits(&p, &e) || *p++ != '/') return false;
    if (*p == '*')
        p++;
    else if (!read_digits(&p, &t) || t == 0)
        return false;
    if (*p != '\0' || e < s || (t && e >= t)) return false;
    *start = s;
    *end = e;
    *total = t;
    return true;
}

time_t hc_http_date_parse(const char *text)
{
    static const char *const formats[] = {
        "%a, %d %b %Y %H:%M:%S GMT", /* IMF-fixdate */
        "%A, %d-%b-%y %H:%M:%S GMT", /* RFC 850 */
        "%a %b %e %H:%M:%S %Y",      /* asctime */
    };
    if (text == NULL) return -1;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(text, formats[i], &tm);
        if (end != NULL && *end == '\0') return timegm(&tm);
    }
    return -1;
}

void hc_http_date_format(time_t t, char buf[HC_HTTP_DATE_LEN + 1])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    char tmp[64]; /* wide enough for any int values; the real result is HC_HTTP_DATE_LEN */
    snprintf(tmp, sizeof tmp, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    memcpy(buf, tmp, HC_HTTP_DATE_LEN);
    buf[HC_HTTP_DATE_LEN] = '\0';
}

bool hc_if_range_matches(const char *if_range, const char *etag, time_t last_modified)
{
    if (if_range == NULL) return true;
    size_t len = strlen(if_range);
    if (len >= 2 && if_range[len - 1] == '"') return etag != NULL && strcmp(if_range, etag) == 0;
    time_t when = hc_http_date_parse(if_range);
    return when != -1 && when == last_modified;
}

size_t hc_multipart_part_header(const struct hc_multipart *mp, const struct hc_byte_range *r,
                                char *buf, size_t cap)
{
    int n = snprintf(buf, cap,
                     "\r\n--%s\r\nContent-Type: %s\r\nContent-Range: bytes %llu-%llu/%llu\r\n\r\n",
                     mp->boundary, mp->part_type, (unsigned long long)r->start,
                     (unsigned long long)(r->end - 1), (unsigned long long)mp->size);
    return (n < 0 || (size_t)n >= cap) ? 0 : (size_t)n;
}

size_t hc_multipart_trailer(const struct hc_multipart *mp, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "\r\n--%s--\r\n", mp->boundary);
    return (n < 0 || (size_t)n >= cap) ? 0 : (size_t)n;
}

uint64_t hc_multipart_length(const struct hc_multipart *mp, const struct hc_byte_range *ranges,
                             size_t count)
{
    char buf[256];
    uint64_t total = hc_multipart_trailer(mp, buf, sizeof buf);
    for (size_t i = 0; i < count; i++)
        total += hc_multipart_part_header(mp, &ranges[i], buf, sizeof buf) +
                 (ranges[i].end - ranges[i].start);
    return total;
}
