/*
 * config.c — parsing of hotcopyd's flags (see config.h). Accepts "--flag value" and "--flag=value".
 */
#include "config.h"

#include "names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: hotcopyd [options]\n"
    "\n"
    "  --listen HOST:PORT      address to listen on (default 127.0.0.1:8080; port 0 picks a free\n"
    "                          port; the bound address is printed on stdout as\n"
    "                          \"listening on http://HOST:PORT\")\n"
    "  --data DIR              data directory (default ./data): the catalog (catalog.db), the\n"
    "                          token file, the default instance (default/), restore staging\n"
    "                          (restores/), restored instances (instances/) and offsite upload\n"
    "                          drafts (uploads/)\n"
    "  --instance NAME=DIR     serve an engine instance whose files live in DIR (repeatable;\n"
    "                          default: instance \"default\" in DATA/default)\n"
    "  --token-file FILE       API token file (default DATA/token, created 0600 with a random\n"
    "                          token at first start and printed once; HOTCOPY_TOKEN overrides)\n"
    "  --tls-cert FILE         serve HTTPS with this PEM certificate (needs --tls-key)\n"
    "  --tls-key FILE          the certificate's PEM private key\n"
    "  --log-file-size KIB     size of each log generation in KiB (64..32768, default 5120)\n"
    "  --page-size BYTES       database page size: 4096, 8192, 16384 or 32768 (default 8192)\n"
    "  --cache-size MIB        database cache per instance in MiB (default 64)\n"
    "  --threads N             HTTP worker threads (1..64, default 4)\n"
    "  --metrics-public        serve /metrics without authentication\n"
    "  --demo                  create a demo database and table with sample records in an\n"
    "                          instance that has no database\n"
    "  --max-body BYTES        largest request body kept in memory (JSON, record values;\n"
    "                          default 1048576); larger bodies get 413. Restore uploads stream to\n"
    "                          disk and are not limited by it\n"
    "  --max-connections N     connections served at once (default 512)\n"
    "  --max-per-ip N          connections from one IP address (default 128)\n"
    "  --idle-timeout SECONDS  close a connection idle this long (default 60)\n"
    "  --target NAME=s3://BUCKET/PREFIX\n"
    "                          an offsite target (repeatable): backups may be uploaded to it and\n"
    "                          restored from it. Needs --target-endpoint NAME=URL; credentials\n"
    "                          from HOTCOPY_TARGET_<NAME>_ACCESS_KEY and _SECRET_KEY (NAME in\n"
    "                          upper case, other characters as '_') or --target-credentials\n"
    "  --target-endpoint NAME=URL\n"
    "                          the S3 endpoint of target NAME (http://HOST:PORT or https://...)\n"
    "  --target-region NAME=REGION\n"
    "                          the signing region of target NAME (default us-east-1)\n"
    "  --target-credentials NAME=FILE\n"
    "                          a file (mode 0600, refused when group or others may read it) with\n"
    "                          the lines access_key=... and secret_key=...\n"
    "  --print-routes          print every route (METHOD PATH) and exit\n"
    "  --healthcheck URL       probe URL (http://HOST[:PORT]/PATH) and exit: 0 when it answers\n"
    "                          HTTP 200, 1 otherwise; a refused connection is retried for about\n"
    "                          a second (the container's HEALTHCHECK). Starts no server\n"
    "  --help                  this text\n"
    "  --version               the version\n";

const char *hc_config_usage(void) { return USAGE; }

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void replace_string(char **slot, const char *value)
{
    free(*slot);
    *slot = dup_or_null(value);
}

static bool parse_unsigned(const char *text, unsigned long long min, unsigned long long max,
                           unsigned long long *out)
{
    if (text == NULL || *text < '0' || *text > '9') return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) return false;
    *out = v;
    return true;
}

bool hc_config_split_listen(const char *text, char *host, size_t hostcap, unsigned *port)
{
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon == text) return false;
    const char *hstart = text, *hend = colon;
    if (*text == '[') { /* [v6]:port */
        if (colon[-1] != ']') return false;
        hstart = text + 1;
        hend = colon - 1;
    }
    size_t hlen = (size_t)(hend - hstart);
    if (hlen == 0 || hlen >= hostcap) return false;
    unsigned long long p;
    if (!parse_unsigned(colon + 1, 0, 65535, &p)) return false;
    memcpy(host, hstart, hlen);
    host[hlen] = '\0';
    *port = (unsigned)p;
    return true;
}

