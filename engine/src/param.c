/*
 * param.c — system parameters of an instance and the process defaults (the defaults live in the
 * instance table, instance.c). Unknown ids are refused; ids ESE has that libjet does not act on
 * are accepted and remembered nowhere, so ESE programs that set them keep working.
 */
#include "param.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "logfmt.h"
#include "page.h"

void param_defaults(struct params *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->system_path, sizeof p->system_path, ".");
    snprintf(p->temp_path, sizeof p->temp_path, ".");
    snprintf(p->log_path, sizeof p->log_path, ".");
    snprintf(p->base_name, sizeof p->base_name, "edb");
    p->log_file_size_kb = 5120;
    p->log_buffers = 2048;
    p->page_size = 8192;
    p->cache_size_max = 8192;
    p->cache_size_min = 1024;
    p->checkpoint_depth_max = 20u << 20;
    p->checkpoint_period_s = 10;
    p->circular_log = 0;
    p->recovery = 1;
    p->max_sessions = 256;
    p->max_open_tables = 1024;
    p->max_cursors = 4096;
    p->create_path_if_not_exist = 0;
    p->max_ver_pages = 1024;
    snprintf(p->event_source, sizeof p->event_source, "libjet");
}

void param_normalize_path(char *path)
{
    for (char *c = path; *c; c++)
        if (*c == '\\') *c = '/';
}

static JET_ERR set_path(char *dst, const char *sz)
{
    if (!sz) return JET_errInvalidParameter;
    size_t n = strlen(sz);
    if (n >= OS_PATH_MAX - 32) return JET_errInvalidPath;
    memcpy(dst, sz, n + 1);
    param_normalize_path(dst);
    if (!dst[0]) snprintf(dst, OS_PATH_MAX, ".");
    return JET_errSuccess;
}

/* Parameters that only make sense before JetInit. */
static int fixed_after_init(unsigned long id)
{
    switch (id) {
    case JET_paramSystemPath:
    case JET_paramTempPath:
    case JET_paramLogFilePath:
    case JET_paramBaseName:
    case JET_paramLogFileSize:
    case JET_paramDatabasePageSize:
    case JET_paramRecovery:
    case JET_paramCircularLog:
    case JET_paramLogBuffers:
    case JET_paramMaxSessions:
        return 1;
    default:
        return 0;
    }
}

JET_ERR param_set(struct params *p, int initialized, unsigned long id, JET_API_PTR l, const char *sz)
{
    if (initialized && fixed_after_init(id)) return JET_errAlreadyInitialized;
    switch (id) {
    case JET_paramSystemPath: return set_path(p->system_path, sz);
    case JET_paramTempPath: return set_path(p->temp_path, sz);
    case JET_paramLogFilePath: return set_path(p->log_path, sz);
    case JET_paramBaseName:
        if (!sz || strlen(sz) != LOG_BASE_MAX) return JET_errInvalidParameter;
        for (int i = 0; i < LOG_BASE_MAX; i++)
            if (sz[i] == '/' || sz[i] == '\\' || sz[i] == '.' || (unsigned char)sz[i] < 0x21)
                return JET_errInvalidParameter;
        memcpy(p->base_name, sz, LOG_BASE_MAX + 1);
        return JET_errSuccess;
    case JET_paramEventSource:
        if (!sz) return JET_errInvalidParameter;
        snprintf(p->event_source, sizeof p->event_source, "%s", sz);
        return JET_errSuccess;
    case JET_paramLogFileSize:
        if (l < LOG_SIZE_MIN_KB || l > LOG_SIZE_MAX_KB) return JET_errInvalidParameter;
        p->log_file_size_kb = (uint32_t)l;
        return JET_errSuccess;
    case JET_paramLogBuffers:
        if (l < 16 || l > (1u << 20)) return JET_errInvalidParameter;
        p->log_buffers = (uint32_t)l;
        return JET_errSuccess;
    case JET_paramDatabasePageSize:
        if (!page_size_valid((uint32_t)l)) return JET_errInvalidParameter;
        p->page_size = (uint32_t)l;
        return JET_errSuccess;
    case JET_paramCacheSizeMax:
    case JET_paramCacheSize:
        if (l < 16 || l > (1u << 26)) return JET_errInvalidParameter;
        p->cache_size_max = (uint32_t)l;
        return JET_errSuccess;
    case JET_paramCacheSizeMin:
        if (l > (1u << 26)) return JET_errInvalidParameter;
        p->cache_size_min = (uint32_t)l;
        return JET_errSuccess;
    case JET_paramCheckpointDepthMax:
        if (l < 64 * 1024) return JET_errInvalidParameter;
        p->checkpoint_depth_max = (uint32_t)l;
        return JET_errSuccess;
    case JET_paramLogCheckpointPeriod:
        p->checkpoint_period_s = (uint32_t)l;
        return JET_errSuccess;
    case JET_paramCircularLog: p->circular_log = l != 0; return JET_errSuccess;
    case JET_paramRecovery:
        if (!sz) return JET_errInvalidParameter;
        if (strcasecmp(sz, "on") == 0)
            p->recovery = 1;
        else if (strcasecmp(sz, "off") == 0)
            p->recovery = 0;
        else
            return JET_errInvalidParameter;
        return JET_errSuccess;
    case JET_paramMaxSessions:
        if (l < 1 || l > 65536) return JET_errInvalidParameter;
        p->max_sessions = (uint32_t)l;
        return JET_errSuccess;
    case JET_paramMaxOpenTables: p->max_open_tables = (uint32_t)l; return JET_errSuccess;
    case JET_paramMaxCursors: p->max_cursors = (uint32_t)l; return JET_errSuccess;
    case JET_paramMaxVerPages: p->max_ver_pages = (uint32_t)l; return JET_errSuccess;
    case JET_paramCreatePathIfNotExist: p->create_path_if_not_exist = l != 0; return JET_errSuccess;
    case JET_paramDeleteOutOfRangeLogs: p->delete_out_of_range_logs = l != 0; return JET_errSuccess;
    case JET_paramNoInformationEvent: p->no_information_event = l != 0; return JET_errSuccess;
    case JET_paramEnableIndexChecking: p->enable_index_checking = (uint32_t)l; return JET_errSuccess;
    default:
        /* Accepted for compatibility, without effect. */
        if (id < 256) return JET_errSuccess;
        return JET_errInvalidParameter;
    }
}

