/*
 * routes.h — the route table (routes.c): every endpoint of spec/rest-api.md, as data.
 * `hotcopyd --print-routes` prints it ("METHOD PATH" per line); tests/e2e checks that it and
 * docs/openapi.yaml describe the same set.
 */
#ifndef HOTCOPY_SERVER_ROUTES_H
#define HOTCOPY_SERVER_ROUTES_H

#include "router.h"

#include <stdio.h>

extern const struct hc_route hc_routes[];
extern const size_t hc_route_count;

void hc_routes_print(FILE *out);

#endif
