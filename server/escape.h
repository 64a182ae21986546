/*
 * escape.h — the one escaping helper for text the server writes into HTML fragments, JSON strings
 * built by hand (SSE lines) and HTTP header values. JSON documents are built with cJSON, which
 * escapes on its own; these are for everything else.
 */
#ifndef HOTCOPY_SERVER_ESCAPE_H
#define HOTCOPY_SERVER_ESCAPE_H

#include <stddef.h>

enum hc_escape_mode {
    HC_ESCAPE_HTML, /* & < > " ' as character references */
    HC_ESCAPE_JSON, /* a JSON string body: " \ and control characters as \uXXXX or \n ... */
};

/* Escapes src[0..len) into dst (cap bytes, NUL-terminated). Returns the length the full result
 * needs (excluding the NUL), like snprintf: the output is complete when the result < cap. */
size_t hc_escape(enum hc_escape_mode mode, const char *src, size_t len, char *dst, size_t cap);

/* The same into a newly allocated string (caller frees); NULL when out of memory. */
char *hc_escape_dup(enum hc_escape_mode mode, const char *src);

#endif
