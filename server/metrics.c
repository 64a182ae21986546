/*
 * metrics.c — request and byte counters (see metrics.h). One atomic counter per (route, status),
 * statuses 100..599, allocated once at start-up.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_MIN 100
#define STATUS_COUNT 500 /* 100..599 */

struct hc_metrics {
    const struct hc_route *routes;
    size_t slots; /* route_count + 1 */
    atomic_uint_fast64_t bytes[2];
    atomic_uint_fast64_t *requests; /* [slots][STATUS_COUNT] */
};

struct hc_metrics *hc_metrics_create(const struct hc_route *routes, size_t route_count)
{
    struct hc_metrics *m = calloc(1, sizeof *m);
    if (m == NULL) return NULL;
    m->routes = routes;
    m->slots = route_count + 1;
    m->requests = calloc(m->slots * STATUS_COUNT, sizeof *m->requests);
    if (m->requests == NULL) {
        free(m);
        return NULL;
    }
    return m;
}

void hc_metrics_destroy(struct hc_metrics *m)
{
    if (m == NULL) return;
    free(m->requests);
    free(m);
}

void hc_metrics_request(struct hc_metrics *m, size_t route_slot, const char *pattern,
                        unsigned status)
{
    if (m == NULL || route_slot >= m->slots || status < STATUS_MIN ||
        status >= STATUS_MIN + STATUS_COUNT)
        return;
    atomic_fetch_add(&m->requests[route_slot * STATUS_COUNT + (status - STATUS_MIN)], 1);
}

void hc_metrics_bytes_served(struct hc_metrics *m, enum hc_bytes_kind kind, uint64_t bytes)
{
    if (m != NULL) atomic_fetch_add(&m->bytes[kind == HC_BYTES_LOG], bytes);
}

void hc_metrics_render(const struct hc_metrics *m, struct hc_strbuf *out)
{
    hc_strbuf_printf(out, "# HELP hotcopy_http_requests_total HTTP requests by route and status.\n"
                          "# TYPE hotcopy_http_requests_total counter\n");
    for (size_t slot = 0; slot < m->slots; slot++) {
        const char *method = slot ? m->routes[slot - 1].method : "";
        const char *pattern = slot ? m->routes[slot - 1].pattern : "(unmatched)";
        for (unsigned s = 0; s < STATUS_COUNT; s++) {
            uint64_t n = atomic_load(&m->requests[slot * STATUS_COUNT + s]);
            if (n == 0) continue;
            hc_strbuf_printf(out,
                             "hotcopy_http_requests_total{method=\"%s\",route=\"%s\",status=\"%u\"} "
                             "%llu\n",
                             method, pattern, s + STATUS_MIN, (unsigned long long)n);
        }
    }
    hc_strbuf_printf(out,
                     "# HELP hotcopy_bytes_served_total Backup file bytes sent to clients.\n"
                     "# TYPE hotcopy_bytes_served_total counter\n"
                     "hotcopy_bytes_served_total{kind=\"database\"} %llu\n"
                     "hotcopy_bytes_served_total{kind=\"log\"} %llu\n",
                     (unsigned long long)atomic_load(&m->bytes[0]),
                     (unsigned long long)atomic_load(&m->bytes[1]));
}
