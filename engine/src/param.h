/*
 * param.h — system parameters: defaults, validation, JetSetSystemParameter/JetGetSystemParameter.
 */
#ifndef JET_PARAM_H
#define JET_PARAM_H

#include "inst.h"

void param_defaults(struct params *p);
/* Applies one parameter to p. initialized: the instance is running (paths and sizes are then
 * fixed: JET_errAlreadyInitialized). */
JET_ERR param_set(struct params *p, int initialized, unsigned long id, JET_API_PTR l, const char *sz);
JET_ERR param_get(const struct params *p, unsigned long id, JET_API_PTR *l, char *sz, unsigned long cbMax);
/* Normalises an ESE-style path in place: '\\' becomes '/'. */
void param_normalize_path(char *path);

#endif
