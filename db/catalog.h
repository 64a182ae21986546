/*
 * catalog.h — hotcopyd's catalog and event log (SQLite), the whole public interface of db/.
 *
 * What it keeps: one row per backup and per backed-up file (with the bytes served), the event log,
 * restores and their uploaded files, and offsite uploads with their multipart parts (so that a
 * restarted appliance can resume them). It knows nothing of HTTP, JSON or the engine: the server
 * translates. Layer rule: db/ uses SQLite and libc only.
 *
 * Conventions (every function below):
 *   - Returns CAT_OK (0) or a negative enum cat_status. On failure, cat_errmsg() gives a sentence
 *     saying what failed (cat_open writes it into the caller's buffer instead). Out-parameters are
 *     written only on success unless the function says otherwise.
 *   - Times are int64_t microseconds since the Unix epoch, UTC ("unix micros"); the database stores
 *     them the same way (INTEGER). A time argument of 0 means "now". cat_time_rfc3339() renders one
 *     for JSON. A stored time of 0 means null (e.g. ended_at of a running backup).
 *   - Ids are int64_t, > 0. An id filter or reference of 0 means "none"/"any". Log generations are
 *     >= 1 in ESE, so a generation of 0 means null (JSON null).
 *   - Input strings are NUL-terminated UTF-8; NULL and "" both mean "none" where a field is
 *     optional. Identifiers (instance, file and target names, object keys, multipart ids, ETags,
 *     checksums) longer than their buffer below are refused with CAT_EINVAL, never truncated.
 *     Free text (messages, categories, result names) longer than its buffer is cut at a UTF-8
 *     character boundary.
 *   - Output structs hold fixed-size buffers (no pointers): a single struct is the caller's; a list
 *     is one array malloc()ed by the callee that the caller releases with free(). An empty list
 *     gives *out = NULL and *count = 0.
 *   - Every value reaches SQLite through a bound parameter of a prepared statement.
 *
 * Threading: a cat_t is one SQLite connection guarded by one mutex (inside the handle). Every
 * function may be called from any thread at any time; each call holds the mutex for its whole
 * duration and runs in at most one transaction, so calls are serialised and each is atomic. The
 * mutex is never held when a function returns, and no function calls back into the caller, so there
 * is no lock order to respect. cat_close() must not race with other calls on the same handle.
 * Other processes may open the same file (WAL mode, 5 s busy timeout).
 *
 * Durability: WAL with synchronous=NORMAL. A committed call survives a process crash; a power loss
 * may lose the last few commits but never corrupts the database. The catalog is a record of what
 * happened, not the backup data itself, and ~3x the commit rate matters for the event log.
 */
#ifndef HOTCOPY_DB_CATALOG_H
#define HOTCOPY_DB_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- embedded migrations --------------------------------------------------------------------- */

/* A file embedded at build time by mk/embed.sh (data is also NUL-terminated; size excludes it). */
#ifndef EMBEDDED_FILE_DEFINED
#define EMBEDDED_FILE_DEFINED
struct embedded_file {
    const char *name;
    const unsigned char *data;
    size_t size;
};
#endif

/* db/migrations/NNN_what.sql, sorted by name, ended by {NULL, NULL, 0} (build/gen/db_migrations.c).
 * File NNN (decimal, from 001 without gaps) brings the schema to PRAGMA user_version NNN. */
extern const struct embedded_file db_migrations[];

/* ---- results --------------------------------------------------------------------------------- */

enum cat_status {
    CAT_OK = 0,
    CAT_ERR = -1,       /* SQLite or I/O failure (full disk, corrupt file, ...): see cat_errmsg */
    CAT_EINVAL = -2,    /* bad argument: NULL, unknown enum value, identifier too long, bad range */
    CAT_ENOTFOUND = -3, /* no row with that id (or name) */
    CAT_ECONFLICT = -4, /* the row exists already, or is not in a state that allows the change */
    CAT_ENEWER = -5,    /* cat_open: the file's schema is newer than this binary's migrations */
    CAT_EBUSY = -6,     /* another process held the database beyond the busy timeout */
    CAT_ENOMEM = -7,
};

/* A static English phrase for a cat_status ("not found", ...); never NULL. */
const char *cat_strerror(int status);

