-- v4: sync bookkeeping: the outbox, the pull cursor, and answers the seller must see.

-- AUTOINCREMENT so a mutation id is never reused after its entry left the outbox:
-- the server applies each (device, id) once.
CREATE TABLE outbox (
    mutation_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    entity_id       TEXT NOT NULL,
    base_version    INTEGER,
    payload         TEXT NOT NULL CHECK (json_valid(payload)),
    created_ms      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_ms INTEGER,
    last_error      TEXT
) STRICT;

CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    device_id       TEXT,
    server_url      TEXT,
    cursor          TEXT,
    last_success_ms INTEGER,
    last_attempt_ms INTEGER,
    last_error      TEXT
) STRICT;
INSERT INTO sync_state (id) VALUES (1);

CREATE TABLE conflicts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id  INTEGER NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('rejected', 'conflict')),
    reason       TEXT NOT NULL,
    server_state TEXT CHECK (server_state IS NULL OR json_valid(server_state)),
    payload      TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    resolved_ms  INTEGER
) STRICT;
