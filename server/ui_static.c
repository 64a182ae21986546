/*
 * ui_static.c — GET /static/{name}: the dashboard's assets, embedded into the binary by the
 * Makefile (mk/embed.sh: the files of web/static and htmx's and its SSE extension's dist files from
 * web/node_modules) as web_assets[]. A file is served under its base name. Public (no session),
 * cacheable for an hour, revalidated with a strong ETag (FNV-1a of the bytes) and If-None-Match.
 */
#include "ui.h"

#include "catalog.h" /* struct embedded_file */
#include "ui_html.h"

#include <stdio.h>
#include <string.h>

#define STATIC_CACHE "public, max-age=3600"

extern const struct embedded_file web_assets[];

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static const struct embedded_file *find_asset(const char *name)
{
    for (const struct embedded_file *f = web_assets; f->name != NULL; f++)
        if (strcmp(base_name(f->name), name) == 0) return f;
    return NULL;
}

static const char *content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},
    };
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t elen = strlen(types[i].ext);
        if (len > elen && strcmp(name + len - elen, types[i].ext) == 0) return types[i].type;
    }
    return "application/octet-stream";
}

static void etag_of(const struct embedded_file *f, char *out, size_t cap)
{
    uint64_t h = ui_hash(UI_HASH_SEED, f->data, f->size);
    snprintf(out, cap, "\"%016llx-%zu\"", (unsigned long long)h, f->size);
}

int hc_ui_static(struct hc_request *req)
{
    const struct embedded_file *f = find_asset(hc_param(req, "name"));
    if (f == NULL) return hc_reply_problem(req, 404, NULL, "no such asset");
    char etag[64];
    etag_of(f, etag, sizeof etag);
    const char *inm = hc_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    bool fresh = inm != NULL && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0);
    struct MHD_Response *resp =
        fresh ? MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT)
              : MHD_create_response_from_buffer(f->size, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) return MHD_NO;
    if (!fresh) {
        MHD_add_response_header(resp, "Content-Type", content_type(f->name));
        atomic_store(&req->bytes_out, f->size);
    }
    MHD_add_response_header(resp, "ETag", etag);
    MHD_add_response_header(resp, "Cache-Control", STATIC_CACHE);
    return hc_reply(req, fresh ? 304 : 200, resp);
}
