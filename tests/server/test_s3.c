/*
 * test_s3.c — the S3 client (server/s3.h) against a real Ceph RADOS Gateway started by
 * tests/rgw/rgw.sh in a temporary directory (group setup; the suite FAILS if it cannot start).
 * What RGW cannot be made to do on demand (503/429/500, a body cut off, an error inside a 200
 * answer) is in test_s3_http.c, against a scripted server.
 *
 * Test order matters only at the end: the test that kills the gateway runs last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../server/s3.h"

extern char **environ;

#define MIB (1024u * 1024u)
#define RGW_SCRIPT "tests/rgw/rgw.sh"

struct fixture {
    char dir[PATH_MAX]; /* the store's directory (removed by rgw.sh stop) */
    char script[PATH_MAX];
    char endpoint[256];
    char access_key[128];
    char secret_key[128];
    char https_endpoint[256]; /* the same gateway over TLS */
    char ca_file[PATH_MAX];   /* its self-signed certificate */
    char bucket[64];          /* created by the first bucket test, used by the rest */
};

/* ---- helpers: harness --------------------------------------------------------------------- */

/* Run rgw.sh with args; stdout to out_path (or /dev/null). Returns its exit status, -1 if it
 * could not run. */
static int run_harness(const struct fixture *fx, const char *const args[], const char *out_path)
{
    posix_spawn_file_actions_t actions;
    char *argv[8];
    int n = 0, status = 0;
    pid_t pid;

    argv[n++] = (char *)fx->script;
    for (int i = 0; args[i] != NULL && n < 7; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path ? out_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (posix_spawn(&pid, fx->script, &actions, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The daemons were children of rgw.sh and became ours (child subreaper): collect the dead. */
static void reap_orphans(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

static int find_script(struct fixture *fx)
{
    const char *env = getenv("HOTCOPY_RGW_SH");
    char exe[PATH_MAX];
    ssize_t len;

    if (env != NULL) {
        snprintf(fx->script, sizeof(fx->script), "%s", env);
        return access(fx->script, X_OK);
    }
    snprintf(fx->script, sizeof(fx->script), "%s", RGW_SCRIPT);
    if (access(fx->script, X_OK) == 0) return 0;
    /* build/tests/server/test_s3 -> ../../../tests/rgw/rgw.sh */
    len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len <= 0) return -1;
    exe[len] = '\0';
    snprintf(fx->script, sizeof(fx->script), "%s/../../../%s", dirname(exe), RGW_SCRIPT);
    return access(fx->script, X_OK);
}

/* The value of NAME in an env file of NAME=VALUE lines into buf. Returns 0, or -1 if absent. */
static int env_value(const char *path, const char *name, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    char line[PATH_MAX + 64];
    size_t name_len = strlen(name);
    int rc = -1;

    if (f == NULL) return -1;
    while (rc != 0 && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, name, name_len) == 0 && line[name_len] == '=' && line[name_len + 1] &&
            (size_t)snprintf(buf, size, "%s", line + name_len + 1) < size)
            rc = 0;
    }
    fclose(f);
    return rc;
}

static int read_fixture_env(struct fixture *fx, const char *path)
{
    return env_value(path, "RGW_ENDPOINT", fx->endpoint, sizeof(fx->endpoint)) != 0 ||
                   env_value(path, "RGW_ACCESS_KEY", fx->access_key, sizeof(fx->access_key)) != 0 ||
                   env_value(path, "RGW_SECRET_KEY", fx->secret_key, sizeof(fx->secret_key)) != 0 ||
                   env_value(path, "RGW_HTTPS_ENDPOINT", fx->https_endpoint,
                             sizeof(fx->https_endpoint)) != 0 ||
                   env_value(path, "RGW_CA_FILE", fx->ca_file, sizeof(fx->ca_file)) != 0
               ? -1
               : 0;
}

static int group_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    char tmpl[] = "/tmp/hotcopy-test-s3-XXXXXX", env[PATH_MAX + 8], owner[24];
    int rc;

    if (fx == NULL || s3_global_init() != S3_OK) return -1;
    /* rgw.sh exits once the daemons run: make them our children so their zombies get reaped. */
    prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
    if (find_script(fx) != 0) {
        fprintf(stderr, "test_s3: %s not found or not executable\n", RGW_SCRIPT);
        return -1;
    }
    if (mkdtemp(tmpl) == NULL) return -1;
    snprintf(fx->dir, sizeof(fx->dir), "%s", tmpl);
    snprintf(owner, sizeof(owner), "%ld", (long)getpid());
    rc = run_harness(fx, (const char *const[]){"start", fx->dir, "--owner", owner, NULL}, NULL);
    snprintf(env, sizeof(env), "%s/env", fx->dir);
    if (rc != 0 || read_fixture_env(fx, env) != 0) {
        fprintf(stderr, "test_s3: FAILED to start RGW with %s (exit %d); see the log above\n",
                fx->script, rc);
        run_harness(fx, (const char *const[]){"stop", fx->dir, NULL}, NULL);
        reap_orphans();
        free(fx);
        return -1;
    }
    snprintf(fx->bucket, sizeof(fx->bucket), "hc-test-%ld", (long)getpid());
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *fx = *state;
    int rc;

    if (fx == NULL) /* the setup failed and cleaned up after itself */
        return 0;
    rc = run_harness(fx, (const char *const[]){"stop", fx->dir, NULL}, NULL);

    reap_orphans();
    free(fx);
    s3_global_cleanup();
    return rc == 0 ? 0 : -1;
}

/* ---- helpers: clients, data, callbacks ---------------------------------------------------- */

static struct s3_client *tls_client_for(const char *endpoint, const char *access_key,
                                        const char *secret_key, int retries, const char *ca_file)
{
    struct s3_config cfg;
    struct s3_client *c = NULL;
    struct s3_error err;

    s3_config_init(&cfg);
    cfg.endpoint = endpoint;
    cfg.access_key = access_key;
    cfg.secret_key = secret_key;
    cfg.max_retries = retries;
    cfg.retry_base_ms = 10;
    cfg.retry_max_ms = 100;
    cfg.connect_timeout_ms = 2000;
    cfg.low_speed_seconds = 10;
    cfg.ca_file = ca_file;
    assert_int_equal(s3_client_new(&cfg, &c, &err), S3_OK);
    return c;
}

static struct s3_client *client_for(const char *endpoint, const char *access_key,
                                    const char *secret_key, int retries)
{
    return tls_client_for(endpoint, access_key, secret_key, retries, NULL);
}

static struct s3_client *store_client(const struct fixture *fx)
{
    return client_for(fx->endpoint, fx->access_key, fx->secret_key, 2);
}

/* Deterministic bytes that differ for each seed. */
static uint8_t *make_data(size_t len, uint64_t seed)
{
    uint8_t *p = malloc(len ? len : 1);
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

    assert_non_null(p);
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)x;
    }
    return p;
}

