/*
 * jetutil.c — libjet's maintenance tool, in the spirit of ESE's esentutl: dumps database headers,
 * log generations and checkpoint files, and verifies databases and backup sets. Read-only: it
 * never writes to the files it inspects, and it may run against the files of a running engine.
 *
 * This file owns the command line (usage, options, dispatch, exit status); each command lives in
 * a header-only module of engine/tools/ (the Makefile builds one binary per .c file there):
 *   jetutil_out.h     text / JSON output, problems and warnings
 *   jetutil_db.h      database file access, header decoding, `header`
 *   jetutil_verify.h  `verify`
 *   jetutil_log.h     log generations, `log`
 *   jetutil_ckpt.h    `checkpoint`
 *   jetutil_backup.h  `verify-backup`
 * Exit status: 0 when the command found no problem, 1 when it found problems (a damaged or
 * unreadable file included), 2 on a usage error. Documentation: docs/JETUTIL.md.
 */
#include <stdio.h>
#include <string.h>

#include "jetutil_backup.h"
#include "jetutil_ckpt.h"
#include "jetutil_db.h"
#include "jetutil_log.h"
#include "jetutil_out.h"
#include "jetutil_verify.h"

static const char USAGE[] =
    "usage: jetutil [--json] COMMAND ARGS\n"
    "\n"
    "Inspects libjet files without writing to them (they may be in use by a running engine).\n"
    "\n"
    "commands:\n"
    "  header DB             the database header: state, page size, signatures, dbtime,\n"
    "                        consistent/attach/detach positions, required generations, backup\n"
    "                        info; also a streamed backup copy with its trailer page\n"
    "  log FILE [--records]  a log generation's header and a summary of its records (count and\n"
    "                        bytes per type, first/last position, how it ends); --records lists\n"
    "                        every record\n"
    "  checkpoint FILE       both slots of a checkpoint file, which one is in effect, the "
    "position\n"
    "  verify DB             reads every page (checksum, page number), walks the space page, the\n"
    "                        free list, the catalog and every table's B+tree; reports problems\n"
    "                        with page numbers\n"
    "  verify-backup DIR     checks a backup set: every database copy (header, pages, trailer) "
    "and\n"
    "                        the log generations it needs (present, same signature, chained)\n"
    "  help                  this text\n"
    "\n"
    "options:\n"
    "  --json                machine-readable output (a JSON object on stdout)\n"
    "\n"
    "exit status: 0 no problem found, 1 problems found (details on stdout, the first on stderr),\n"
    "2 usage error\n";

enum ju_cmd { JU_CMD_HEADER, JU_CMD_LOG, JU_CMD_CHECKPOINT, JU_CMD_VERIFY, JU_CMD_VERIFY_BACKUP };

struct ju_cmd_def {
    const char *name;
    enum ju_cmd cmd;
    int allows_records; /* accepts --records */
};

static const struct ju_cmd_def COMMANDS[] = {
    {"header", JU_CMD_HEADER, 0},
    {"log", JU_CMD_LOG, 1},
    {"checkpoint", JU_CMD_CHECKPOINT, 0},
    {"verify", JU_CMD_VERIFY, 0},
    {"verify-backup", JU_CMD_VERIFY_BACKUP, 0},
};

struct ju_args {
    const struct ju_cmd_def *def;
    const char *target;
    int json;
    int records;
};

static int ju_usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "jetutil: %s%s%s%s\n\n%s", what, arg ? " '" : "", arg ? arg : "",
            arg ? "'" : "", USAGE);
    return JU_EXIT_USAGE;
}

/* Options may come anywhere; "--" ends them. Returns -1 for help, 0 when args are complete, or an
 * exit status for a usage error. */
static int ju_parse(int argc, char **argv, struct ju_args *a)
{
    const char *positional[3];
    int npos = 0, options_done = 0;
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!options_done && strcmp(s, "--") == 0) {
            options_done = 1;
        } else if (!options_done && strcmp(s, "--json") == 0) {
            a->json = 1;
        } else if (!options_done && strcmp(s, "--records") == 0) {
            a->records = 1;
        } else if (!options_done && (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0)) {
            return -1;
        } else if (!options_done && s[0] == '-' && s[1]) {
            return ju_usage_error("unknown option", s);
        } else if (npos < 3) {
            positional[npos++] = s;
        } else {
            return ju_usage_error("unexpected argument", s);
        }
    }
    if (npos == 0) return ju_usage_error("no command given", NULL);
    if (strcmp(positional[0], "help") == 0) return -1;
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(positional[0], COMMANDS[i].name) == 0) a->def = &COMMANDS[i];
    if (!a->def) return ju_usage_error("unknown command", positional[0]);
    if (npos < 2)
        return ju_usage_error("a file or directory argument is missing after", positional[0]);
    if (npos > 2) return ju_usage_error("unexpected argument", positional[2]);
    if (a->records && !a->def->allows_records)
        return ju_usage_error("--records applies to the log command only, not to", positional[0]);
    if (!positional[1][0]) return ju_usage_error("empty file name", NULL);
    a->target = positional[1];
    return 0;
}

int main(int argc, char **argv)
{
    struct ju_args a;
    struct ju_out o;
    int rc = ju_parse(argc, argv, &a);
    if (rc < 0) {
        fputs(USAGE, stdout);
        return JU_EXIT_OK;
    }
    if (rc > 0) return rc;
    ju_begin(&o, stdout, a.json);
    ju_str(&o, "command", a.def->name);
    switch (a.def->cmd) {
    case JU_CMD_HEADER:
        ju_cmd_header(&o, a.target);
        break;
    case JU_CMD_LOG:
        ju_cmd_log(&o, a.target, a.records);
        break;
    case JU_CMD_CHECKPOINT:
        ju_cmd_checkpoint(&o, a.target);
        break;
    case JU_CMD_VERIFY:
        ju_cmd_verify(&o, a.target);
        break;
    case JU_CMD_VERIFY_BACKUP:
        ju_cmd_verify_backup(&o, a.target);
        break;
    }
    rc = ju_finish(&o, a.target);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "jetutil: error writing the output\n");
        return JU_EXIT_PROBLEMS;
    }
    return rc;
}
