/*
 * main.c — hotcopyd's entry point: parse the flags, start the application, wait for SIGTERM or
 * SIGINT, shut down in order, exit 0. Signals are blocked in every thread and taken here with
 * sigwait, so no handler runs in a library's thread. `--healthcheck URL` starts nothing: it probes
 * a server and exits (healthcheck.h).
 */
#include "app.h"
#include "jet.h"
#include "config.h"
#include "healthcheck.h"
#include "routes.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TEST HOOK: SIGUSR1 arms the engine fault point described by HOTCOPYD_TEST_FAULT,
 * "OP:MODE:PATH:SKIP:COUNT:ERRNO" (OP read|write|fsync|open|unlink; MODE fail|corrupt|short|torn|
 * crash), so that the HTTP tests can make a page fail verification while the server runs, and the
 * crash soak can stop the process inside a call (crash: _exit(99), e.g. between two deletions of
 * JetTruncateLog). Without the variable SIGUSR1 does nothing. */
static void arm_test_fault(void)
{
    const char *spec = getenv("HOTCOPYD_TEST_FAULT");
    char op[16], mode[16], path[256];
    unsigned long skip = 0, count = 0;
    int err = 5;
    if (spec == NULL ||
        sscanf(spec, "%15[^:]:%15[^:]:%255[^:]:%lu:%lu:%d", op, mode, path, &skip, &count, &err) < 5)
        return;
    JET_XFAULT f = {.szPathContains = path, .cSkip = skip, .cFail = count, .errnoValue = err};
    f.op = strcmp(op, "write") == 0   ? JET_XFAULT_WRITE
           : strcmp(op, "fsync") == 0 ? JET_XFAULT_FSYNC
           : strcmp(op, "open") == 0  ? JET_XFAULT_OPEN
           : strcmp(op, "unlink") == 0 ? JET_XFAULT_UNLINK
                                      : JET_XFAULT_READ;
    f.mode = strcmp(mode, "corrupt") == 0 ? JET_XFAULT_CORRUPT
             : strcmp(mode, "short") == 0 ? JET_XFAULT_SHORT
             : strcmp(mode, "torn") == 0  ? JET_XFAULT_TORN
             : strcmp(mode, "crash") == 0 ? JET_XFAULT_CRASH
                                          : JET_XFAULT_FAIL;
    JET_ERR rc = JetXFaultSet(&f);
    fprintf(stderr, "hotcopyd: test fault %s armed: %s\n", spec, JetXErrorName(rc));
}

/* Download and upload blocks are large (HC_DOWNLOAD_BLOCK, MHD's response buffer of the same size):
 * with glibc's default the mmap threshold rises to a block's size at its first free, later blocks
 * come from the heap arenas, and a burst of concurrent downloads leaves hundreds of MiB resident
 * for good (tests/load measured 16 -> 524 MiB). A fixed threshold keeps them mapped and returned. */
#define LARGE_BLOCK_MMAP_THRESHOLD (256 * 1024)

int main(int argc, char **argv)
{
    struct hc_config cfg;
    char err[512];
    if (mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_MMAP_THRESHOLD) == 0)
        fprintf(stderr, "hotcopyd: mallopt(M_MMAP_THRESHOLD) failed: large blocks may stay resident\n");
    switch (hc_config_parse(&cfg, argc, argv, err, sizeof err)) {
    case HC_CONFIG_HELP:
        fputs(hc_config_usage(), stdout);
        hc_config_free(&cfg);
        return 0;
    case HC_CONFIG_VERSION:
        printf("hotcopyd %s\n", HC_VERSION);
        hc_config_free(&cfg);
        return 0;
    case HC_CONFIG_ERROR:
        fprintf(stderr, "hotcopyd: %s\n", err);
        hc_config_free(&cfg);
        return 2;
    case HC_CONFIG_RUN: break;
    }
    if (cfg.healthcheck_url) { /* a probe, not a server: nothing else starts */
        char why[512];
        enum hc_health health = hc_healthcheck(cfg.healthcheck_url, why, sizeof why);
        if (health != HC_HEALTHY) fprintf(stderr, "hotcopyd: healthcheck: %s\n", why);
        hc_config_free(&cfg);
        return health == HC_HEALTHY ? 0 : 1;
    }
    if (cfg.print_routes) {
        hc_routes_print(stdout);
        hc_config_free(&cfg);
        return 0;
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct hc_app app;
    if (hc_app_start(&app, &cfg) != 0) {
        hc_config_free(&cfg);
        return 1;
    }
    int sig = 0;
    while (sigwait(&stop_signals, &sig) == 0 && sig == SIGUSR1) arm_test_fault();
    fprintf(stderr, "hotcopyd: signal %d: shutting down\n", sig);
    hc_app_stop(&app);
    hc_config_free(&cfg);
    fprintf(stderr, "hotcopyd: stopped\n");
    return 0;
}
