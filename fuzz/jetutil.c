/*
 * jetutil.c — jetutil's commands for the harnesses (see jetutil.h). The tool's modules are
 * header-only and static, so they are compiled into this file as jetutil.c compiles them.
 */
#include "jetutil.h"

#include <stdio.h>
#include <stdlib.h>

#pragma clang diagnostic ignored "-Wunused-function"
#include "../engine/tools/jetutil_backup.h"
#include "../engine/tools/jetutil_ckpt.h"
#include "../engine/tools/jetutil_db.h"
#include "../engine/tools/jetutil_log.h"
#include "../engine/tools/jetutil_out.h"
#include "../engine/tools/jetutil_verify.h"

static FILE *devnull(void)
{
    static FILE *f;
    if (f == NULL) f = fopen("/dev/null", "w");
    if (f == NULL) abort();
    return f;
}

int fz_jetutil(enum fz_jetutil_cmd cmd, const char *path, int json)
{
    struct ju_out o;
    ju_begin(&o, devnull(), json);
    switch (cmd) {
    case FZ_JU_HEADER: ju_cmd_header(&o, path); break;
    case FZ_JU_LOG: ju_cmd_log(&o, path, 0); break;
    case FZ_JU_LOG_RECORDS: ju_cmd_log(&o, path, 1); break;
    case FZ_JU_CHECKPOINT: ju_cmd_checkpoint(&o, path); break;
    case FZ_JU_VERIFY: ju_cmd_verify(&o, path); break;
    case FZ_JU_VERIFY_BACKUP: ju_cmd_verify_backup(&o, path); break;
    }
    /* ju_finish names the first problem on stderr: keep the fuzzer's output readable */
    FILE *saved = stderr;
    stderr = devnull();
    int rc = ju_finish(&o, path);
    stderr = saved;
    return rc;
}
