/*
 * healthcheck.c — the health probe behind `hotcopyd --healthcheck URL` (see healthcheck.h):
 * parse the URL, connect (retrying while refused), send one GET, read the status line.
 * Sockets are non-blocking and every wait is a poll() bounded by the probe's deadline.
 */
#include "healthcheck.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SCHEME "http://"
#define DEFAULT_PORT "80"
#define HOST_MAX 256
#define PORT_MAX 6
#define PATH_MAX_LEN 1024
#define STATUS_LINE_MAX 256

static void say(char *why, size_t whycap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whycap, const char *fmt, ...)
{
    if (why == NULL || whycap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whycap, fmt, ap);
    va_end(ap);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool copy_part(char *out, size_t cap, const char *start, size_t len)
{
    if (len >= cap) return false;
    memcpy(out, start, len);
    out[len] = '\0';
    return true;
}

bool hc_healthcheck_parse_url(const char *url, char *host, size_t hostcap, char *port,
                              size_t portcap, char *path, size_t pathcap)
{
    if (url == NULL || strncasecmp(url, SCHEME, strlen(SCHEME)) != 0) return false;
    const char *p = url + strlen(SCHEME);
    const char *authority_end = p + strcspn(p, "/?#");
    const char *host_start = p, *host_end, *port_start = NULL;
    if (*p == '[') { /* [v6]:port */
        const char *close = memchr(p, ']', (size_t)(authority_end - p));
        if (close == NULL) return false;
        host_start = p + 1;
        host_end = close;
        if (close + 1 < authority_end) {
            if (close[1] != ':') return false;
            port_start = close + 2;
        }
    } else {
        const char *colon = memchr(p, ':', (size_t)(authority_end - p));
        host_end = colon ? colon : authority_end;
        if (colon) port_start = colon + 1;
    }
    if (host_end == host_start || memchr(host_start, '@', (size_t)(host_end - host_start)))
        return false;
    if (!copy_part(host, hostcap, host_start, (size_t)(host_end - host_start))) return false;
    if (port_start) {
        size_t len = (size_t)(authority_end - port_start);
        if (len == 0 || len > 5 || strspn(port_start, "0123456789") < len) return false;
        if (!copy_part(port, portcap, port_start, len) || atoi(port) < 1 || atoi(port) > 65535)
            return false;
    } else if (!copy_part(port, portcap, DEFAULT_PORT, strlen(DEFAULT_PORT))) {
        return false;
    }
    const char *rest = authority_end;
    if (*rest == '\0') return copy_part(path, pathcap, "/", 1);
    if (*rest != '/') return false; /* a query or fragment right after the authority */
    size_t len = strcspn(rest, "#");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)rest[i] <= ' ' || rest[i] == 0x7f) return false; /* request splitting */
    return copy_part(path, pathcap, rest, len);
}

/* Waits until fd is ready for events or the deadline passes. 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        int n = poll(&pfd, 1, (int)left);
        if (n > 0) return 1;
        if (n == 0) return 0;
        if (errno != EINTR) return -1;
    }
}

/* One non-blocking connect. Returns the socket, or -1 with *err the errno (ETIMEDOUT at the
 * deadline). */
static int connect_one(const struct addrinfo *ai, int64_t deadline, int *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return fd;
    if (errno != EINPROGRESS) {
        *err = errno;
        goto fail;
    }
    int ready = wait_fd(fd, POLLOUT, deadline);
    if (ready <= 0) {
        *err = ready == 0 ? ETIMEDOUT : errno;
        goto fail;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) soerr = errno;
    if (soerr == 0) return fd;
    *err = soerr;
fail:
    close(fd);
    return -1;
}

/* Connects to any address of host:port, trying again while every address refuses, up to
 * refused_until. Returns the socket or -1 with why filled. */