static void hex_digest(gnutls_digest_algorithm_t alg, const void *data, size_t len, char *hex)
{
    unsigned char digest[32];
    size_t n = gnutls_hash_get_len(alg);

    assert_int_equal(gnutls_hash_fast(alg, data, len, digest), 0);
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", digest[i]);
}

struct sink {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t calls;
};

static int sink_write(void *ctx, const void *data, size_t len)
{
    struct sink *s = ctx;

    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + len)
            cap *= 2;
        s->data = realloc(s->data, cap);
        if (s->data == NULL) return -1;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    s->calls++;
    return 0;
}

static int sink_refuse(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return 1;
}

struct source {
    const uint8_t *data;
    size_t len;
    size_t pos;
    size_t chunk; /* largest count one read returns */
    int rewinds;
    size_t fail_at; /* return -1 once pos reaches this (0: never) */
};

static ssize_t source_read(void *ctx, void *buf, size_t len)
{
    struct source *s = ctx;
    size_t n = s->len - s->pos;

    if (s->fail_at != 0 && s->pos >= s->fail_at) return -1;
    if (n > len) n = len;
    if (n > s->chunk) n = s->chunk;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

static int source_rewind(void *ctx)
{
    struct source *s = ctx;

    s->pos = 0;
    s->rewinds++;
    return 0;
}

static struct s3_body stream_body(struct source *src, bool rewindable)
{
    struct s3_body body = {.length = src->len,
                           .read = source_read,
                           .ctx = src,
                           .rewind = rewindable ? source_rewind : NULL};
    return body;
}

static void put_mem(struct s3_client *c, const char *bucket, const char *key, const void *data,
                    size_t len)
{
    struct s3_body body = s3_body_mem(data, len);
    struct s3_error err;
    char msg[512];
    int rc = s3_put_object(c, bucket, key, &body, NULL, NULL, &err);

    if (rc != S3_OK) fail_msg("put %s: %s", key, s3_error_format(&err, msg, sizeof(msg)));
}

static void expect_object(struct s3_client *c, const char *bucket, const char *key,
                          const void *data, size_t len)
{
    struct sink got = {0};
    struct s3_error err;
    char msg[512];

    if (s3_get_object(c, bucket, key, 0, S3_WHOLE_OBJECT, sink_write, &got, NULL, &err) != S3_OK)
        fail_msg("get %s: %s", key, s3_error_format(&err, msg, sizeof(msg)));
    assert_int_equal(got.len, len);
    assert_memory_equal(got.data, data, len);
    free(got.data);
}

static long elapsed_ms(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* A completed or aborted upload: 404, NoSuchUpload on AWS, NoSuchKey on RGW 16.2. */
static void assert_upload_gone(const struct s3_error *err)
{
    assert_int_equal(err->http_status, 404);
    assert_false(err->retryable);
    if (strcmp(err->code, "NoSuchUpload") != 0 && strcmp(err->code, "NoSuchKey") != 0)
        fail_msg("code %s, expected NoSuchUpload or NoSuchKey", err->code);
}

/* ---- configuration and argument checks (no request sent) ---------------------------------- */

static void config_rejects_bad_endpoints_and_limits(void **state)
{
    static const char *const bad_endpoints[] = {
        "ftp://127.0.0.1:1",
        "http://user:pw@127.0.0.1:1",
        "http://127.0.0.1:1/prefix",
        "http://127.0.0.1:1/?x=1",
        "not a url",
    };
    struct s3_config cfg;
    struct s3_client *c = (struct s3_client *)1;
    struct s3_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_endpoints) / sizeof(bad_endpoints[0]); i++) {
        s3_config_init(&cfg);
        cfg.endpoint = bad_endpoints[i];
        cfg.access_key = "AK";
        cfg.secret_key = "SECRETVALUE";
        assert_int_equal(s3_client_new(&cfg, &c, &err), S3_ERR_INVALID);
        assert_null(c);
        assert_null(strstr(err.curl_error, "pw"));
    }
    s3_config_init(&cfg);
    cfg.endpoint = "http://127.0.0.1:1/";
    cfg.access_key = "AK";
    assert_int_equal(s3_client_new(&cfg, &c, &err), S3_ERR_INVALID); /* no secret */
    cfg.secret_key = "SECRETVALUE";
    cfg.max_retries = S3_MAX_RETRIES_LIMIT + 1;
    assert_int_equal(s3_client_new(&cfg, &c, &err), S3_ERR_INVALID);
    cfg.max_retries = 0;
    cfg.region = "eu west";
    assert_int_equal(s3_client_new(&cfg, &c, &err), S3_ERR_INVALID);
    cfg.region = NULL;
    assert_int_equal(s3_client_new(&cfg, &c, &err), S3_OK); /* trailing slash is fine */
    s3_client_free(c);
}

