/*
 * writers.c — threads committing one-row transactions (see writers.h).
 */
#include "writers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct writer {
    struct writers *w;
    pthread_t thread;
    struct jetses ses;
    uint64_t key;
    int failed;
};

struct writers {
    unsigned n;
    atomic_int stop;
    atomic_uint_fast64_t commits;
    struct writer *threads;
};

static void *writer_main(void *arg)
{
    struct writer *t = arg;
    while (!atomic_load(&t->w->stop)) {
        if (jetenv_insert_load(&t->ses, t->key++)) {
            t->failed = 1;
            break;
        }
        atomic_fetch_add(&t->w->commits, 1);
    }
    return NULL;
}

struct writers *writers_start(struct jetenv *env, unsigned n)
{
    struct writers *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->threads = calloc(n ? n : 1, sizeof *w->threads);
    if (!w->threads) {
        free(w);
        return NULL;
    }
    uint64_t run = (uint64_t)time(NULL) & 0xffffff;
    for (unsigned i = 0; i < n; i++) {
        struct writer *t = &w->threads[i];
        t->w = w;
        t->key = run << 36 | (uint64_t)i << 32;
        if (jetenv_session(env, &t->ses)) goto fail;
        if (pthread_create(&t->thread, NULL, writer_main, t) != 0) {
            jetenv_session_end(&t->ses);
            goto fail;
        }
        w->n++;
    }
    return w;
fail:
    writers_stop(w);
    return NULL;
}

uint64_t writers_commits(struct writers *w) { return atomic_load(&w->commits); }

int writers_stop(struct writers *w)
{
    int rc = 0;
    atomic_store(&w->stop, 1);
    for (unsigned i = 0; i < w->n; i++) {
        pthread_join(w->threads[i].thread, NULL);
        jetenv_session_end(&w->threads[i].ses);
        if (w->threads[i].failed) rc = -1;
    }
    free(w->threads);
    free(w);
    return rc;
}
