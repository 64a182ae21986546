/*
 * s3_xml.c — the S3 client's XML: reads the store's answers with expat (element-end events with
 * their path) and escapes the text of the XML the client sends. Owns nothing else.
 *
 * Invariants: an answer is parsed from memory in one call (the request engine caps answers at
 * S3_XML_MAX_BYTES); element paths are at most S3_XML_MAX_DEPTH deep and S3_XML_PATH_BYTES long,
 * deeper or longer documents are rejected rather than truncated (no S3 answer comes close).
 * Namespaces are resolved by expat and dropped, so "s3:Key" and "Key" in the S3 namespace match
 * the same path. Expat 2.4+ also refuses entity-expansion attacks on its own.
 */
#include "s3_xml.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3_util.h"

#define S3_XML_MAX_DEPTH 16
#define S3_XML_PATH_BYTES 512
#define S3_XML_NS_SEPARATOR '\x01' /* cannot occur in a name: expat splits "uri\1local" on it */

struct xml_state {
    XML_Parser parser;
    s3_xml_element_fn on_end;
    void *ctx;
    char path[S3_XML_PATH_BYTES];
    size_t path_len;
    size_t depth;
    size_t path_lens[S3_XML_MAX_DEPTH]; /* path_len before each open element was appended */
    struct s3_buf text;                 /* text of the innermost open element */
    char *root;
    size_t root_size;
    int result; /* 0, -1 (malformed/too deep) or a callback's result */
};

static const char *local_name(const char *name)
{
    const char *sep = strrchr(name, S3_XML_NS_SEPARATOR);
    return sep ? sep + 1 : name;
}

static void xml_stop(struct xml_state *st, int result)
{
    if (st->result == 0) st->result = result;
    XML_StopParser(st->parser, XML_FALSE);
}

static void XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **attrs)
{
    struct xml_state *st = user;
    const char *local = local_name(name);
    size_t need = strlen(local) + (st->depth > 0 ? 1 : 0);

    (void)attrs;
    if (st->result != 0) return;
    if (st->depth >= S3_XML_MAX_DEPTH || st->path_len + need >= sizeof(st->path)) {
        xml_stop(st, -1);
        return;
    }
    if (st->depth == 0 && st->root != NULL) snprintf(st->root, st->root_size, "%s", local);
    st->path_lens[st->depth++] = st->path_len;
    st->path_len += (size_t)snprintf(st->path + st->path_len, sizeof(st->path) - st->path_len,
                                     "%s%s", st->path_len > 0 ? "/" : "", local);
    st->text.len = 0;
    if (st->text.data != NULL) st->text.data[0] = '\0';
}

static void XMLCALL on_end(void *user, const XML_Char *name)
{
    struct xml_state *st = user;
    int rc;

    (void)name;
    if (st->result != 0) return;
    rc = st->on_end(st->ctx, st->path, st->text.data != NULL ? st->text.data : "", st->text.len);
    if (rc != 0) {
        xml_stop(st, rc);
        return;
    }
    st->path_len = st->path_lens[--st->depth];
    st->path[st->path_len] = '\0';
    st->text.len = 0;
    if (st->text.data != NULL) st->text.data[0] = '\0';
}

static void XMLCALL on_text(void *user, const XML_Char *s, int len)
{
    struct xml_state *st = user;

    if (st->result != 0 || len <= 0) return;
    if (st->text.len + (size_t)len > S3_XML_MAX_BYTES ||
        s3_buf_append(&st->text, s, (size_t)len) != 0)
        xml_stop(st, -1);
}

