/*
 * jetutil_out.h — jetutil's output: one emitter that writes a command's findings either as
 * indented "key: value" text or as JSON, and the list of problems and warnings the command found
 * (problems decide the exit status). Header-only, included by jetutil.c alone: the Makefile builds
 * one binary per .c file in engine/tools.
 *
 * Text form: a member is "key: value"; a nested object is "key:" with its members indented by
 * two; an inline object (ju_inline) is one line "key: k=v k=v"; an array is "key:" with one
 * "- element" line each (array elements that are objects are inline); an empty array "key: none".
 * Strings from the files under inspection are printed with control characters replaced by '?'.
 * JSON form: pretty-printed, inline objects on one line; times are ISO 8601 UTC strings with
 * microseconds (null when unset), numbers are plain JSON numbers.
 *
 * Usage: ju_begin, members and containers (every ju_obj/ju_inline/ju_arr closed by ju_end), then
 * ju_finish, which writes the warnings, the problems and the result, and returns the exit status.
 * Writing never fails the command: stdout errors are reported by main at exit.
 */
#ifndef JETUTIL_OUT_H
#define JETUTIL_OUT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JU_DEPTH_MAX 16
#define JU_ISSUES_KEPT 1000 /* issues listed in the output; more are only counted */
#define JU_LINE_MAX 1024

enum { JU_EXIT_OK = 0, JU_EXIT_PROBLEMS = 1, JU_EXIT_USAGE = 2 };

enum ju_kind { JU_OBJ, JU_ARR, JU_INLINE };

struct ju_issue {
    char file[256]; /* the file it concerns inside a set (ju_out.file), "" for the command's own */
    long long page; /* -1: not about one page */
    int warning;
    char msg[JU_LINE_MAX];
};

struct ju_out {
    FILE *f;
    int json;
    int depth;                         /* open containers, the root object included */
    unsigned char kind[JU_DEPTH_MAX];  /* enum ju_kind of each open container */
    unsigned count[JU_DEPTH_MAX];      /* members written into each open container */
    const char *arr_key[JU_DEPTH_MAX]; /* text: an array's key, printed at its first element */
    int dropped;                       /* containers refused past JU_DEPTH_MAX (programmer error) */
    const char *file;        /* the file of a set now being checked (issues name it), or NULL */
    struct ju_issue *issues; /* owned; freed by ju_finish */
    size_t nissues;
    unsigned long problems, warnings; /* all found, listed or not */
};

static void ju_raw_text(struct ju_out *o, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, o->f);
}