/* ---- sizes (bytes, including the terminating NUL) -------------------------------------------- */

#define CAT_NAME_MAX 256     /* instance, target, file, category names */
#define CAT_KEY_MAX 1024     /* object keys, manifest keys, multipart upload ids */
#define CAT_ERRNAME_MAX 128  /* a JET error name, e.g. "JET_errBackupAbortByServer" */
#define CAT_MESSAGE_MAX 2048 /* result and event messages */
#define CAT_CHECKSUM_MAX 129 /* hex digest, up to 512 bits */
#define CAT_ETAG_MAX 256     /* an S3 part ETag as the store returned it (quotes included) */
#define CAT_TIME_MAX 32      /* cat_time_rfc3339 output */

#define CAT_LIST_DEFAULT 100 /* a list limit of 0 means this */
#define CAT_LIST_MAX 1000    /* larger limits are clamped to this */

/* ---- open / close ---------------------------------------------------------------------------- */

typedef struct cat cat_t;

/* Opens (creating if missing, mode 0600 subject to umask) the catalog at `path`, sets WAL mode,
 * busy timeout, foreign keys, and applies the embedded migrations newer than the file's
 * user_version, each in its own transaction. The parent directory must exist (it is not created).
 * Errors: CAT_EINVAL (NULL path/out, missing parent directory, path is a directory), CAT_ENEWER
 * (user_version above the newest embedded migration: the file is left untouched), CAT_EBUSY,
 * CAT_ERR (not a database, unreadable, a migration failed: that migration is rolled back, earlier
 * ones stay). On failure *out is NULL and errbuf (if not NULL) holds the message. */
int cat_open(const char *path, cat_t **out, char *errbuf, size_t errlen);

/* Same, with an explicit migration list (tests, tools), following db_migrations' rules. */
int cat_open_with(const char *path, const struct embedded_file *migrations, cat_t **out,
                  char *errbuf, size_t errlen);

/* Finalises statements and closes the connection; NULL is a no-op. Must not race other calls. */
void cat_close(cat_t *cat);

/* The message of the calling thread's most recent failed call on `cat` (per thread, so a failure in
 * another thread never overwrites it); "" if this thread has had none. Valid until this thread's
 * next call on `cat`. Read it only after a negative return: success does not clear it. */
const char *cat_errmsg(cat_t *cat);

/* The schema version (PRAGMA user_version) of the open file. */
int cat_schema_version(cat_t *cat, int *version);

/* ---- enumerations and their names ------------------------------------------------------------ */

enum cat_backup_type { CAT_BACKUP_FULL = 1, CAT_BACKUP_INCREMENTAL };
/* Running phases: DATABASE, LOGS, TRUNCATED. Terminal: ENDED, STOPPED, FAILED. */
enum cat_backup_phase {
    CAT_PHASE_DATABASE = 1,
    CAT_PHASE_LOGS,
    CAT_PHASE_TRUNCATED,
    CAT_PHASE_ENDED,
    CAT_PHASE_STOPPED,
    CAT_PHASE_FAILED,
};
enum cat_recorded_as {
    CAT_RECORDED_NONE = 0, /* JSON null */
    CAT_RECORDED_FULL,
    CAT_RECORDED_COPY,
    CAT_RECORDED_INCREMENTAL,
    CAT_RECORDED_DIFFERENTIAL,
};
enum cat_file_kind { CAT_FILE_DATABASE = 1, CAT_FILE_LOG };
enum cat_level { CAT_LEVEL_INFO = 1, CAT_LEVEL_WARNING, CAT_LEVEL_ERROR };
enum cat_restore_state {
    CAT_RESTORE_STAGING = 1,
    CAT_RESTORE_RUNNING,
    CAT_RESTORE_SUCCEEDED,
    CAT_RESTORE_FAILED,
};
enum cat_restore_source { CAT_SOURCE_UPLOAD = 1, CAT_SOURCE_TARGET };
/* A backup's offsite copy as a whole (the REST "target.state"). */
enum cat_target_state {
    CAT_TARGET_NONE = 0, /* no target */
    CAT_TARGET_UPLOADING,
    CAT_TARGET_COMPLETE,
    CAT_TARGET_FAILED,
};
/* One uploaded object. PENDING: recorded, nothing sent; UPLOADING: multipart id known, parts being
 * recorded; COMPLETE: the store confirmed the object; FAILED: given up (message says why). */