static void bad_names_fail_before_any_request(void **state)
{
    struct s3_client *c = client_for("http://127.0.0.1:1", "AK", "SK", 3);
    struct s3_body body = s3_body_mem("x", 1);
    struct s3_error err;
    char long_key[S3_MAX_KEY_BYTES + 2];
    static const char *const bad_buckets[] = {"ab",
                                              "Upper",
                                              "-lead",
                                              "trail-",
                                              "under_score",
                                              "a234567890123456789012345678901234567890123456789"
                                              "012345678901234"}; /* 64 */

    (void)state;
    for (size_t i = 0; i < sizeof(bad_buckets) / sizeof(bad_buckets[0]); i++) {
        assert_int_equal(s3_create_bucket(c, bad_buckets[i], &err), S3_ERR_INVALID);
        assert_int_equal(err.attempts, 0);
    }
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    assert_int_equal(s3_put_object(c, "good-bucket", long_key, &body, NULL, NULL, &err),
                     S3_ERR_INVALID);
    assert_int_equal(s3_put_object(c, "good-bucket", "", &body, NULL, NULL, &err), S3_ERR_INVALID);
    assert_int_equal(s3_get_object(c, "good-bucket", "k", 5, 0, sink_write, NULL, NULL, &err),
                     S3_ERR_INVALID);
    assert_int_equal(err.attempts, 0);
    s3_client_free(c);
}

/* ---- buckets ------------------------------------------------------------------------------ */

static void create_bucket_then_again_succeeds(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    struct s3_error err;
    char msg[512];

    if (s3_create_bucket(c, fx->bucket, &err) != S3_OK)
        fail_msg("%s", s3_error_format(&err, msg, sizeof(msg)));
    assert_int_equal(err.http_status, 200);
    assert_int_equal(s3_head_bucket(c, fx->bucket, &err), S3_OK);
    /* Already ours: RGW answers 200 again, others 409 BucketAlreadyOwnedByYou: both S3_OK. */
    assert_int_equal(s3_create_bucket(c, fx->bucket, &err), S3_OK);
    s3_client_free(c);
}

/* A client for a new user made with `rgw.sh add-user`. */
static struct s3_client *new_user_client(const struct fixture *fx, const char *uid, bool no_buckets)
{
    char out[PATH_MAX + 16], access_key[128], secret_key[128];

    snprintf(out, sizeof(out), "%s/%s.env", fx->dir, uid);
    assert_int_equal(run_harness(fx,
                                 (const char *const[]){"add-user", fx->dir, uid,
                                                       no_buckets ? "--no-buckets" : NULL, NULL},
                                 out),
                     0);
    assert_int_equal(env_value(out, "RGW_ACCESS_KEY", access_key, sizeof(access_key)), 0);
    assert_int_equal(env_value(out, "RGW_SECRET_KEY", secret_key, sizeof(secret_key)), 0);
    return client_for(fx->endpoint, access_key, secret_key, 2);
}

static void bucket_of_another_user_gives_409_and_no_bucket_right_gives_403(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *other = new_user_client(fx, "other", false);
    struct s3_error err;

    assert_int_equal(s3_create_bucket(other, fx->bucket, &err), S3_ERR_STORE);
    assert_int_equal(err.http_status, 409);
    assert_string_equal(err.code, "BucketAlreadyExists");
    assert_false(err.retryable);
    assert_int_equal(err.attempts, 1);
    s3_client_free(other);

    other = new_user_client(fx, "nobuckets", true);
    assert_int_equal(s3_create_bucket(other, "hc-never-created", &err), S3_ERR_STORE);
    assert_int_equal(err.http_status, 403);
    assert_string_equal(err.code, "AccessDenied");
    assert_int_equal(err.attempts, 1);
    s3_client_free(other);
}

static void missing_bucket_gives_NoSuchBucket(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    struct s3_list_page page = {0};
    struct s3_error err;

    put_mem(c, fx->bucket, "exists", "x", 1);
    {
        struct s3_body body = s3_body_mem("abc", 3);
        assert_int_equal(s3_put_object(c, "hc-no-such-bucket", "k", &body, NULL, NULL, &err),
                         S3_ERR_STORE);
    }
    assert_int_equal(err.http_status, 404);
    assert_string_equal(err.code, "NoSuchBucket");
    assert_false(err.retryable);
    assert_int_equal(err.attempts, 1);
    assert_true(err.request_id[0] != '\0');
    assert_int_equal(s3_list_objects(c, "hc-no-such-bucket", NULL, &page, &err), S3_ERR_STORE);
    assert_string_equal(err.code, "NoSuchBucket");
    assert_int_equal(page.object_count, 0);
    assert_int_equal(s3_head_bucket(c, "hc-no-such-bucket", &err), S3_ERR_STORE);
    assert_int_equal(err.http_status, 404); /* a HEAD answer has no body, hence no code */
    s3_client_free(c);
}

