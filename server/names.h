/*
 * names.h — validation and percent-decoding of the names that arrive in URLs (instances, tables,
 * backup and restore file names, record keys). Pure functions: no I/O, no allocation.
 *
 * Every name taken from a URL is percent-decoded first (hc_percent_decode), then checked here, so
 * "%2e%2e" is refused exactly as ".." is. A file name is never turned into a path by the server:
 * backup files are looked up in the backup's own file list, restore files land in a staging
 * directory under a validated plain name.
 */
#ifndef HOTCOPY_SERVER_NAMES_H
#define HOTCOPY_SERVER_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define HC_NAME_MAX 255 /* longest file, table or instance name in bytes */
#define HC_KEY_MAX 255  /* longest record key in bytes (after decoding) */

/* Decodes %XX escapes of src[0..srclen) into dst (dstcap bytes, the NUL included); with
 * plus_is_space (query strings) '+' becomes ' '. Returns the decoded length, or -1 when an escape
 * is malformed, decodes to NUL, or the result does not fit. */
long hc_percent_decode(const char *src, size_t srclen, char *dst, size_t dstcap, bool plus_is_space);

/* A plain name (file, table, instance, database): 1..HC_NAME_MAX bytes, no '/', '\\', no "..",
 * not ".", no NUL or control characters (< 0x20, 0x7f). */
bool hc_name_is_valid(const char *name, size_t len);

/* A record key: 1..HC_KEY_MAX arbitrary bytes (any byte value but NUL is allowed, since keys are
 * URL-encoded bytes). */
bool hc_key_is_valid(const char *key, size_t len);

/* An instance name: a plain name of at most 63 bytes made of [A-Za-z0-9._-]. Instance names
 * also name directories, so the set is narrower than hc_name_is_valid's. */
bool hc_instance_name_is_valid(const char *name);

#endif