enum cat_upload_state {
    CAT_UPLOAD_PENDING = 1,
    CAT_UPLOAD_UPLOADING,
    CAT_UPLOAD_COMPLETE,
    CAT_UPLOAD_FAILED,
};

/* The spec's strings ("full", "database", "copy", "warning", "staging", "upload", "uploading",
 * "pending", ...). *_name returns NULL for an out-of-range value (and for CAT_RECORDED_NONE and
 * CAT_TARGET_NONE: JSON null). *_parse returns CAT_OK or CAT_EINVAL for an unknown string. */
const char *cat_backup_type_name(enum cat_backup_type v);
const char *cat_backup_phase_name(enum cat_backup_phase v);
const char *cat_recorded_as_name(enum cat_recorded_as v);
const char *cat_file_kind_name(enum cat_file_kind v);
const char *cat_level_name(enum cat_level v);
const char *cat_restore_state_name(enum cat_restore_state v);
const char *cat_restore_source_name(enum cat_restore_source v);
const char *cat_target_state_name(enum cat_target_state v);
const char *cat_upload_state_name(enum cat_upload_state v);
int cat_backup_type_parse(const char *s, enum cat_backup_type *out);
int cat_backup_phase_parse(const char *s, enum cat_backup_phase *out);
int cat_recorded_as_parse(const char *s, enum cat_recorded_as *out);
int cat_file_kind_parse(const char *s, enum cat_file_kind *out);
int cat_level_parse(const char *s, enum cat_level *out);
int cat_restore_state_parse(const char *s, enum cat_restore_state *out);
int cat_restore_source_parse(const char *s, enum cat_restore_source *out);
int cat_target_state_parse(const char *s, enum cat_target_state *out);
int cat_upload_state_parse(const char *s, enum cat_upload_state *out);

/* True for DATABASE, LOGS, TRUNCATED. */
bool cat_backup_phase_running(enum cat_backup_phase v);

/* ---- time ------------------------------------------------------------------------------------ */

/* Now, in unix micros (CLOCK_REALTIME). */
int64_t cat_now_us(void);

/* Writes `us` as RFC 3339 UTC with milliseconds ("2026-11-28T15:51:14.123Z") into buf (at least
 * CAT_TIME_MAX bytes). Returns CAT_OK, or CAT_EINVAL for a NULL/short buffer or a year outside
 * 0000-9999. */
int cat_time_rfc3339(int64_t us, char *buf, size_t len);

/* ---- backups --------------------------------------------------------------------------------- */

/* An engine result as the REST API shows it: {"code", "name", "message"}. */
struct cat_result {
    int32_t code;               /* JET_ERR */
    char name[CAT_ERRNAME_MAX]; /* "JET_errSuccess", ... */
    char message[CAT_MESSAGE_MAX];
};

struct cat_backup {
    int64_t id;
    char instance[CAT_NAME_MAX];
    enum cat_backup_type type;
    enum cat_backup_phase phase;
    int64_t started_at;
    int64_t ended_at;          /* 0 until finished */
    int64_t gen_low, gen_high; /* 0 = null */
    enum cat_recorded_as recorded_as;
    bool has_result; /* false: JSON "result": null */
    struct cat_result result;
    uint64_t max_bytes_per_second; /* 0 = unlimited */
    /* Offsite copy; target[0] == '\0' means none and the fields below are zero/empty. */
    char target[CAT_NAME_MAX];
    enum cat_target_state target_state;
    char manifest_key[CAT_KEY_MAX]; /* "" until known */
    uint64_t target_bytes_uploaded; /* sums over this backup's upload rows */
    uint64_t target_bytes_total;
};

struct cat_backup_new {
    const char *instance; /* required */
    enum cat_backup_type type;
    int64_t started_at; /* 0 = now */
    const char *target; /* NULL/"" = no offsite copy; else target_state starts UPLOADING */
    uint64_t max_bytes_per_second; /* 0 = unlimited */
};

/* Inserts a backup in phase DATABASE; *id receives its id (ids are never reused).
 * Errors: CAT_EINVAL, CAT_ERR, CAT_EBUSY. */