/* ---- objects ------------------------------------------------------------------------------ */

static void put_get_head_delete_round_trip(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    const size_t len = MIB + 4321;
    uint8_t *data = make_data(len, 1);
    struct s3_body body = s3_body_mem(data, len);
    struct s3_object_head head;
    struct s3_error err;
    struct sink got = {0};
    char etag[S3_ETAG_MAX], md5[33];

    assert_int_equal(s3_put_object(c, fx->bucket, "round/trip.bin", &body,
                                   "application/octet-stream", etag, &err),
                     S3_OK);
    hex_digest(GNUTLS_DIG_MD5, data, len, md5);
    assert_string_equal(etag, md5); /* the store hashed exactly our bytes */
    assert_int_equal(s3_get_object(c, fx->bucket, "round/trip.bin", 0, S3_WHOLE_OBJECT, sink_write,
                                   &got, &head, &err),
                     S3_OK);
    assert_int_equal(got.len, len);
    assert_memory_equal(got.data, data, len);
    assert_int_equal(head.size, len);
    assert_string_equal(head.etag, md5);
    memset(&head, 0, sizeof(head));
    assert_int_equal(s3_head_object(c, fx->bucket, "round/trip.bin", &head, &err), S3_OK);
    assert_int_equal(head.size, len);
    assert_string_equal(head.etag, md5);
    assert_true(head.last_modified > time(NULL) - 3600 && head.last_modified < time(NULL) + 3600);

    assert_int_equal(s3_delete_object(c, fx->bucket, "round/trip.bin", &err), S3_OK);
    assert_int_equal(s3_head_object(c, fx->bucket, "round/trip.bin", &head, &err), S3_ERR_STORE);
    assert_int_equal(err.http_status, 404);
    got.len = 0;
    assert_int_equal(s3_get_object(c, fx->bucket, "round/trip.bin", 0, S3_WHOLE_OBJECT, sink_write,
                                   &got, NULL, &err),
                     S3_ERR_STORE);
    assert_string_equal(err.code, "NoSuchKey");
    assert_int_equal(got.len, 0); /* the error document never reaches the sink */
    assert_int_equal(s3_delete_object(c, fx->bucket, "round/trip.bin", &err), S3_OK);
    free(got.data);
    free(data);
    s3_client_free(c);
}

static void empty_object_round_trip(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    struct s3_object_head head;
    struct s3_error err;

    put_mem(c, fx->bucket, "empty", "", 0);
    expect_object(c, fx->bucket, "empty", "", 0);
    assert_int_equal(s3_head_object(c, fx->bucket, "empty", &head, &err), S3_OK);
    assert_int_equal(head.size, 0);
    assert_string_equal(head.etag, "d41d8cd98f00b204e9800998ecf8427e"); /* MD5 of nothing */
    s3_client_free(c);
}

static void keys_with_special_characters_round_trip(void **state)
{
    static const char *const keys[] = {
        "dir one/file two.txt",      "plus+and&amp=equals?query#hash",
        "percent%20literal",         "unicode/\xc3\xbc\xc3\x9f\xe2\x82\xac",
        "tilde~star*(paren)'quote'", "a//double/slash",
    };
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    struct s3_list_request req = {.prefix = "special/"};
    struct s3_list_page page = {0};
    struct s3_error err;
    char key[256];
    size_t n = sizeof(keys) / sizeof(keys[0]);

    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "special/%s", keys[i]);
        put_mem(c, fx->bucket, key, keys[i], strlen(keys[i]));
        expect_object(c, fx->bucket, key, keys[i], strlen(keys[i]));
    }
    assert_int_equal(s3_list_objects(c, fx->bucket, &req, &page, &err), S3_OK);
    assert_int_equal(page.object_count, n);
    for (size_t i = 0; i < n; i++) { /* every listed key is one we wrote, byte for byte */
        bool found = false;
        for (size_t j = 0; j < n && !found; j++) {
            snprintf(key, sizeof(key), "special/%s", keys[j]);
            found = strcmp(page.objects[i].key, key) == 0;
        }
        assert_true(found);
    }
    s3_list_page_free(&page);
    s3_client_free(c);
}

static void streamed_put_reads_the_callback_in_pieces(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    const size_t len = 3 * MIB + 17;
    uint8_t *data = make_data(len, 2);
    struct source src = {.data = data, .len = len, .chunk = 4097};
    struct s3_body body = stream_body(&src, true);
    struct s3_error err;
    char etag[S3_ETAG_MAX], md5[33], sha[65];

    assert_int_equal(s3_put_object(c, fx->bucket, "stream/unsigned", &body, NULL, etag, &err),
                     S3_OK);
    assert_int_equal(src.pos, len);
    hex_digest(GNUTLS_DIG_MD5, data, len, md5);
    assert_string_equal(etag, md5);
    expect_object(c, fx->bucket, "stream/unsigned", data, len);

    /* With the caller's SHA-256 the payload is signed, and the store checks it. */
    hex_digest(GNUTLS_DIG_SHA256, data, len, sha);
    src.pos = 0;
    body.sha256_hex = sha;
    assert_int_equal(s3_put_object(c, fx->bucket, "stream/signed", &body, NULL, NULL, &err), S3_OK);
    expect_object(c, fx->bucket, "stream/signed", data, len);
    data[len / 2] ^= 1; /* the bytes no longer match the announced hash */
    src.pos = 0;
    assert_int_equal(s3_put_object(c, fx->bucket, "stream/corrupt", &body, NULL, NULL, &err),
                     S3_ERR_STORE);
    assert_int_equal(err.http_status, 400);
    assert_string_equal(err.code, "XAmzContentSHA256Mismatch");
    assert_false(err.retryable);
    assert_int_equal(s3_head_object(c, fx->bucket, "stream/corrupt", NULL, &err), S3_ERR_STORE);
    assert_int_equal(err.http_status, 404);
    free(data);
    s3_client_free(c);
}