static JET_ERR get_str(const char *v, char *sz, unsigned long cbMax)
{
    size_t n = strlen(v);
    if (!sz) return JET_errInvalidParameter;
    if (cbMax < n + 1) return JET_errBufferTooSmall;
    memcpy(sz, v, n + 1);
    return JET_errSuccess;
}

static JET_ERR get_int(JET_API_PTR v, JET_API_PTR *l)
{
    if (!l) return JET_errInvalidParameter;
    *l = v;
    return JET_errSuccess;
}

JET_ERR param_get(const struct params *p, unsigned long id, JET_API_PTR *l, char *sz, unsigned long cbMax)
{
    switch (id) {
    case JET_paramSystemPath: return get_str(p->system_path, sz, cbMax);
    case JET_paramTempPath: return get_str(p->temp_path, sz, cbMax);
    case JET_paramLogFilePath: return get_str(p->log_path, sz, cbMax);
    case JET_paramBaseName: return get_str(p->base_name, sz, cbMax);
    case JET_paramEventSource: return get_str(p->event_source, sz, cbMax);
    case JET_paramRecovery: return get_str(p->recovery ? "On" : "Off", sz, cbMax);
    case JET_paramLogFileSize: return get_int(p->log_file_size_kb, l);
    case JET_paramLogBuffers: return get_int(p->log_buffers, l);
    case JET_paramDatabasePageSize: return get_int(p->page_size, l);
    case JET_paramCacheSizeMax:
    case JET_paramCacheSize: return get_int(p->cache_size_max, l);
    case JET_paramCacheSizeMin: return get_int(p->cache_size_min, l);
    case JET_paramCheckpointDepthMax: return get_int(p->checkpoint_depth_max, l);
    case JET_paramLogCheckpointPeriod: return get_int(p->checkpoint_period_s, l);
    case JET_paramCircularLog: return get_int(p->circular_log, l);
    case JET_paramMaxSessions: return get_int(p->max_sessions, l);
    case JET_paramMaxOpenTables: return get_int(p->max_open_tables, l);
    case JET_paramMaxCursors: return get_int(p->max_cursors, l);
    case JET_paramMaxVerPages: return get_int(p->max_ver_pages, l);
    case JET_paramCreatePathIfNotExist: return get_int(p->create_path_if_not_exist, l);
    case JET_paramDeleteOutOfRangeLogs: return get_int(p->delete_out_of_range_logs, l);
    case JET_paramNoInformationEvent: return get_int(p->no_information_event, l);
    case JET_paramEnableIndexChecking: return get_int(p->enable_index_checking, l);
    default: return JET_errInvalidParameter;
    }
}