int cat_backup_insert(cat_t *cat, const struct cat_backup_new *b, int64_t *id);

/* Moves a running backup to another running phase (DATABASE, LOGS or TRUNCATED).
 * Errors: CAT_EINVAL (terminal phase given: use cat_backup_finish), CAT_ENOTFOUND, CAT_ECONFLICT
 * (the backup has already finished). */
int cat_backup_set_phase(cat_t *cat, int64_t id, enum cat_backup_phase phase);

/* Records the log generation range (after the log call). 0 = null. Errors: CAT_EINVAL (low > high
 * when both set), CAT_ENOTFOUND. */
int cat_backup_set_gens(cat_t *cat, int64_t id, int64_t gen_low, int64_t gen_high);

/* Changes the throttle (PATCH maxBytesPerSecond). Errors: CAT_ENOTFOUND. */
int cat_backup_set_max_rate(cat_t *cat, int64_t id, uint64_t max_bytes_per_second);

/* Sets the offsite copy's overall state and (if not NULL) its manifest key. Errors: CAT_EINVAL
 * (CAT_TARGET_NONE), CAT_ENOTFOUND, CAT_ECONFLICT (the backup has no target). */
int cat_backup_set_target_state(cat_t *cat, int64_t id, enum cat_target_state state,
                                const char *manifest_key);

struct cat_backup_end {
    enum cat_backup_phase phase; /* ENDED, STOPPED or FAILED */
    int64_t ended_at;            /* 0 = now */
    struct cat_result result;    /* the engine's returned status */
    enum cat_recorded_as recorded_as;
    int64_t gen_low, gen_high; /* 0 = keep what cat_backup_set_gens recorded */
};

/* Finishes a backup: phase, ended_at, result, recorded_as, generation range, in one transaction.
 * Allowed from any phase (so that an end call after a stop can record its result); the last call
 * wins. Errors: CAT_EINVAL (a running phase given), CAT_ENOTFOUND. */
int cat_backup_finish(cat_t *cat, int64_t id, const struct cat_backup_end *e);

/* Errors: CAT_ENOTFOUND. */
int cat_backup_get(cat_t *cat, int64_t id, struct cat_backup *out);

struct cat_backup_filter {
    const char *instance; /* NULL/"" = all instances */
    int64_t before_id;    /* 0 = from the newest; else only ids < before_id (pagination) */
    size_t limit;         /* 0 = CAT_LIST_DEFAULT; clamped to CAT_LIST_MAX */
};

/* Backups newest first (descending id). *out: malloc()ed array of *count, caller free()s. */
int cat_backup_list(cat_t *cat, const struct cat_backup_filter *f, struct cat_backup **out,
                    size_t *count);

/* Start-up: every backup in a running phase becomes FAILED, ended now, with result {code, name,
 * "the appliance restarted while this backup was running"}, and gets an error event saying so (same
 * transaction). `code`/`name` are what the server wants shown (e.g. JET_errBackupAbortByServer).
 * *count (may be NULL) receives how many backups were marked. Upload rows are left alone. */
int cat_backup_fail_interrupted(cat_t *cat, int32_t code, const char *name, int *count);

/* Counts for /metrics: one row per (instance, type, phase, result_name) present. */
struct cat_backup_count {
    char instance[CAT_NAME_MAX];
    enum cat_backup_type type;
    enum cat_backup_phase phase;
    char result_name[CAT_ERRNAME_MAX]; /* "" while running */
    uint64_t count;
};
int cat_backup_counts(cat_t *cat, struct cat_backup_count **out, size_t *count);

/* ---- backup files ---------------------------------------------------------------------------- */

struct cat_backup_file {
    int64_t backup_id;
    char name[CAT_NAME_MAX]; /* the name in the backup's file list (URL-independent) */
    enum cat_file_kind kind;
    uint64_t size_bytes;
    uint64_t bytes_served;           /* distinct bytes delivered: overlapping ranges count once */
    char checksum[CAT_CHECKSUM_MAX]; /* hex digest of the file as served whole; "" until then */
};

