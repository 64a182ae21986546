/*
 * stream.c — a backup file read end to end through JetXReadFileAt (see stream.h).
 */
#include "stream.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jetenv.h"

int stream_first_database(JET_INSTANCE inst, char *out, size_t cap)
{
    char list[4 * JETENV_PATH_MAX];
    unsigned long need = 0;
    memset(list, 0, sizeof list);
    if (jetenv_check(JetGetAttachInfoInstance(inst, list, sizeof list - 2, &need),
                     "JetGetAttachInfoInstance"))
        return -1;
    if (list[0] == '\0' || strlen(list) >= cap) {
        fprintf(stderr, "stream: the backup lists no database\n");
        return -1;
    }
    snprintf(out, cap, "%s", list);
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int stream_file(JET_INSTANCE inst, const char *name, uint8_t *buf, size_t block,
                const char *out_path, uint64_t *bytes)
{
    int fd = -1, rc = 0;
    uint64_t off = 0;
    if (out_path) {
        fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            perror(out_path);
            return -1;
        }
    }
    for (;;) {
        unsigned long got = 0;
        if (jetenv_check(JetXReadFileAt(inst, name, off, buf, (unsigned long)block, &got),
                         "JetXReadFileAt")) {
            rc = -1;
            break;
        }
        if (fd >= 0 && write_all(fd, buf, got)) {
            perror(out_path);
            rc = -1;
            break;
        }
        off += got;
        if (got < block) break;
    }
    if (fd >= 0 && (fsync(fd) != 0 || close(fd) != 0)) rc = -1;
    *bytes = off;
    return rc;
}