static void callbacks_that_stop_fail_with_S3_ERR_CALLBACK(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    uint8_t *data = make_data(MIB, 3);
    struct source src = {.data = data, .len = MIB, .chunk = 65536, .fail_at = MIB / 2};
    struct s3_body body = stream_body(&src, true);
    struct s3_error err;

    assert_int_equal(s3_put_object(c, fx->bucket, "cb/stopped", &body, NULL, NULL, &err),
                     S3_ERR_CALLBACK);
    assert_false(err.retryable);
    assert_int_equal(err.attempts, 1);
    assert_int_equal(s3_head_object(c, fx->bucket, "cb/stopped", NULL, &err), S3_ERR_STORE);

    /* A source that ends early: the body is shorter than announced. */
    src.fail_at = 0;
    src.pos = 0;
    src.len = MIB / 4;
    body.length = MIB;
    assert_int_equal(s3_put_object(c, fx->bucket, "cb/short", &body, NULL, NULL, &err),
                     S3_ERR_CALLBACK);
    assert_non_null(strstr(err.curl_error, "ended after"));

    put_mem(c, fx->bucket, "cb/get", data, MIB);
    assert_int_equal(
        s3_get_object(c, fx->bucket, "cb/get", 0, S3_WHOLE_OBJECT, sink_refuse, NULL, NULL, &err),
        S3_ERR_CALLBACK);
    assert_int_equal(err.attempts, 1);
    free(data);
    s3_client_free(c);
}

static void ranged_get_returns_exactly_the_range(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    const size_t len = 200000;
    uint8_t *data = make_data(len, 4);
    struct s3_object_head head;
    struct s3_error err;
    struct sink got = {0};

    put_mem(c, fx->bucket, "range/obj", data, len);
    assert_int_equal(
        s3_get_object(c, fx->bucket, "range/obj", 1000, 5000, sink_write, &got, &head, &err),
        S3_OK);
    assert_int_equal(err.http_status, 206);
    assert_int_equal(got.len, 5000);
    assert_memory_equal(got.data, data + 1000, 5000);
    assert_int_equal(head.size, len); /* the whole object's size, from Content-Range */

    got.len = 0; /* from an offset to the end */
    assert_int_equal(s3_get_object(c, fx->bucket, "range/obj", len - 777, S3_WHOLE_OBJECT,
                                   sink_write, &got, &head, &err),
                     S3_OK);
    assert_int_equal(got.len, 777);
    assert_memory_equal(got.data, data + len - 777, 777);

    got.len = 0; /* the last byte alone */
    assert_int_equal(
        s3_get_object(c, fx->bucket, "range/obj", len - 1, 1, sink_write, &got, NULL, &err), S3_OK);
    assert_int_equal(got.len, 1);
    assert_int_equal(got.data[0], data[len - 1]);

    got.len = 0; /* past the end */
    assert_int_equal(
        s3_get_object(c, fx->bucket, "range/obj", len, 10, sink_write, &got, NULL, &err),
        S3_ERR_STORE);
    assert_int_equal(err.http_status, 416);
    assert_string_equal(err.code, "InvalidRange");
    assert_int_equal(got.len, 0);
    free(got.data);
    free(data);
    s3_client_free(c);
}

/* ---- listing ------------------------------------------------------------------------------ */

static void list_pages_through_prefix_with_continuation(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    struct s3_list_request req = {.prefix = "list/a/", .max_keys = 5};
    struct s3_list_page page = {0};
    struct s3_error err;
    char key[64], expected[64];
    size_t seen = 0;
    int pages = 0;

    for (int i = 0; i < 23; i++) {
        snprintf(key, sizeof(key), "list/a/%03d", i);
        put_mem(c, fx->bucket, key, key, strlen(key));
    }
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof(key), "list/b/%d", i);
        put_mem(c, fx->bucket, key, "b", 1);
    }
    put_mem(c, fx->bucket, "list/top", "t", 1);
    do {
        assert_int_equal(s3_list_objects(c, fx->bucket, &req, &page, &err), S3_OK);
        pages++;
        assert_true(page.object_count <= 5);
        for (size_t i = 0; i < page.object_count; i++, seen++) {
            snprintf(expected, sizeof(expected), "list/a/%03zu", seen);
            assert_string_equal(page.objects[i].key, expected);
            assert_int_equal(page.objects[i].size, strlen(expected));
            assert_true(page.objects[i].etag[0] != '\0');
        }
        req.continuation_token = page.next_continuation_token; /* points into the reused page */
    } while (page.is_truncated);
    assert_int_equal(seen, 23);
    assert_int_equal(pages, 5);
    assert_null(page.next_continuation_token);

    /* A delimiter groups the deeper keys. */
    req = (struct s3_list_request){.prefix = "list/", .delimiter = "/"};
    assert_int_equal(s3_list_objects(c, fx->bucket, &req, &page, &err), S3_OK);
    assert_int_equal(page.prefix_count, 2);
    assert_string_equal(page.common_prefixes[0], "list/a/");
    assert_string_equal(page.common_prefixes[1], "list/b/");
    assert_int_equal(page.object_count, 1);
    assert_string_equal(page.objects[0].key, "list/top");
    assert_false(page.is_truncated);

    /* An unmatched prefix lists nothing. */
    req = (struct s3_list_request){.prefix = "list/zzz"};
    assert_int_equal(s3_list_objects(c, fx->bucket, &req, &page, &err), S3_OK);
    assert_int_equal(page.object_count, 0);
    s3_list_page_free(&page);
    s3_client_free(c);
}