int s3_xml_parse(const char *xml, size_t len, s3_xml_element_fn on_end_fn, void *ctx, char *root,
                 size_t root_size)
{
    struct xml_state st = {.on_end = on_end_fn, .ctx = ctx, .root = root, .root_size = root_size};
    enum XML_Status status;

    if (root != NULL && root_size > 0) root[0] = '\0';
    if (len > S3_XML_MAX_BYTES) return -1;
    st.parser = XML_ParserCreateNS(NULL, S3_XML_NS_SEPARATOR);
    if (st.parser == NULL) return -1;
    XML_SetUserData(st.parser, &st);
    XML_SetElementHandler(st.parser, on_start, on_end);
    XML_SetCharacterDataHandler(st.parser, on_text);
    status = XML_Parse(st.parser, xml, (int)len, XML_TRUE);
    if (status != XML_STATUS_OK && st.result == 0) st.result = -1;
    XML_ParserFree(st.parser);
    s3_buf_free(&st.text);
    return st.result;
}

/* ---- error documents ---------------------------------------------------------------------- */

static void copy_text(char *dst, size_t size, const char *text)
{
    snprintf(dst, size, "%s", text);
}

static int on_error_element(void *ctx, const char *path, const char *text, size_t text_len)
{
    struct s3_error *err = ctx;

    (void)text_len;
    if (strcmp(path, "Error/Code") == 0)
        copy_text(err->code, sizeof(err->code), text);
    else if (strcmp(path, "Error/Message") == 0)
        copy_text(err->message, sizeof(err->message), text);
    else if (strcmp(path, "Error/RequestId") == 0)
        copy_text(err->request_id, sizeof(err->request_id), text);
    return 0;
}

bool s3_xml_read_error(const char *xml, size_t len, struct s3_error *err)
{
    struct s3_error found = {0};
    char root[32];

    if (xml == NULL || len == 0) return false;
    if (s3_xml_parse(xml, len, on_error_element, &found, root, sizeof(root)) != 0 ||
        strcmp(root, "Error") != 0)
        return false;
    memcpy(err->code, found.code, sizeof(err->code));
    memcpy(err->message, found.message, sizeof(err->message));
    if (found.request_id[0] != '\0')
        memcpy(err->request_id, found.request_id, sizeof(err->request_id));
    return true;
}

/* ---- field parsers ------------------------------------------------------------------------ */

int s3_xml_copy_etag(char *dst, size_t size, const char *text, size_t text_len)
{
    while (text_len > 0 && (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')) {
        text++;
        text_len--;
    }
    while (text_len > 0 && (text[text_len - 1] == ' ' || text[text_len - 1] == '\n' ||
                            text[text_len - 1] == '\r' || text[text_len - 1] == '\t'))
        text_len--;
    if (text_len >= 2 && text[0] == '"' && text[text_len - 1] == '"') {
        text++;
        text_len -= 2;
    }
    if (text_len >= size) return -1;
    memcpy(dst, text, text_len);
    dst[text_len] = '\0';
    return 0;
}

int s3_xml_parse_u64(const char *text, uint64_t *out)
{
    uint64_t value = 0;

    if (*text == '\0') return -1;
    for (; *text != '\0'; text++) {
        unsigned digit;
        if (*text < '0' || *text > '9') return -1;
        digit = (unsigned)(*text - '0');
        if (value > (UINT64_MAX - digit) / 10) return -1;
        value = value * 10 + digit;
    }
    *out = value;
    return 0;
}

int s3_xml_parse_time(const char *text, time_t *out)
{
    struct tm tm;
    const char *rest;

    memset(&tm, 0, sizeof(tm));
    rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (rest == NULL) return -1;
    if (*rest == '.') { /* fractional seconds */
        rest++;
        while (*rest >= '0' && *rest <= '9')
            rest++;
    }
    if (strcmp(rest, "Z") != 0 && strcmp(rest, "+00:00") != 0) return -1;
    *out = timegm(&tm);
    return 0;
}

int s3_xml_escape_append(struct s3_buf *dst, const char *text)
{
    for (; *text != '\0'; text++) {
        const char *entity = NULL;
        switch (*text) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&apos;";
            break;
        default:
            break;
        }
        if ((entity != NULL ? s3_buf_append_str(dst, entity) : s3_buf_append(dst, text, 1)) != 0)
            return -1;
    }
    return 0;
}