static void ju_raw_json_string(struct ju_out *o, const char *s)
{
    fputc('"', o->f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(o->f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", o->f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(o->f, "\\u%04x", c);
        else
            fputc(c, o->f);
    }
    fputc('"', o->f);
}

static void ju_indent(struct ju_out *o, int n)
{
    fprintf(o->f, "%*s", n, "");
}

/* Writes what comes before a value in the current container: separator, indentation, key.
 * opens: the value is an object or array (text: its key line ends with ':'). */
static void ju_lead(struct ju_out *o, const char *key, int opens)
{
    int d = o->depth - 1;
    enum ju_kind k = (enum ju_kind)o->kind[d];
    if (o->json) {
        if (o->count[d]) fputc(',', o->f);
        if (k == JU_INLINE) {
            if (o->count[d]) fputc(' ', o->f);
        } else {
            fputc('\n', o->f);
            ju_indent(o, 2 * o->depth);
        }
        if (k != JU_ARR) {
            ju_raw_json_string(o, key ? key : "");
            fputs(": ", o->f);
        }
    } else if (k == JU_ARR) {
        if (o->count[d] == 0) {
            ju_indent(o, 2 * (d - 1));
            fprintf(o->f, "%s:\n", o->arr_key[d]);
        }
        ju_indent(o, 2 * d);
        fputs("- ", o->f);
    } else if (k == JU_INLINE) {
        if (o->count[d]) fputc(' ', o->f);
        if (key) fprintf(o->f, "%s=", key);
    } else {
        ju_indent(o, 2 * d);
        fprintf(o->f, "%s:%s", key ? key : "", opens ? "" : " ");
    }
    o->count[d]++;
}

/* Ends a scalar in text form (a line of its own unless inside an inline object). */
static void ju_tail(struct ju_out *o)
{
    if (!o->json && o->kind[o->depth - 1] != JU_INLINE) fputc('\n', o->f);
}

static void ju_open(struct ju_out *o, const char *key, enum ju_kind kind)
{
    if (o->depth >= JU_DEPTH_MAX) {
        o->dropped++;
        return;
    }
    int parent_inline = o->kind[o->depth - 1] == JU_INLINE;
    if (kind == JU_ARR && !o->json) {
        /* The key line is written with the first element (or "key: none" at the end). */
        o->count[o->depth - 1]++;
    } else {
        ju_lead(o, key, kind != JU_INLINE);
    }
    if (o->json)
        fputc(kind == JU_ARR ? '[' : '{', o->f);
    else if (kind == JU_OBJ)
        fputc('\n', o->f);
    else if (kind == JU_INLINE && parent_inline)
        fputc('(', o->f);
    o->kind[o->depth] = (unsigned char)kind;
    o->count[o->depth] = 0;
    o->arr_key[o->depth] = key ? key : "";
    o->depth++;
}

static void ju_obj(struct ju_out *o, const char *key)
{
    ju_open(o, key, JU_OBJ);
}
static void ju_inline(struct ju_out *o, const char *key)
{
    ju_open(o, key, JU_INLINE);
}
static void ju_arr(struct ju_out *o, const char *key)
{
    ju_open(o, key, JU_ARR);
}

static void ju_end(struct ju_out *o)
{
    if (o->dropped) {
        o->dropped--;
        return;
    }
    if (o->depth <= 1) return;
    int d = o->depth - 1;
    enum ju_kind k = (enum ju_kind)o->kind[d];
    int parent_inline = o->kind[d - 1] == JU_INLINE;
    if (o->json) {
        if (k != JU_INLINE && o->count[d]) {
            fputc('\n', o->f);
            ju_indent(o, 2 * d);
        }
        fputc(k == JU_ARR ? ']' : '}', o->f);
    } else if (k == JU_ARR) {
        if (o->count[d] == 0) {
            ju_indent(o, 2 * (d - 1));
            fprintf(o->f, "%s: none\n", o->arr_key[d]);
        }
    } else if (k == JU_INLINE) {
        if (o->count[d] == 0) fputc('-', o->f);
        fputc(parent_inline ? ')' : '\n', o->f);
    }
    o->depth--;
}

static void ju_str(struct ju_out *o, const char *key, const char *s)
{
    ju_lead(o, key, 0);
    if (o->json) {
        if (s)
            ju_raw_json_string(o, s);
        else
            fputs("null", o->f);
    } else {
        ju_raw_text(o, s ? s : "none");
    }
    ju_tail(o);
}

static void ju_strf(struct ju_out *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ju_strf(struct ju_out *o, const char *key, const char *fmt, ...)
{
    char buf[JU_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ju_str(o, key, buf);
}

static void ju_u64(struct ju_out *o, const char *key, uint64_t v)
{
    ju_lead(o, key, 0);
    fprintf(o->f, "%llu", (unsigned long long)v);
    ju_tail(o);
}

static void ju_i64(struct ju_out *o, const char *key, int64_t v)
{
    ju_lead(o, key, 0);
    fprintf(o->f, "%lld", (long long)v);
    ju_tail(o);
}

/* A number shown in hexadecimal in text (checksums, random signature parts). */
static void ju_hex(struct ju_out *o, const char *key, uint32_t v)
{
    ju_lead(o, key, 0);
    fprintf(o->f, o->json ? "%lu" : "0x%08lx", (unsigned long)v);
    ju_tail(o);
}

static void ju_bool(struct ju_out *o, const char *key, int b)
{
    ju_lead(o, key, 0);
    fputs(o->json ? (b ? "true" : "false") : (b ? "yes" : "no"), o->f);
    ju_tail(o);
}

/* Microseconds since 1970 as ISO 8601 UTC; 0 and negative: "none". */
static void ju_format_time(int64_t us, char *buf, size_t cap)
{
    struct tm tm;
    time_t t = (time_t)(us / 1000000);
    if (us <= 0 || !gmtime_r(&t, &tm)) {
        snprintf(buf, cap, "none");
        return;
    }
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(us % 1000000));
}

static void ju_time(struct ju_out *o, const char *key, int64_t us)
{
    char buf[64];
    ju_format_time(us, buf, sizeof buf);
    ju_str(o, key, us > 0 ? buf : NULL);
}

/* ---- problems and warnings ------------------------------------------------------------------- */

static void ju_issue_v(struct ju_out *o, int warning, long long page, const char *fmt, va_list ap)
{
    if (warning)
        o->warnings++;
    else
        o->problems++;
    if (o->nissues >= JU_ISSUES_KEPT) return;
    if (!o->issues) {
        o->issues = calloc(JU_ISSUES_KEPT, sizeof *o->issues);
        if (!o->issues) return; /* still counted: the exit status stays right */
    }
    struct ju_issue *is = &o->issues[o->nissues++];
    is->page = page;
    is->warning = warning;
    snprintf(is->file, sizeof is->file, "%s", o->file ? o->file : "");
    vsnprintf(is->msg, sizeof is->msg, fmt, ap);
}

/* A problem (exit status 1); page -1 when it concerns no single page. */
static void ju_problem(struct ju_out *o, long long page, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ju_problem(struct ju_out *o, long long page, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ju_issue_v(o, 0, page, fmt, ap);
    va_end(ap);
}

/* Something worth knowing that does not make the file bad. */
static void ju_warning(struct ju_out *o, long long page, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ju_warning(struct ju_out *o, long long page, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ju_issue_v(o, 1, page, fmt, ap);
    va_end(ap);
}

static void ju_begin(struct ju_out *o, FILE *f, int json)
{
    memset(o, 0, sizeof *o);
    o->f = f;
    o->json = json;
    o->depth = 1;
    o->kind[0] = JU_OBJ;
    if (json) fputc('{', f);
}

/* "file: page N: message", leaving out the parts an issue does not have. */
static void ju_issue_text(const struct ju_issue *is, char *buf, size_t cap)
{
    char page[32] = "";
    if (is->page >= 0) snprintf(page, sizeof page, "page %lld: ", is->page);
    snprintf(buf, cap, "%s%s%s%s", is->file, is->file[0] ? ": " : "", page, is->msg);
}

static void ju_issue_list(struct ju_out *o, const char *key, int warning, unsigned long total)
{
    char line[JU_LINE_MAX + 320];
    ju_arr(o, key);
    for (size_t i = 0; i < o->nissues; i++) {
        const struct ju_issue *is = &o->issues[i];
        if (is->warning != warning) continue;
        if (o->json) {
            ju_inline(o, NULL);
            if (is->file[0]) ju_str(o, "file", is->file);
            if (is->page >= 0)
                ju_i64(o, "page", is->page);
            else
                ju_str(o, "page", NULL);
            ju_str(o, "message", is->msg);
            ju_end(o);
        } else {
            ju_issue_text(is, line, sizeof line);
            ju_str(o, NULL, line);
        }
    }
    unsigned long listed = 0;
    for (size_t i = 0; i < o->nissues; i++)
        listed += o->issues[i].warning == warning;
    if (total > listed) ju_strf(o, NULL, "... %lu more not listed", total - listed);
    ju_end(o);
}

/* Writes warnings, problems and the result, closes the document, frees the issues, and returns
 * the exit status (JU_EXIT_PROBLEMS when any problem was found). The first problem also goes to
 * stderr, prefixed by label, so a failing run always says why. */
static int ju_finish(struct ju_out *o, const char *label)
{
    char line[JU_LINE_MAX + 320];
    while (o->depth > 1)
        ju_end(o);
    ju_issue_list(o, "warnings", 1, o->warnings);
    ju_issue_list(o, "problems", 0, o->problems);
    if (o->problems)
        ju_strf(o, "result", "%lu problem%s found", o->problems, o->problems == 1 ? "" : "s");
    else
        ju_str(o, "result", "ok");
    if (o->json) fputs("\n}\n", o->f);
    if (o->problems) {
        const struct ju_issue *first = NULL;
        for (size_t i = 0; i < o->nissues && !first; i++)
            if (!o->issues[i].warning) first = &o->issues[i];
        if (first) {
            ju_issue_text(first, line, sizeof line);
            fprintf(stderr, "jetutil: %s: %s\n", label, line);
        }
        if (o->problems > 1)
            fprintf(stderr, "jetutil: %s: %lu problems in all\n", label, o->problems);
    }
    free(o->issues);
    o->issues = NULL;
    o->nissues = 0;
    return o->problems ? JU_EXIT_PROBLEMS : JU_EXIT_OK;
}

#endif
