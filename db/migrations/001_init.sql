-- 001_init.sql — the catalog's first schema (PRAGMA user_version 1).
-- Applied by db/cat_migrate.c inside one transaction; that code sets user_version, not this file.
-- Conventions: times are INTEGER unix microseconds UTC; NULL means "not yet / none"; enumerated
-- columns are lower-case TEXT with the REST API's spelling, guarded by CHECK constraints.

CREATE TABLE backups (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT, -- the REST id; never reused
    instance             TEXT    NOT NULL CHECK (length(instance) > 0),
    type                 TEXT    NOT NULL CHECK (type IN ('full', 'incremental')),
    phase                TEXT    NOT NULL CHECK (phase IN ('database', 'logs', 'truncated',
                                                           'ended', 'stopped', 'failed')),
    started_at           INTEGER NOT NULL,
    ended_at             INTEGER,
    gen_low              INTEGER CHECK (gen_low > 0),
    gen_high             INTEGER CHECK (gen_high > 0),
    recorded_as          TEXT    CHECK (recorded_as IN ('full', 'copy', 'incremental',
                                                        'differential')),
    result_code          INTEGER,
    result_name          TEXT,
    result_message       TEXT,
    target               TEXT    CHECK (target IS NULL OR length(target) > 0),
    target_state         TEXT    CHECK (target_state IN ('uploading', 'complete', 'failed')),
    manifest_key         TEXT,
    max_bytes_per_second INTEGER NOT NULL DEFAULT 0 CHECK (max_bytes_per_second >= 0),
    CHECK (gen_low IS NULL OR gen_high IS NULL OR gen_low <= gen_high),
    CHECK ((target IS NULL) = (target_state IS NULL))
);
-- GET /backups?instance=...: newest first within an instance.
CREATE INDEX backups_instance_id ON backups (instance, id);
-- Start-up scan for interrupted backups.
CREATE INDEX backups_running ON backups (phase) WHERE phase IN ('database', 'logs', 'truncated');

CREATE TABLE backup_files (
    backup_id    INTEGER NOT NULL REFERENCES backups (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL CHECK (length(name) > 0),
    kind         TEXT    NOT NULL CHECK (kind IN ('database', 'log')),
    size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
    bytes_served INTEGER NOT NULL DEFAULT 0 CHECK (bytes_served >= 0),
    checksum     TEXT,  -- hex digest of the file as served whole; NULL until then
    PRIMARY KEY (backup_id, name)
);

-- The distinct byte ranges of a file already delivered: disjoint, non-adjacent [range_start,
-- range_end) intervals, merged on insert; backup_files.bytes_served is the sum of their lengths.
CREATE TABLE backup_file_ranges (
    backup_id   INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    range_start INTEGER NOT NULL CHECK (range_start >= 0),
    range_end   INTEGER NOT NULL CHECK (range_end > range_start),
    PRIMARY KEY (backup_id, name, range_start),
    FOREIGN KEY (backup_id, name) REFERENCES backup_files (backup_id, name) ON DELETE CASCADE
);

CREATE TABLE restores (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    instance       TEXT    NOT NULL CHECK (length(instance) > 0),
    state          TEXT    NOT NULL CHECK (state IN ('staging', 'running', 'succeeded', 'failed')),
    created_at     INTEGER NOT NULL,
    ended_at       INTEGER,
    gen_low        INTEGER CHECK (gen_low > 0),
    gen_high       INTEGER CHECK (gen_high > 0),
    result_code    INTEGER,
    result_name    TEXT,
    result_message TEXT,
    source         TEXT    NOT NULL CHECK (source IN ('upload', 'target')),
    target         TEXT,
    manifest_key   TEXT,
    CHECK (gen_low IS NULL OR gen_high IS NULL OR gen_low <= gen_high),
    CHECK ((source = 'target') = (target IS NOT NULL AND manifest_key IS NOT NULL)),
    CHECK (source = 'target' OR (target IS NULL AND manifest_key IS NULL))
);
CREATE INDEX restores_instance_id ON restores (instance, id);

CREATE TABLE restore_files (
    restore_id     INTEGER NOT NULL REFERENCES restores (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL CHECK (length(name) > 0),
    size_bytes     INTEGER NOT NULL CHECK (size_bytes >= 0),
    bytes_received INTEGER NOT NULL DEFAULT 0 CHECK (bytes_received BETWEEN 0 AND size_bytes),
    PRIMARY KEY (restore_id, name)
);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT, -- "after" cursor of GET /events; never reused
    time       INTEGER NOT NULL,
    instance   TEXT    NOT NULL DEFAULT '',      -- '' for service-wide events
    level      TEXT    NOT NULL CHECK (level IN ('info', 'warning', 'error')),
    event_id   INTEGER NOT NULL DEFAULT 0,       -- ESE's event number
    category   TEXT    NOT NULL DEFAULT '',
    message    TEXT    NOT NULL,
    backup_id  INTEGER REFERENCES backups (id) ON DELETE SET NULL,
    restore_id INTEGER REFERENCES restores (id) ON DELETE SET NULL,
    error_code INTEGER NOT NULL DEFAULT 0        -- JET_ERR reported, 0 if none
);
CREATE INDEX events_instance_id ON events (instance, id);
CREATE INDEX events_backup_id ON events (backup_id, id) WHERE backup_id IS NOT NULL;
CREATE INDEX events_restore_id ON events (restore_id, id) WHERE restore_id IS NOT NULL;

-- One row per object put on an offsite target (each backup file, then the manifest).
CREATE TABLE uploads (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    backup_id       INTEGER NOT NULL REFERENCES backups (id) ON DELETE CASCADE,
    target          TEXT    NOT NULL CHECK (length(target) > 0),
    object_key      TEXT    NOT NULL CHECK (length(object_key) > 0),
    file_name       TEXT,   -- the backup file copied; NULL for the manifest
    multipart_id    TEXT,   -- S3 UploadId; NULL for a single PUT or before initiation
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'uploading', 'complete', 'failed')),
    part_size_bytes INTEGER NOT NULL DEFAULT 0 CHECK (part_size_bytes >= 0),
    bytes_total     INTEGER NOT NULL CHECK (bytes_total >= 0),
    bytes_uploaded  INTEGER NOT NULL DEFAULT 0 CHECK (bytes_uploaded >= 0),
    sha256          TEXT,   -- hex, set when complete
    crc32c          INTEGER CHECK (crc32c BETWEEN 0 AND 4294967295),
    error           TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    completed_at    INTEGER,
    UNIQUE (backup_id, target, object_key)
);
CREATE INDEX uploads_unfinished ON uploads (id) WHERE state IN ('pending', 'uploading');

CREATE TABLE upload_parts (
    upload_id    INTEGER NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    part_number  INTEGER NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
    offset_bytes INTEGER NOT NULL CHECK (offset_bytes >= 0),
    size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
    etag         TEXT    NOT NULL CHECK (length(etag) > 0),
    PRIMARY KEY (upload_id, part_number)
);