/* ---- multipart ---------------------------------------------------------------------------- */

static void multipart_12MiB_list_parts_complete_and_read_back(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    const size_t len = 12 * MIB, part = 5 * MIB;
    uint8_t *data = make_data(len, 5);
    const char *key = "multi/12MiB.bin";
    char upload_id[S3_UPLOAD_ID_MAX], etag[S3_ETAG_MAX];
    struct s3_part sent[3], *listed = NULL;
    struct source last = {.data = data + 2 * part, .len = len - 2 * part, .chunk = 100000};
    struct s3_body body;
    struct s3_object_head head;
    struct s3_error err;
    size_t count = 0;
    char msg[512];

    assert_int_equal(
        s3_multipart_create(c, fx->bucket, key, "application/octet-stream", upload_id, &err),
        S3_OK);
    assert_true(strlen(upload_id) > 0);
    for (int i = 0; i < 2; i++) { /* parts 1 and 2 from memory */
        body = s3_body_mem(data + (size_t)i * part, part);
        sent[i].number = i + 1;
        sent[i].size = part;
        if (s3_multipart_upload_part(c, fx->bucket, key, upload_id, i + 1, &body, sent[i].etag,
                                     &err) != S3_OK)
            fail_msg("part %d: %s", i + 1, s3_error_format(&err, msg, sizeof(msg)));
    }
    /* Resuming: the parts stored so far come back with their numbers, sizes and ETags. */
    assert_int_equal(s3_multipart_list_parts(c, fx->bucket, key, upload_id, &listed, &count, &err),
                     S3_OK);
    assert_int_equal(count, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(listed[i].number, sent[i].number);
        assert_int_equal(listed[i].size, part);
        assert_string_equal(listed[i].etag, sent[i].etag);
    }
    free(listed);
    body = stream_body(&last, true); /* the last, shorter part streamed */
    sent[2].number = 3;
    sent[2].size = last.len;
    assert_int_equal(
        s3_multipart_upload_part(c, fx->bucket, key, upload_id, 3, &body, sent[2].etag, &err),
        S3_OK);
    assert_int_equal(s3_multipart_list_parts(c, fx->bucket, key, upload_id, &listed, &count, &err),
                     S3_OK);
    assert_int_equal(count, 3);
    assert_int_equal(listed[2].size, 2 * MIB);
    if (s3_multipart_complete(c, fx->bucket, key, upload_id, listed, count, etag, &err) != S3_OK)
        fail_msg("complete: %s", s3_error_format(&err, msg, sizeof(msg)));
    free(listed);
    assert_non_null(strstr(etag, "-3")); /* a multipart ETag names its part count */
    assert_int_equal(s3_head_object(c, fx->bucket, key, &head, &err), S3_OK);
    assert_int_equal(head.size, len);
    assert_string_equal(head.etag, etag);
    expect_object(c, fx->bucket, key, data, len);
    /* The upload is gone once completed. */
    assert_int_equal(s3_multipart_list_parts(c, fx->bucket, key, upload_id, &listed, &count, &err),
                     S3_ERR_STORE);
    assert_upload_gone(&err);
    free(data);
    s3_client_free(c);
}

static void multipart_small_first_part_gives_EntityTooSmall(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    uint8_t *data = make_data(2 * MIB, 6);
    char upload_id[S3_UPLOAD_ID_MAX];
    struct s3_part parts[2] = {{.number = 1}, {.number = 2}};
    struct s3_body body;
    struct s3_error err;

    assert_int_equal(s3_multipart_create(c, fx->bucket, "multi/small", NULL, upload_id, &err),
                     S3_OK);
    for (int i = 0; i < 2; i++) {
        body = s3_body_mem(data + (size_t)i * MIB, MIB);
        assert_int_equal(s3_multipart_upload_part(c, fx->bucket, "multi/small", upload_id, i + 1,
                                                  &body, parts[i].etag, &err),
                         S3_OK);
    }
    assert_int_equal(
        s3_multipart_complete(c, fx->bucket, "multi/small", upload_id, parts, 2, NULL, &err),
        S3_ERR_STORE);
    assert_int_equal(err.http_status, 400);
    assert_string_equal(err.code, "EntityTooSmall");
    assert_false(err.retryable);
    assert_int_equal(s3_multipart_abort(c, fx->bucket, "multi/small", upload_id, &err), S3_OK);
    free(data);
    s3_client_free(c);
}

