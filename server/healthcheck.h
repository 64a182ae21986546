/*
 * healthcheck.h — `hotcopyd --healthcheck URL`: the container's health probe, so that the image
 * needs no curl. One HTTP/1.0 GET over a plain TCP socket; healthy means the status line says 200.
 * Nothing here touches the server: no data directory, no engine, no libmicrohttpd.
 *
 * Rules:
 *   - URL is "http://HOST[:PORT][/PATH]" (HOST a name, an IPv4 address or "[IPv6]"; PORT defaults
 *     to 80, PATH to "/"). https and anything else is unhealthy with a reason (the probe runs
 *     inside the container, over loopback).
 *   - A refused connection (nothing listens yet: the server is starting) is tried again every
 *     HC_HEALTHCHECK_RETRY_MS for up to `refused_ms`; any other failure ends the probe at once.
 *   - Connecting, sending and reading the status line share one deadline, `timeout_ms` from the
 *     start (the refused retries included).
 */
#ifndef HOTCOPY_SERVER_HEALTHCHECK_H
#define HOTCOPY_SERVER_HEALTHCHECK_H

#include <stdbool.h>
#include <stddef.h>

#define HC_HEALTHCHECK_REFUSED_MS 1000 /* retry a refused connection this long */
#define HC_HEALTHCHECK_TIMEOUT_MS 2500 /* the whole probe (Docker allows it 3 s) */
#define HC_HEALTHCHECK_RETRY_MS 100

enum hc_health {
    HC_HEALTHY = 0,  /* HTTP 200: the process exit code */
    HC_UNHEALTHY = 1 /* anything else */
};

/* Probes url with the default limits. why (whycap bytes, may be NULL) says what was found: the
 * status line's code, or why there was none. */
enum hc_health hc_healthcheck(const char *url, char *why, size_t whycap);

/* The same with explicit limits in milliseconds (tests use short ones). */
enum hc_health hc_healthcheck_with(const char *url, unsigned refused_ms, unsigned timeout_ms,
                                   char *why, size_t whycap);

/* Splits an http:// URL into host (without brackets), port (digits) and path. Pure. False when
 * the URL is not of the form above or a part does not fit its buffer. */
bool hc_healthcheck_parse_url(const char *url, char *host, size_t hostcap, char *port,
                              size_t portcap, char *path, size_t pathcap);

#endif
