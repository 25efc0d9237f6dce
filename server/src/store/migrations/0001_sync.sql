-- Version 1: shops, activation codes, devices, the change feed, field versions, applied
-- mutations, checklist ticks and media.
--
-- `entities` is the change feed: the latest state of each entity of each shop. `seq` is the
-- rowid, so the feed (`WHERE shop_id = ? AND seq > ? ORDER BY seq`) walks the table in
-- storage order, and every upsert gives the entity a new, higher `seq` (INSERT OR REPLACE on
-- the `(shop_id, kind, id)` key deletes the old row), moving it to the end of the feed.

CREATE TABLE shops (
    shop_id    TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    tier       TEXT NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;

-- Reusable on the dev server: each use registers a new device.
CREATE TABLE activation_codes (
    code    TEXT PRIMARY KEY NOT NULL,
    shop_id TEXT NOT NULL REFERENCES shops(shop_id),
    tier    TEXT NOT NULL
) STRICT;
CREATE INDEX activation_codes_shop ON activation_codes(shop_id);

-- Only the SHA-256 of a token is stored: a leaked database does not leak credentials.
CREATE TABLE devices (
    device_id    TEXT PRIMARY KEY NOT NULL,
    shop_id      TEXT NOT NULL REFERENCES shops(shop_id),
    token_sha256 TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    platform     TEXT NOT NULL,
    tier         TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    revoked_ms   INTEGER
) STRICT;

CREATE TABLE entities (
    seq     INTEGER PRIMARY KEY NOT NULL,
    shop_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    data    TEXT NOT NULL,  -- JSON of the domain type, or of the tombstone when deleted
    deleted INTEGER NOT NULL DEFAULT 0,
    UNIQUE (shop_id, kind, id)
) STRICT;
-- With the rowid implicitly last, this index serves `shop_id = ? AND seq > ? ORDER BY seq`.
CREATE INDEX entities_feed ON entities(shop_id);

-- The version at which each field of an entity last changed, and who changed it (a device
-- id, or '' for the server itself): an edit based on an older version conflicts only when
-- somebody else changed the same field since.
CREATE TABLE field_versions (
    shop_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    field      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    PRIMARY KEY (shop_id, kind, id, field)
) STRICT, WITHOUT ROWID;

-- Written in the same transaction as the mutation's effect: exactly-once.
CREATE TABLE applied_mutations (
    device_id   TEXT NOT NULL,
    mutation_id INTEGER NOT NULL,
    result_json TEXT NOT NULL,
    applied_ms  INTEGER NOT NULL,
    PRIMARY KEY (device_id, mutation_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE checklist_ticks (
    shop_id    TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    done       INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (shop_id, task_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE media (
    shop_id  TEXT NOT NULL,
    image_id TEXT NOT NULL,
    bytes    BLOB NOT NULL,
    sha256   TEXT NOT NULL,
    mime     TEXT NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    PRIMARY KEY (shop_id, image_id)
) STRICT;