/* Inserts the file, or updates kind and size of an existing one (bytes already served are kept; if
 * the size shrinks, served ranges beyond it are dropped; if the size changes the checksum is
 * cleared). Errors: CAT_EINVAL (empty/long name, bad kind), CAT_ENOTFOUND (no such backup). */
int cat_backup_file_put(cat_t *cat, int64_t backup_id, const char *name, enum cat_file_kind kind,
                        uint64_t size_bytes);

/* Records that bytes [offset, offset+length) of the file were delivered. Ranges are merged, so
 * bytes_served counts each byte once however often it is sent. *bytes_served (may be NULL) receives
 * the new total. Call it per delivered block or per response, not per page. Errors: CAT_EINVAL
 * (range beyond size_bytes, length 0), CAT_ENOTFOUND (no such file). */
int cat_backup_file_add_served(cat_t *cat, int64_t backup_id, const char *name, uint64_t offset,
                               uint64_t length, uint64_t *bytes_served);

/* Sets the digest of the file as served whole (hex, e.g. SHA-256: 64 chars). Errors: CAT_EINVAL
 * (empty, too long, or not hex), CAT_ENOTFOUND. */
int cat_backup_file_set_checksum(cat_t *cat, int64_t backup_id, const char *name,
                                 const char *checksum_hex);

/* Errors: CAT_ENOTFOUND. */
int cat_backup_file_get(cat_t *cat, int64_t backup_id, const char *name,
                        struct cat_backup_file *out);

/* A backup's files: databases first, then logs, each by name. malloc()ed, caller free()s.
 * An unknown backup gives an empty list. */
int cat_backup_file_list(cat_t *cat, int64_t backup_id, struct cat_backup_file **out,
                         size_t *count);

/* ---- events ---------------------------------------------------------------------------------- */

struct cat_event {
    int64_t id; /* ascending in insertion order, never reused */
    int64_t time;
    char instance[CAT_NAME_MAX]; /* "" for service-wide events */
    enum cat_level level;
    int32_t event_id;            /* ESE's event number (0 if none) */
    char category[CAT_NAME_MAX]; /* ESE's category, e.g. "Logging/Recovery" ("" if none) */
    char message[CAT_MESSAGE_MAX];
    int64_t backup_id;  /* 0 = none (JSON null) */
    int64_t restore_id; /* 0 = none */
    int32_t error_code; /* JET_ERR the event reports; 0 if none */
};

struct cat_event_new {
    int64_t time;         /* 0 = now */
    const char *instance; /* NULL/"" = service-wide */
    enum cat_level level;
    int32_t event_id;
    const char *category; /* NULL = "" */
    const char *message;  /* required (may be "") */
    int64_t backup_id;    /* 0 = none; else must exist */
    int64_t restore_id;   /* 0 = none; else must exist */
    int32_t error_code;
};

/* Appends an event; *id (may be NULL) receives its id. Errors: CAT_EINVAL, CAT_ENOTFOUND (backup_id
 * or restore_id does not exist). */
int cat_event_insert(cat_t *cat, const struct cat_event_new *e, int64_t *id);

/* Errors: CAT_ENOTFOUND. */
int cat_event_get(cat_t *cat, int64_t id, struct cat_event *out);

struct cat_event_filter {
    const char *instance; /* NULL/"" = all */
    int64_t backup_id;    /* 0 = any */
    int64_t restore_id;   /* 0 = any */
    int64_t after_id;     /* only ids > after_id; 0 = from the oldest */
    size_t limit;         /* 0 = CAT_LIST_DEFAULT; clamped to CAT_LIST_MAX */
};

/* Events oldest first (ascending id) after `after_id`: to follow the log, pass the last id seen.
 * malloc()ed array, caller free()s. */
int cat_event_list(cat_t *cat, const struct cat_event_filter *f, struct cat_event **out,
                   size_t *count);

/* Retention: deletes all but the newest `keep` events; *deleted (may be NULL) gets how many. */
int cat_event_prune(cat_t *cat, uint64_t keep, uint64_t *deleted);

/* ---- restores -------------------------------------------------------------------------------- */