static void multipart_abort_removes_the_upload(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    uint8_t *data = make_data(MIB, 7);
    char upload_id[S3_UPLOAD_ID_MAX], etag[S3_ETAG_MAX];
    struct s3_body body = s3_body_mem(data, MIB);
    struct s3_part *parts = NULL;
    struct s3_error err;
    size_t count = 99;

    assert_int_equal(s3_multipart_create(c, fx->bucket, "multi/aborted", NULL, upload_id, &err),
                     S3_OK);
    assert_int_equal(
        s3_multipart_list_parts(c, fx->bucket, "multi/aborted", upload_id, &parts, &count, &err),
        S3_OK);
    assert_int_equal(count, 0);
    assert_int_equal(
        s3_multipart_upload_part(c, fx->bucket, "multi/aborted", upload_id, 1, &body, etag, &err),
        S3_OK);
    assert_int_equal(s3_multipart_abort(c, fx->bucket, "multi/aborted", upload_id, &err), S3_OK);
    assert_int_equal(s3_multipart_abort(c, fx->bucket, "multi/aborted", upload_id, &err),
                     S3_ERR_STORE);
    assert_upload_gone(&err);
    assert_int_equal(
        s3_multipart_list_parts(c, fx->bucket, "multi/aborted", upload_id, &parts, &count, &err),
        S3_ERR_STORE);
    assert_upload_gone(&err);
    assert_int_equal(
        s3_multipart_upload_part(c, fx->bucket, "multi/aborted", upload_id, 2, &body, etag, &err),
        S3_ERR_STORE);
    assert_int_equal(err.http_status, 404);
    assert_int_equal(s3_head_object(c, fx->bucket, "multi/aborted", NULL, &err), S3_ERR_STORE);
    free(data);
    s3_client_free(c);
}

struct part_job {
    const struct fixture *fx;
    struct s3_share *share;
    const char *key;
    const char *upload_id;
    const uint8_t *data;
    size_t len;
    int number;
    char etag[S3_ETAG_MAX];
    int rc;
};

static void *upload_part_thread(void *arg)
{
    struct part_job *job = arg;
    struct s3_config cfg;
    struct s3_client *c = NULL;
    struct s3_body body = s3_body_mem(job->data, job->len);
    struct s3_error err;

    s3_config_init(&cfg);
    cfg.endpoint = job->fx->endpoint;
    cfg.access_key = job->fx->access_key;
    cfg.secret_key = job->fx->secret_key;
    cfg.share = job->share;
    job->rc = s3_client_new(&cfg, &c, &err);
    if (job->rc == S3_OK)
        job->rc = s3_multipart_upload_part(c, job->fx->bucket, job->key, job->upload_id,
                                           job->number, &body, job->etag, &err);
    s3_client_free(c);
    return NULL;
}