static void set_defaults(struct hc_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen_host = strdup(HC_DEFAULT_LISTEN_HOST);
    cfg->listen_port = HC_DEFAULT_LISTEN_PORT;
    cfg->data_dir = strdup(HC_DEFAULT_DATA_DIR);
    cfg->log_file_kib = HC_DEFAULT_LOG_FILE_KIB;
    cfg->page_size = HC_DEFAULT_PAGE_SIZE;
    cfg->cache_mib = HC_DEFAULT_CACHE_MIB;
    cfg->threads = HC_DEFAULT_THREADS;
    cfg->max_body = HC_DEFAULT_MAX_BODY;
    cfg->max_connections = HC_DEFAULT_MAX_CONNECTIONS;
    cfg->max_per_ip = HC_DEFAULT_MAX_PER_IP;
    cfg->idle_timeout = HC_DEFAULT_IDLE_TIMEOUT;
}

static bool add_instance(struct hc_config *cfg, const char *spec, char *err, size_t errcap)
{
    const char *eq = strchr(spec, '=');
    if (eq == NULL || eq == spec || eq[1] == '\0') {
        snprintf(err, errcap, "--instance wants NAME=DIR, got \"%s\"", spec);
        return false;
    }
    if (cfg->instance_count == HC_CONFIG_INSTANCES_MAX) {
        snprintf(err, errcap, "at most %d instances", HC_CONFIG_INSTANCES_MAX);
        return false;
    }
    char *name = strndup(spec, (size_t)(eq - spec));
    if (name == NULL || !hc_instance_name_is_valid(name)) {
        snprintf(err, errcap, "bad instance name in \"%s\" (letters, digits, . _ -)", spec);
        free(name);
        return false;
    }
    for (size_t i = 0; i < cfg->instance_count; i++) {
        if (strcmp(cfg->instances[i].name, name) == 0) {
            snprintf(err, errcap, "instance \"%s\" named twice", name);
            free(name);
            return false;
        }
    }
    cfg->instances[cfg->instance_count].name = name;
    cfg->instances[cfg->instance_count].dir = strdup(eq + 1);
    cfg->instance_count++;
    return true;
}

/* The target entry for NAME (created on first mention, so the target flags come in any order). */
static struct hc_target_config *target_slot(struct hc_config *cfg, const char *name, char *err,
                                            size_t errcap)
{
    for (size_t i = 0; i < cfg->target_count; i++)
        if (strcmp(cfg->targets[i].name, name) == 0) return &cfg->targets[i];
    if (!hc_instance_name_is_valid(name)) {
        snprintf(err, errcap, "bad target name \"%s\" (letters, digits, . _ -)", name);
        return NULL;
    }
    if (cfg->target_count == HC_CONFIG_TARGETS_MAX) {
        snprintf(err, errcap, "at most %d targets", HC_CONFIG_TARGETS_MAX);
        return NULL;
    }
    struct hc_target_config *t = &cfg->targets[cfg->target_count];
    t->name = strdup(name);
    if (t->name == NULL) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    cfg->target_count++;
    return t;
}

/* --target, --target-endpoint, --target-region, --target-credentials: "NAME=VALUE". */
static bool apply_target_flag(struct hc_config *cfg, const char *flag, const char *spec, char *err,
                              size_t errcap)
{
    const char *eq = strchr(spec, '=');
    if (eq == NULL || eq == spec || eq[1] == '\0') {
        snprintf(err, errcap, "%s wants NAME=VALUE, got \"%s\"", flag, spec);
        return false;
    }
    char name[64];
    size_t nlen = (size_t)(eq - spec);
    if (nlen >= sizeof name) {
        snprintf(err, errcap, "%s: target name too long", flag);
        return false;
    }
    memcpy(name, spec, nlen);
    name[nlen] = '\0';
    struct hc_target_config *t = target_slot(cfg, name, err, errcap);
    if (t == NULL) return false;
    const char *value = eq + 1;
    char **slot = strcmp(flag, "--target") == 0            ? &t->url
                  : strcmp(flag, "--target-endpoint") == 0 ? &t->endpoint
                  : strcmp(flag, "--target-region") == 0   ? &t->region
                                                           : &t->credentials_file;
    if (*slot != NULL) {
        snprintf(err, errcap, "%s given twice for target \"%s\"", flag, name);
        return false;
    }
    if (slot == &t->url && (strncmp(value, "s3://", 5) != 0 || value[5] == '\0' || value[5] == '/')) {
        snprintf(err, errcap, "--target %s wants s3://BUCKET[/PREFIX], got \"%s\"", name, value);
        return false;
    }
    *slot = strdup(value);
    return *slot != NULL;
}

