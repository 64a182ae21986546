/*
 * main.c — hotcopyd's entry point: parse the flags, start the application, wait for SIGTERM or
 * SIGINT, shut down in order, exit 0. Signals are blocked in every thread and taken here with
 * sigwait, so no handler runs in a library's thread.
 */
#include "app.h"
#include "config.h"
#include "routes.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    struct hc_config cfg;
    char err[512];
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
    if (cfg.print_routes) {
        hc_routes_print(stdout);
        hc_config_free(&cfg);
        return 0;
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct hc_app app;
    if (hc_app_start(&app, &cfg) != 0) {
        hc_config_free(&cfg);
        return 1;
    }
    int sig = 0;
    sigwait(&stop_signals, &sig);
    fprintf(stderr, "hotcopyd: signal %d: shutting down\n", sig);
    hc_app_stop(&app);
    hc_config_free(&cfg);
    fprintf(stderr, "hotcopyd: stopped\n");
    return 0;
}
