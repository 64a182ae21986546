/*
 * test_healthcheck.c — the health probe of `hotcopyd --healthcheck URL` (server/healthcheck.c)
 * against small servers on 127.0.0.1 run by a thread of this test: what it sends, which answers
 * are healthy, the retry of a refused connection, and the deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../server/healthcheck.h"

#define SHORT_REFUSED_MS 1500
#define SHORT_TIMEOUT_MS 3000

/* A one-connection server: listens (after listen_delay_ms), accepts, keeps what it read, sends
 * `answer` (NULL: nothing, then waits for the client to go), closes. */
struct fake_server {
    unsigned port;
    int listen_fd;
    unsigned listen_delay_ms;
    const char *answer;
    char request[1024];
    pthread_t thread;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int bind_loopback(unsigned port, unsigned *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *bound = ntohs(a.sin_port);
    return fd;
}

/* A port on which nothing listens (bound, then closed again). */
static unsigned free_port(void)
{
    unsigned port = 0;
    close(bind_loopback(0, &port));
    return port;
}

static void *serve(void *arg)
{
    struct fake_server *fs = arg;
    if (fs->listen_delay_ms) {
        struct timespec pause = {.tv_sec = fs->listen_delay_ms / 1000,
                                 .tv_nsec = (long)(fs->listen_delay_ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
        unsigned bound = 0;
        fs->listen_fd = bind_loopback(fs->port, &bound);
    }
    if (listen(fs->listen_fd, 1) != 0) return NULL;
    int c = accept(fs->listen_fd, NULL, NULL);
    if (c < 0) return NULL;
    size_t len = 0;
    while (len + 1 < sizeof fs->request && !strstr(fs->request, "\r\n\r\n")) {
        ssize_t n = recv(c, fs->request + len, sizeof fs->request - 1 - len, 0);
        if (n <= 0) break;
        len += (size_t)n;
        fs->request[len] = '\0';
    }
    if (fs->answer) {
        ssize_t ignored = send(c, fs->answer, strlen(fs->answer), MSG_NOSIGNAL);
        (void)ignored;
    } else {
        char sink[64];
        while (recv(c, sink, sizeof sink, 0) > 0)
            continue; /* until the client gives up */
    }
    close(c);
    return NULL;
}

static void server_start(struct fake_server *fs, const char *answer, unsigned listen_delay_ms)
{
    memset(fs, 0, sizeof *fs);
    fs->answer = answer;
    fs->listen_delay_ms = listen_delay_ms;
    if (listen_delay_ms) {
        fs->port = free_port();
        fs->listen_fd = -1;
    } else {
        fs->listen_fd = bind_loopback(0, &fs->port);
    }
    assert_int_equal(pthread_create(&fs->thread, NULL, serve, fs), 0);
}

static void server_join(struct fake_server *fs)
{
    pthread_join(fs->thread, NULL);
    if (fs->listen_fd >= 0) close(fs->listen_fd);
}

static enum hc_health probe(const struct fake_server *fs, const char *path, char *why, size_t cap)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", fs->port, path);
    return hc_healthcheck_with(url, SHORT_REFUSED_MS, SHORT_TIMEOUT_MS, why, cap);
}

static void a_200_answer_is_healthy_and_the_request_is_a_plain_get(void **state)
{
    struct fake_server fs;
    char why[256];
    server_start(&fs, "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}", 0);
    assert_int_equal(probe(&fs, "/healthz", why, sizeof why), HC_HEALTHY);
    server_join(&fs);
    assert_non_null(strstr(fs.request, "GET /healthz HTTP/1.0\r\n"));
    char host[64];
    snprintf(host, sizeof host, "\r\nHost: 127.0.0.1:%u\r\n", fs.port);
    assert_non_null(strstr(fs.request, host));
    assert_non_null(strstr(why, "HTTP 200"));
}

static void any_other_status_is_unhealthy(void **state)
{
    static const char *const answers[] = {
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n",
        "SSH-2.0-OpenSSH_9.2\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "",
    };
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        struct fake_server fs;
        char why[256] = "";
        server_start(&fs, answers[i], 0);
        assert_int_equal(probe(&fs, "/", why, sizeof why), HC_UNHEALTHY);
        server_join(&fs);
        assert_true(why[0] != '\0');
    }
}

static void a_refused_connection_is_tried_again_until_the_server_listens(void **state)
{
    struct fake_server fs;
    char why[256];
    server_start(&fs, "HTTP/1.0 200 OK\r\n\r\n", 250); /* listens 250 ms from now */
    int64_t t0 = now_ms();
    assert_int_equal(probe(&fs, "/healthz", why, sizeof why), HC_HEALTHY);
    assert_true(now_ms() - t0 >= 200);
    server_join(&fs);
}

static void a_port_that_keeps_refusing_fails_after_the_retry_window(void **state)
{
    char url[64], why[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/healthz", free_port());
    int64_t t0 = now_ms();
    assert_int_equal(hc_healthcheck_with(url, SHORT_REFUSED_MS, SHORT_TIMEOUT_MS, why, sizeof why),
                     HC_UNHEALTHY);
    int64_t took = now_ms() - t0;
    assert_true(took >= SHORT_REFUSED_MS - 2 * HC_HEALTHCHECK_RETRY_MS);
    assert_true(took < SHORT_TIMEOUT_MS);
    assert_non_null(strstr(why, "refused"));
}

static void a_server_that_never_answers_fails_at_the_deadline(void **state)
{
    struct fake_server fs;
    char why[256];
    server_start(&fs, NULL, 0);
    int64_t t0 = now_ms();
    assert_int_equal(probe(&fs, "/healthz", why, sizeof why), HC_UNHEALTHY);
    int64_t took = now_ms() - t0;
    assert_true(took >= SHORT_TIMEOUT_MS - 50 && took < SHORT_TIMEOUT_MS + 2000);
    server_join(&fs); /* the probe closed its socket: the server's recv ends */
    assert_non_null(strstr(why, "no answer"));
}

static void urls_split_into_host_port_and_path(void **state)
{
    char host[64], port[8], path[64];
    assert_true(hc_healthcheck_parse_url("http://127.0.0.1:8080/healthz", host, sizeof host, port,
                                         sizeof port, path, sizeof path));
    assert_string_equal(host, "127.0.0.1");
    assert_string_equal(port, "8080");
    assert_string_equal(path, "/healthz");
    assert_true(hc_healthcheck_parse_url("HTTP://localhost", host, sizeof host, port, sizeof port,
                                         path, sizeof path));
    assert_string_equal(host, "localhost");
    assert_string_equal(port, "80");
    assert_string_equal(path, "/");
    assert_true(hc_healthcheck_parse_url("http://[::1]:9/a?b=c#frag", host, sizeof host, port,
                                         sizeof port, path, sizeof path));
    assert_string_equal(host, "::1");
    assert_string_equal(port, "9");
    assert_string_equal(path, "/a?b=c");
    static const char *const bad[] = {
        "https://127.0.0.1/healthz",
        "127.0.0.1:8080/healthz",
        "http://",
        "http://:80/",
        "http://h:/",
        "http://h:99999/",
        "http://h:0/",
        "http://h:8x/",
        "http://[::1/",
        "http://u@h/",
        "http://h/a b",
        "http://h/a\r\nX: y",
        "http://h?x",
        NULL,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(hc_healthcheck_parse_url(bad[i], host, sizeof host, port, sizeof port, path,
                                              sizeof path));
    char tiny[4];
    assert_false(hc_healthcheck_parse_url("http://localhost/", tiny, sizeof tiny, port, sizeof port,
                                          path, sizeof path));
}

static void a_bad_url_is_unhealthy_with_a_reason(void **state)
{
    char why[256];
    assert_int_equal(hc_healthcheck("https://127.0.0.1/healthz", why, sizeof why), HC_UNHEALTHY);
    assert_non_null(strstr(why, "not an http://"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_200_answer_is_healthy_and_the_request_is_a_plain_get),
        cmocka_unit_test(any_other_status_is_unhealthy),
        cmocka_unit_test(a_refused_connection_is_tried_again_until_the_server_listens),
        cmocka_unit_test(a_port_that_keeps_refusing_fails_after_the_retry_window),
        cmocka_unit_test(a_server_that_never_answers_fails_at_the_deadline),
        cmocka_unit_test(urls_split_into_host_port_and_path),
        cmocka_unit_test(a_bad_url_is_unhealthy_with_a_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
