/*
 * fuzz_content_range.c — the Content-Range parser of resumable restore uploads
 * (hc_content_range_parse, server/range.h) on arbitrary header text.
 *
 * Input: the header value. Checked (range.h): an accepted range has START <= END, END < TOTAL
 * (TOTAL 0: "*"), values at most INT64_MAX, and printing it back gives a header that parses to the
 * same values; a strict reference reading of the text agrees on acceptance.
 */
#include "common.h"

#include "../server/range.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Digits only, at least one, no overflow past INT64_MAX. */
static bool digits(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    while (isdigit((unsigned char)**p)) {
        if (x > (uint64_t)(INT64_MAX - (**p - '0')) / 10) return false;
        x = x * 10 + (uint64_t)(**p - '0');
        (*p)++;
    }
    *v = x;
    return *p > s;
}

/* An independent reading of "bytes START-END/TOTAL|*". */
static bool reference(const char *text)
{
    uint64_t s, e, t = 0;
    if (strncasecmp(text, "bytes ", 6) != 0) return false;
    const char *p = text + 6;
    while (*p == ' ') p++;
    if (!digits(&p, &s) || *p != '-') return false;
    p++;
    if (!digits(&p, &e) || *p != '/') return false;
    p++;
    if (*p == '*') p++;
    else if (!digits(&p, &t) || t == 0) return false;
    return *p == '\0' && s <= e && (t == 0 || e < t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    uint64_t s, e, t;
    bool ok = hc_content_range_parse(text, &s, &e, &t);
    if (ok != reference(text)) abort();
    if (ok) {
        if (s > e || (t && e >= t) || e > (uint64_t)INT64_MAX || t > (uint64_t)INT64_MAX) abort();
        char again[128];
        uint64_t s2, e2, t2;
        if (t)
            snprintf(again, sizeof again, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, s, e, t);
        else
            snprintf(again, sizeof again, "bytes %" PRIu64 "-%" PRIu64 "/*", s, e);
        if (!hc_content_range_parse(again, &s2, &e2, &t2) || s2 != s || e2 != e || t2 != t) abort();
    }
    free(text);
    return 0;
}