struct cat_restore {
    int64_t id;
    char instance[CAT_NAME_MAX]; /* the instance the restore creates */
    enum cat_restore_state state;
    int64_t created_at;
    int64_t ended_at;          /* 0 until succeeded/failed */
    int64_t gen_low, gen_high; /* 0 = null */
    bool has_result;
    struct cat_result result;
    enum cat_restore_source source;
    char target[CAT_NAME_MAX];      /* source TARGET only, else "" */
    char manifest_key[CAT_KEY_MAX]; /* source TARGET only, else "" */
};

struct cat_restore_new {
    const char *instance; /* required */
    enum cat_restore_source source;
    const char *target;       /* required for CAT_SOURCE_TARGET, must be NULL/"" otherwise */
    const char *manifest_key; /* likewise */
    int64_t created_at;       /* 0 = now */
};

/* Creates a restore in state STAGING. Errors: CAT_EINVAL. */
int cat_restore_create(cat_t *cat, const struct cat_restore_new *r, int64_t *id);

/* Errors: CAT_ENOTFOUND. */
int cat_restore_get(cat_t *cat, int64_t id, struct cat_restore *out);

struct cat_restore_filter {
    const char *instance; /* NULL/"" = all */
    int64_t before_id;    /* 0 = from the newest */
    size_t limit;         /* 0 = CAT_LIST_DEFAULT; clamped to CAT_LIST_MAX */
};

/* Restores newest first. malloc()ed array, caller free()s. */
int cat_restore_list(cat_t *cat, const struct cat_restore_filter *f, struct cat_restore **out,
                     size_t *count);

/* STAGING -> RUNNING with the generation range to replay (0 = null). Atomic test-and-set: of two
 * concurrent callers one gets CAT_ECONFLICT. Errors: CAT_ENOTFOUND, CAT_ECONFLICT (not STAGING). */
int cat_restore_start(cat_t *cat, int64_t id, int64_t gen_low, int64_t gen_high);

struct cat_restore_end {
    enum cat_restore_state state; /* SUCCEEDED or FAILED */
    int64_t ended_at;             /* 0 = now */
    struct cat_result result;
    int64_t gen_low, gen_high; /* 0 = keep */
};

/* Finishes a restore (from STAGING or RUNNING). Errors: CAT_EINVAL (state not SUCCEEDED/FAILED),
 * CAT_ENOTFOUND, CAT_ECONFLICT (already succeeded or failed). */
int cat_restore_finish(cat_t *cat, int64_t id, const struct cat_restore_end *e);

/* Deletes a restore and its file rows (its events stay, with restore_id cleared). The staged files
 * on disk are the caller's. Errors: CAT_ENOTFOUND, CAT_ECONFLICT (RUNNING). */
int cat_restore_delete(cat_t *cat, int64_t id);

/* Start-up: every RUNNING restore becomes FAILED like cat_backup_fail_interrupted (result message
 * "the appliance restarted while this restore was running", plus an error event). STAGING restores
 * stay as they are. *count (may be NULL) receives how many were marked. */
int cat_restore_fail_interrupted(cat_t *cat, int32_t code, const char *name, int *count);

struct cat_restore_file {
    int64_t restore_id;
    char name[CAT_NAME_MAX];
    uint64_t size_bytes;     /* expected size (Content-Range total or Content-Length) */
    uint64_t bytes_received; /* contiguous bytes from offset 0 stored so far */
};

/* Inserts or updates a file's expected size (bytes_received kept, clamped to the size). Errors:
 * CAT_EINVAL, CAT_ENOTFOUND (no such restore), CAT_ECONFLICT (restore not STAGING). */
int cat_restore_file_put(cat_t *cat, int64_t restore_id, const char *name, uint64_t size_bytes);

/* Sets how many bytes of the file are stored. Errors: CAT_EINVAL (more than size_bytes),
 * CAT_ENOTFOUND (no such file). */
int cat_restore_file_set_received(cat_t *cat, int64_t restore_id, const char *name,
                                  uint64_t bytes_received);

/* Errors: CAT_ENOTFOUND. */
int cat_restore_file_get(cat_t *cat, int64_t restore_id, const char *name,
                         struct cat_restore_file *out);

/* A restore's files by name. malloc()ed, caller free()s. */
int cat_restore_file_list(cat_t *cat, int64_t restore_id, struct cat_restore_file **out,
                          size_t *count);

/* ---- offsite uploads (one row per object put on a target) ------------------------------------ */

