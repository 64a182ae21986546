/*
 * config.h — hotcopyd's command line: the flags, their defaults and their parsing (pure: no I/O
 * beyond what the caller prints). `hotcopyd --help` prints hc_config_usage().
 */
#ifndef HOTCOPY_SERVER_CONFIG_H
#define HOTCOPY_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HC_CONFIG_INSTANCES_MAX 16
#define HC_DEFAULT_LISTEN_HOST "127.0.0.1"
#define HC_DEFAULT_LISTEN_PORT 8080
#define HC_DEFAULT_DATA_DIR "./data"
#define HC_DEFAULT_INSTANCE "default"
#define HC_DEFAULT_LOG_FILE_KIB 5120
#define HC_DEFAULT_PAGE_SIZE 8192
#define HC_DEFAULT_CACHE_MIB 64
#define HC_DEFAULT_THREADS 4
#define HC_DEFAULT_MAX_BODY (1024 * 1024)
#define HC_DEFAULT_MAX_CONNECTIONS 512
#define HC_DEFAULT_MAX_PER_IP 128
#define HC_DEFAULT_IDLE_TIMEOUT 60
#define HC_CONFIG_TARGETS_MAX 8
#define HC_DEFAULT_TARGET_REGION "us-east-1"

struct hc_instance_config {
    char *name; /* owned */
    char *dir;  /* owned; the instance's log, system and database directory */
};

/* An offsite target as the flags name it (server/target.c resolves credentials and the URL). */
struct hc_target_config {
    char *name;             /* owned; a plain name (names.h rules) */
    char *url;              /* owned; "s3://BUCKET[/PREFIX]" (--target) */
    char *endpoint;         /* owned; "http(s)://HOST[:PORT]" (--target-endpoint) */
    char *region;           /* owned; --target-region, default HC_DEFAULT_TARGET_REGION */
    char *credentials_file; /* owned; --target-credentials, NULL: HOTCOPY_TARGET_<NAME>_* */
};

struct hc_config {
    char *listen_host; /* owned */
    unsigned listen_port; /* 0: pick a free port (the bound one is printed) */
    char *data_dir;    /* owned */
    struct hc_instance_config instances[HC_CONFIG_INSTANCES_MAX];
    size_t instance_count; /* 0 after parsing means: DEFAULT_INSTANCE in DATA/default */
    char *token_file;  /* owned; NULL: DATA/token */
    char *tls_cert;    /* owned; both or neither */
    char *tls_key;
    unsigned log_file_kib;
    unsigned page_size;
    unsigned cache_mib;
    unsigned threads;
    bool metrics_public;
    bool demo;
    uint64_t max_body;
    unsigned max_connections;
    unsigned max_per_ip;
    unsigned idle_timeout;
    bool print_routes; /* print the route table and exit */
    char *healthcheck_url; /* owned; --healthcheck URL: probe it and exit (healthcheck.h) */
    struct hc_target_config targets[HC_CONFIG_TARGETS_MAX];
    size_t target_count; /* each has name, url, endpoint and region after HC_CONFIG_RUN */
};

enum hc_config_result {
    HC_CONFIG_RUN,     /* start the server */
    HC_CONFIG_HELP,    /* --help: print usage, exit 0 */
    HC_CONFIG_VERSION, /* --version: print the version, exit 0 */
    HC_CONFIG_ERROR    /* bad command line: err holds the reason, exit 2 */
};

/* Fills cfg from argv (defaults first). On HC_CONFIG_ERROR err (errcap bytes) says why; cfg must
 * still be released with hc_config_free. After HC_CONFIG_RUN every field is set: instance_count
 * >= 1 (the default instance is added when none was named). */
enum hc_config_result hc_config_parse(struct hc_config *cfg, int argc, char *const argv[], char *err,
                                      size_t errcap);
void hc_config_free(struct hc_config *cfg);

/* The --help text: every flag with its default. */
const char *hc_config_usage(void);

/* Splits "HOST:PORT" ("[v6]:PORT" too); false when malformed. host gets hostcap bytes. */
bool hc_config_split_listen(const char *text, char *host, size_t hostcap, unsigned *port);

#define HC_VERSION "0.1.0"

#endif
