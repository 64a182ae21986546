/*
 * metrics.h — the server's own counters for /metrics (Prometheus text format 0.0.4): requests by
 * route and status, and bytes served by file kind. Lock-free (atomic counters). The gauges that
 * come from the engine (backup phase, log and checkpoint generations, commits) and the backup
 * counts from the catalog are added by the /metrics handler when it renders.
 */
#ifndef HOTCOPY_SERVER_METRICS_H
#define HOTCOPY_SERVER_METRICS_H

#include "router.h"
#include "strbuf.h"

#include <stddef.h>
#include <stdint.h>

struct hc_metrics;

enum hc_bytes_kind { HC_BYTES_DATABASE = 0, HC_BYTES_LOG = 1 };

/* routes: the route table (slot 0 counts unmatched requests). NULL when out of memory. */
struct hc_metrics *hc_metrics_create(const struct hc_route *routes, size_t route_count);
void hc_metrics_destroy(struct hc_metrics *m);

/* Counts one finished request. route_slot: the route's index + 1, or 0 for unmatched. */
void hc_metrics_request(struct hc_metrics *m, size_t route_slot, const char *pattern,
                        unsigned status);
/* Counts bytes of a backup file handed to a client. */
void hc_metrics_bytes_served(struct hc_metrics *m, enum hc_bytes_kind kind, uint64_t bytes);

/* Appends the counters in Prometheus text format. */
void hc_metrics_render(const struct hc_metrics *m, struct hc_strbuf *out);

#endif