/* Every target named by a flag needs its URL and endpoint; the region defaults. */
static bool check_targets(struct hc_config *cfg, char *err, size_t errcap)
{
    for (size_t i = 0; i < cfg->target_count; i++) {
        struct hc_target_config *t = &cfg->targets[i];
        if (t->url == NULL) {
            snprintf(err, errcap, "target \"%s\" has no --target %s=s3://BUCKET/PREFIX", t->name,
                     t->name);
            return false;
        }
        if (t->endpoint == NULL) {
            snprintf(err, errcap, "target \"%s\" needs --target-endpoint %s=URL", t->name, t->name);
            return false;
        }
        if (t->region == NULL && (t->region = strdup(HC_DEFAULT_TARGET_REGION)) == NULL) {
            snprintf(err, errcap, "out of memory");
            return false;
        }
    }
    return true;
}

/* Numeric flags: name, bounds, where the value goes. */
struct numeric_flag {
    const char *name;
    unsigned long long min, max;
    size_t offset;
    bool is_u64;
};

#define NUMERIC(flag, lo, hi, field, wide) {flag, lo, hi, offsetof(struct hc_config, field), wide}
static const struct numeric_flag NUMERIC_FLAGS[] = {
    NUMERIC("--log-file-size", 64, 32768, log_file_kib, false),
    NUMERIC("--page-size", 4096, 32768, page_size, false),
    NUMERIC("--cache-size", 1, 65536, cache_mib, false),
    NUMERIC("--threads", 1, 64, threads, false),
    NUMERIC("--max-body", 1024, 1ull << 40, max_body, true),
    NUMERIC("--max-connections", 1, 65536, max_connections, false),
    NUMERIC("--max-per-ip", 1, 65536, max_per_ip, false),
    NUMERIC("--idle-timeout", 1, 86400, idle_timeout, false),
};

/* Applies one "--name value" pair; false with err set when bad. */
static bool apply_flag(struct hc_config *cfg, const char *name, const char *value, char *err,
                       size_t errcap)
{
    for (size_t i = 0; i < sizeof NUMERIC_FLAGS / sizeof NUMERIC_FLAGS[0]; i++) {
        const struct numeric_flag *nf = &NUMERIC_FLAGS[i];
        if (strcmp(name, nf->name) != 0) continue;
        unsigned long long v;
        if (!parse_unsigned(value, nf->min, nf->max, &v)) {
            snprintf(err, errcap, "%s wants a number in %llu..%llu, got \"%s\"", name, nf->min,
                     nf->max, value);
            return false;
        }
        char *field = (char *)cfg + nf->offset;
        if (nf->is_u64)
            *(uint64_t *)(void *)field = v;
        else
            *(unsigned *)(void *)field = (unsigned)v;
        if (strcmp(name, "--page-size") == 0 && (v & (v - 1)) != 0) {
            snprintf(err, errcap, "--page-size must be 4096, 8192, 16384 or 32768");
            return false;
        }
        return true;
    }
    if (strcmp(name, "--listen") == 0) {
        char host[256];
        unsigned port;
        if (!hc_config_split_listen(value, host, sizeof host, &port)) {
            snprintf(err, errcap, "--listen wants HOST:PORT, got \"%s\"", value);
            return false;
        }
        replace_string(&cfg->listen_host, host);
        cfg->listen_port = port;
        return true;
    }
    if (strcmp(name, "--data") == 0) {
        replace_string(&cfg->data_dir, value);
        return true;
    }
    if (strcmp(name, "--instance") == 0) return add_instance(cfg, value, err, errcap);
    if (strncmp(name, "--target", 8) == 0) return apply_target_flag(cfg, name, value, err, errcap);
    if (strcmp(name, "--token-file") == 0) {
        replace_string(&cfg->token_file, value);
        return true;
    }
    if (strcmp(name, "--tls-cert") == 0) {
        replace_string(&cfg->tls_cert, value);
        return true;
    }
    if (strcmp(name, "--tls-key") == 0) {
        replace_string(&cfg->tls_key, value);
        return true;
    }
    if (strcmp(name, "--healthcheck") == 0) {
        replace_string(&cfg->healthcheck_url, value);
        return true;
    }
    snprintf(err, errcap, "unknown option %s (see --help)", name);
    return false;
}