static int connect_retrying(const char *host, const char *port, int64_t refused_until,
                            int64_t deadline, char *why, size_t whycap)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(host, port, &hints, &list);
    if (gai != 0) {
        say(why, whycap, "cannot resolve %s: %s", host, gai_strerror(gai));
        return -1;
    }
    int fd = -1, err = 0;
    for (;;) {
        bool all_refused = true;
        for (const struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
            fd = connect_one(ai, deadline, &err);
            if (fd < 0 && err != ECONNREFUSED) all_refused = false;
        }
        if (fd >= 0 || !all_refused) break;
        int64_t now = now_ms();
        if (now + HC_HEALTHCHECK_RETRY_MS > refused_until ||
            now + HC_HEALTHCHECK_RETRY_MS > deadline)
            break;
        struct timespec pause = {.tv_nsec = HC_HEALTHCHECK_RETRY_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    freeaddrinfo(list);
    if (fd < 0) say(why, whycap, "cannot connect to %s port %s: %s", host, port, strerror(err));
    return fd;
}

static bool send_all(int fd, const char *data, size_t len, int64_t deadline)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_fd(fd, POLLOUT, deadline) != 1) return false;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return false;
        }
    }
    return true;
}

/* Reads until the end of the status line (or STATUS_LINE_MAX - 1 bytes, or the peer closes). */
static size_t read_status_line(int fd, char *buf, size_t cap, int64_t deadline)
{
    size_t len = 0;
    while (len + 1 < cap && memchr(buf, '\n', len) == NULL) {
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n > 0) {
            len += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_fd(fd, POLLIN, deadline) != 1) break;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break; /* closed or failed */
        }
    }
    buf[len] = '\0';
    return len;
}

/* The status code of "HTTP/1.x NNN ...", or -1. */
static int status_code(const char *line)
{
    if (strncmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9' || line[8] != ' ')
        return -1;
    const char *c = line + 9;
    for (int i = 0; i < 3; i++)
        if (c[i] < '0' || c[i] > '9') return -1;
    if (c[3] != ' ' && c[3] != '\r' && c[3] != '\n' && c[3] != '\0') return -1;
    return (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
}

enum hc_health hc_healthcheck_with(const char *url, unsigned refused_ms, unsigned timeout_ms,
                                   char *why, size_t whycap)
{
    char host[HOST_MAX], port[PORT_MAX], path[PATH_MAX_LEN];
    char request[PATH_MAX_LEN + HOST_MAX + 128], line[STATUS_LINE_MAX];
    enum hc_health result = HC_UNHEALTHY;
    int fd = -1;
    if (!hc_healthcheck_parse_url(url, host, sizeof host, port, sizeof port, path, sizeof path)) {
        say(why, whycap, "not an http://HOST[:PORT][/PATH] URL: %s", url ? url : "(none)");
        goto done;
    }
    int64_t start = now_ms(), deadline = start + timeout_ms;
    fd = connect_retrying(host, port, start + refused_ms, deadline, why, whycap);
    if (fd < 0) goto done;
    bool v6 = strchr(host, ':') != NULL;
    int len = snprintf(request, sizeof request,
                       "GET %s HTTP/1.0\r\nHost: %s%s%s:%s\r\nUser-Agent: hotcopyd-healthcheck\r\n"
                       "Connection: close\r\n\r\n",
                       path, v6 ? "[" : "", host, v6 ? "]" : "", port);
    if (len < 0 || (size_t)len >= sizeof request || !send_all(fd, request, (size_t)len, deadline)) {
        say(why, whycap, "cannot send the request to %s port %s", host, port);
        goto done;
    }
    if (read_status_line(fd, line, sizeof line, deadline) == 0) {
        say(why, whycap, "no answer from %s port %s within %u ms", host, port, timeout_ms);
        goto done;
    }
    int code = status_code(line);
    if (code < 0) {
        say(why, whycap, "not an HTTP answer from %s port %s", host, port);
        goto done;
    }
    say(why, whycap, "HTTP %d from %s", code, url);
    if (code == 200) result = HC_HEALTHY;
done:
    if (fd >= 0) close(fd);
    return result;
}

enum hc_health hc_healthcheck(const char *url, char *why, size_t whycap)
{
    return hc_healthcheck_with(url, HC_HEALTHCHECK_REFUSED_MS, HC_HEALTHCHECK_TIMEOUT_MS, why,
                               whycap);
}