struct cat_upload {
    int64_t id;
    int64_t backup_id;
    char target[CAT_NAME_MAX];
    char object_key[CAT_KEY_MAX];
    char file_name[CAT_NAME_MAX];   /* the backup file it copies; "" for the manifest */
    char multipart_id[CAT_KEY_MAX]; /* S3 UploadId; "" for a single PUT or before initiation */
    enum cat_upload_state state;
    uint64_t part_size_bytes; /* every part but the last has this size (0 = single PUT) */
    uint64_t bytes_total;
    uint64_t bytes_uploaded;       /* sum of the recorded parts (or bytes_total once COMPLETE) */
    char sha256[CAT_CHECKSUM_MAX]; /* hex, "" until COMPLETE */
    int64_t crc32c;                /* 0..UINT32_MAX, -1 until COMPLETE */
    char error[CAT_MESSAGE_MAX];   /* why it FAILED, else "" */
    int64_t created_at, updated_at, completed_at; /* completed_at 0 until COMPLETE */
};

struct cat_upload_new {
    int64_t backup_id;      /* must exist */
    const char *target;     /* required */
    const char *object_key; /* required; unique per (backup, target) */
    const char *file_name;  /* NULL/"" for the manifest */
    uint64_t part_size_bytes;
    uint64_t bytes_total;
};

/* Records an object to upload, state PENDING. Errors: CAT_EINVAL, CAT_ENOTFOUND (backup),
 * CAT_ECONFLICT (same backup, target and key recorded already: use cat_upload_find). */
int cat_upload_insert(cat_t *cat, const struct cat_upload_new *u, int64_t *id);

/* Errors: CAT_ENOTFOUND. */
int cat_upload_get(cat_t *cat, int64_t id, struct cat_upload *out);

/* Looks an upload up by (backup, target, object key). Errors: CAT_ENOTFOUND. */
int cat_upload_find(cat_t *cat, int64_t backup_id, const char *target, const char *object_key,
                    struct cat_upload *out);

/* Stores the multipart UploadId the store gave; PENDING/UPLOADING -> UPLOADING. Errors: CAT_EINVAL,
 * CAT_ENOTFOUND, CAT_ECONFLICT (COMPLETE or FAILED). */
int cat_upload_set_multipart(cat_t *cat, int64_t id, const char *multipart_id);

/* Records a part the store acknowledged (part numbers 1..10000; a part sent again replaces the old
 * record) and recomputes bytes_uploaded. Errors: CAT_EINVAL (number, empty etag, part beyond
 * bytes_total), CAT_ENOTFOUND, CAT_ECONFLICT (not UPLOADING). */
int cat_upload_add_part(cat_t *cat, int64_t id, int part_number, uint64_t offset, uint64_t size,
                        const char *etag);

struct cat_upload_part {
    int64_t upload_id;
    int part_number;
    uint64_t offset;
    uint64_t size;
    char etag[CAT_ETAG_MAX];
};

/* The recorded parts by part number (what CompleteMultipartUpload needs, and what a resumed upload
 * can skip). malloc()ed, caller free()s. */
int cat_upload_list_parts(cat_t *cat, int64_t id, struct cat_upload_part **out, size_t *count);

/* COMPLETE with the object's digests (sha256 hex required; crc32c 0..UINT32_MAX or -1 if unknown);
 * bytes_uploaded becomes bytes_total. Errors: CAT_EINVAL, CAT_ENOTFOUND, CAT_ECONFLICT (FAILED). */
int cat_upload_complete(cat_t *cat, int64_t id, const char *sha256_hex, int64_t crc32c);

/* FAILED with a reason. Parts stay recorded (the caller aborts the multipart upload on the store).
 * Errors: CAT_ENOTFOUND, CAT_ECONFLICT (COMPLETE). */
int cat_upload_fail(cat_t *cat, int64_t id, const char *message);

/* A backup's uploads (backup_id > 0), or, with backup_id 0, every upload still PENDING or UPLOADING
 * (what to resume at start-up), in id order. malloc()ed, caller free()s. */
int cat_upload_list(cat_t *cat, int64_t backup_id, struct cat_upload **out, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* HOTCOPY_DB_CATALOG_H */