static bool takes_value(const char *name)
{
    static const char *const named[] = {
        "--listen",     "--data",   "--instance",        "--token-file",    "--tls-cert",
        "--tls-key",    "--target", "--target-endpoint", "--target-region", "--target-credentials",
        "--healthcheck"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(name, named[i]) == 0) return true;
    for (size_t i = 0; i < sizeof NUMERIC_FLAGS / sizeof NUMERIC_FLAGS[0]; i++)
        if (strcmp(name, NUMERIC_FLAGS[i].name) == 0) return true;
    return false;
}

static bool is_switch(const char *name)
{
    static const char *const switches[] = {"--metrics-public", "--demo", "--print-routes",
                                           "--help", "--version"};
    for (size_t i = 0; i < sizeof switches / sizeof switches[0]; i++)
        if (strcmp(name, switches[i]) == 0) return true;
    return false;
}

enum hc_config_result hc_config_parse(struct hc_config *cfg, int argc, char *const argv[], char *err,
                                      size_t errcap)
{
    set_defaults(cfg);
    if (cfg->listen_host == NULL || cfg->data_dir == NULL) {
        snprintf(err, errcap, "out of memory");
        return HC_CONFIG_ERROR;
    }
    for (int i = 1; i < argc; i++) {
        char name[64];
        const char *arg = argv[i], *value = NULL;
        const char *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        if (strncmp(arg, "--", 2) != 0 || nlen >= sizeof name) {
            snprintf(err, errcap, "unexpected argument \"%s\" (see --help)", arg);
            return HC_CONFIG_ERROR;
        }
        memcpy(name, arg, nlen);
        name[nlen] = '\0';
        if (is_switch(name)) {
            if (eq) {
                snprintf(err, errcap, "%s takes no value", name);
                return HC_CONFIG_ERROR;
            }
            if (strcmp(name, "--help") == 0) return HC_CONFIG_HELP;
            if (strcmp(name, "--version") == 0) return HC_CONFIG_VERSION;
            if (strcmp(name, "--metrics-public") == 0) cfg->metrics_public = true;
            if (strcmp(name, "--demo") == 0) cfg->demo = true;
            if (strcmp(name, "--print-routes") == 0) cfg->print_routes = true;
            continue;
        }
        if (!takes_value(name)) {
            snprintf(err, errcap, "unknown option %s (see --help)", name);
            return HC_CONFIG_ERROR;
        }
        if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(err, errcap, "%s needs a value", name);
            return HC_CONFIG_ERROR;
        }
        if (!apply_flag(cfg, name, value, err, errcap)) return HC_CONFIG_ERROR;
    }
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        snprintf(err, errcap, "--tls-cert and --tls-key go together");
        return HC_CONFIG_ERROR;
    }
    if (!check_targets(cfg, err, errcap)) return HC_CONFIG_ERROR;
    if (cfg->instance_count == 0) {
        size_t len = strlen(cfg->data_dir) + sizeof "/" HC_DEFAULT_INSTANCE;
        char *dir = malloc(len);
        if (dir == NULL) {
            snprintf(err, errcap, "out of memory");
            return HC_CONFIG_ERROR;
        }
        snprintf(dir, len, "%s/%s", cfg->data_dir, HC_DEFAULT_INSTANCE);
        cfg->instances[0].name = strdup(HC_DEFAULT_INSTANCE);
        cfg->instances[0].dir = dir;
        cfg->instance_count = 1;
    }
    return HC_CONFIG_RUN;
}

void hc_config_free(struct hc_config *cfg)
{
    free(cfg->listen_host);
    free(cfg->data_dir);
    free(cfg->token_file);
    free(cfg->tls_cert);
    free(cfg->tls_key);
    free(cfg->healthcheck_url);
    for (size_t i = 0; i < cfg->instance_count; i++) {
        free(cfg->instances[i].name);
        free(cfg->instances[i].dir);
    }
    for (size_t i = 0; i < cfg->target_count; i++) {
        free(cfg->targets[i].name);
        free(cfg->targets[i].url);
        free(cfg->targets[i].endpoint);
        free(cfg->targets[i].region);
        free(cfg->targets[i].credentials_file);
    }
    memset(cfg, 0, sizeof *cfg);
}