static void parts_upload_in_parallel_with_a_client_per_thread(void **state)
{
    enum { THREADS = 3 };
    struct fixture *fx = *state;
    struct s3_client *c = store_client(fx);
    const size_t part = 5 * MIB, len = THREADS * part;
    uint8_t *data = make_data(len, 8);
    struct part_job jobs[THREADS];
    pthread_t threads[THREADS];
    struct s3_part parts[THREADS];
    struct s3_share *share = NULL;
    char upload_id[S3_UPLOAD_ID_MAX];
    struct s3_error err;

    assert_int_equal(s3_share_new(&share), S3_OK);
    assert_int_equal(s3_multipart_create(c, fx->bucket, "multi/parallel", NULL, upload_id, &err),
                     S3_OK);
    for (int i = 0; i < THREADS; i++) {
        /* Started in reverse order: part n still holds the n-th slice. */
        jobs[i] = (struct part_job){.fx = fx,
                                    .share = share,
                                    .key = "multi/parallel",
                                    .upload_id = upload_id,
                                    .number = THREADS - i,
                                    .data = data + (size_t)(THREADS - 1 - i) * part,
                                    .len = part};
        assert_int_equal(pthread_create(&threads[i], NULL, upload_part_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(jobs[i].rc, S3_OK);
        parts[jobs[i].number - 1].number = jobs[i].number;
        memcpy(parts[jobs[i].number - 1].etag, jobs[i].etag, S3_ETAG_MAX);
    }
    assert_int_equal(s3_multipart_complete(c, fx->bucket, "multi/parallel", upload_id, parts,
                                           THREADS, NULL, &err),
                     S3_OK);
    expect_object(c, fx->bucket, "multi/parallel", data, len);
    s3_share_free(share);
    free(data);
    s3_client_free(c);
}

/* ---- credentials -------------------------------------------------------------------------- */

static void wrong_secret_gives_403_SignatureDoesNotMatch_without_retry(void **state)
{
    struct fixture *fx = *state;
    char wrong[160];
    struct s3_client *c;
    struct s3_body body = s3_body_mem("data", 4);
    struct s3_error err;
    char msg[1024];

    snprintf(wrong, sizeof(wrong), "%sx", fx->secret_key);
    c = client_for(fx->endpoint, fx->access_key, wrong, 3);
    assert_int_equal(s3_put_object(c, fx->bucket, "denied", &body, NULL, NULL, &err), S3_ERR_STORE);
    assert_int_equal(err.http_status, 403);
    assert_string_equal(err.code, "SignatureDoesNotMatch");
    assert_false(err.retryable);
    assert_int_equal(err.attempts, 1); /* 4xx is never retried */
    s3_error_format(&err, msg, sizeof(msg));
    assert_non_null(strstr(msg, "SignatureDoesNotMatch"));
    assert_null(strstr(msg, fx->secret_key)); /* no credential in what would be logged */
    assert_null(strstr(msg, wrong));
    assert_null(memmem(&err, sizeof(err), fx->secret_key, strlen(fx->secret_key)));
    s3_client_free(c);

    c = client_for(fx->endpoint, "NOSUCHACCESSKEY00000", fx->secret_key, 3);
    assert_int_equal(s3_head_bucket(c, fx->bucket, &err), S3_ERR_STORE);
    assert_int_equal(err.http_status, 403);
    assert_int_equal(err.attempts, 1);
    assert_int_equal(s3_list_objects(c, fx->bucket, NULL, &(struct s3_list_page){0}, &err),
                     S3_ERR_STORE);
    assert_string_equal(err.code, "InvalidAccessKeyId");
    s3_client_free(c);
}

/* ---- TLS ---------------------------------------------------------------------------------- */

static void https_endpoint_works_with_its_ca_file_and_refuses_an_unknown_certificate(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c =
        tls_client_for(fx->https_endpoint, fx->access_key, fx->secret_key, 2, fx->ca_file);
    uint8_t *data = make_data(MIB, 11);
    struct s3_body body = s3_body_mem(data, MIB);
    struct s3_error err;
    char msg[512];

    if (s3_put_object(c, fx->bucket, "tls/object", &body, NULL, NULL, &err) != S3_OK)
        fail_msg("%s", s3_error_format(&err, msg, sizeof(msg)));
    expect_object(c, fx->bucket, "tls/object", data, MIB);
    s3_client_free(c);

    /* The self-signed certificate is not in the system store: refused, and not retried. */
    c = tls_client_for(fx->https_endpoint, fx->access_key, fx->secret_key, 2, NULL);
    assert_int_equal(s3_head_object(c, fx->bucket, "tls/object", NULL, &err), S3_ERR_NETWORK);
    assert_false(err.retryable);
    assert_int_equal(err.attempts, 1);
    assert_true(err.curl_error[0] != '\0');
    s3_client_free(c);
    free(data);
}

/* ---- network failures --------------------------------------------------------------------- */

/* A loopback port nobody listens on: bound, never listened to, then closed. */
static int closed_port(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static void closed_port_gives_retryable_network_error_retried_n_times(void **state)
{
    char endpoint[64];
    struct s3_client *c;
    struct s3_body body = s3_body_mem("data", 4);
    struct s3_error err;
    struct timespec start;

    (void)state;
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", closed_port());
    c = client_for(endpoint, "AK", "SK", 3);
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(s3_put_object(c, "some-bucket", "k", &body, NULL, NULL, &err), S3_ERR_NETWORK);
    assert_true(err.retryable);
    assert_int_equal(err.attempts, 4); /* 1 + max_retries */
    assert_int_equal(err.http_status, 0);
    assert_true(err.curl_error[0] != '\0');
    /* Backoff base 10 ms: at least 5 + 10 + 20 ms of sleeping between the four attempts. */
    assert_true(elapsed_ms(&start) >= 35);
    s3_client_free(c);

    c = client_for(endpoint, "AK", "SK", 0);
    assert_int_equal(s3_head_bucket(c, "some-bucket", &err), S3_ERR_NETWORK);
    assert_int_equal(err.attempts, 1);
    s3_client_free(c);
}

/* ---- last: the gateway goes away ---------------------------------------------------------- */

static void stopped_gateway_gives_retryable_network_error(void **state)
{
    struct fixture *fx = *state;
    struct s3_client *c = client_for(fx->endpoint, fx->access_key, fx->secret_key, 2);
    struct s3_error err;

    assert_int_equal(s3_head_bucket(c, fx->bucket, &err), S3_OK); /* a kept-alive connection */
    assert_int_equal(run_harness(fx, (const char *const[]){"stop-gateway", fx->dir, NULL}, NULL),
                     0);
    reap_orphans();
    assert_int_equal(s3_head_bucket(c, fx->bucket, &err), S3_ERR_NETWORK);
    assert_true(err.retryable);
    assert_int_equal(err.attempts, 3);
    assert_int_equal(err.http_status, 0);
    s3_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_rejects_bad_endpoints_and_limits),
        cmocka_unit_test(bad_names_fail_before_any_request),
        cmocka_unit_test(create_bucket_then_again_succeeds),
        cmocka_unit_test(bucket_of_another_user_gives_409_and_no_bucket_right_gives_403),
        cmocka_unit_test(missing_bucket_gives_NoSuchBucket),
        cmocka_unit_test(put_get_head_delete_round_trip),
        cmocka_unit_test(empty_object_round_trip),
        cmocka_unit_test(keys_with_special_characters_round_trip),
        cmocka_unit_test(streamed_put_reads_the_callback_in_pieces),
        cmocka_unit_test(callbacks_that_stop_fail_with_S3_ERR_CALLBACK),
        cmocka_unit_test(ranged_get_returns_exactly_the_range),
        cmocka_unit_test(list_pages_through_prefix_with_continuation),
        cmocka_unit_test(multipart_12MiB_list_parts_complete_and_read_back),
        cmocka_unit_test(multipart_small_first_part_gives_EntityTooSmall),
        cmocka_unit_test(multipart_abort_removes_the_upload),
        cmocka_unit_test(parts_upload_in_parallel_with_a_client_per_thread),
        cmocka_unit_test(wrong_secret_gives_403_SignatureDoesNotMatch_without_retry),
        cmocka_unit_test(https_endpoint_works_with_its_ca_file_and_refuses_an_unknown_certificate),
        cmocka_unit_test(closed_port_gives_retryable_network_error_retried_n_times),
        cmocka_unit_test(stopped_gateway_gives_retryable_network_error),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
