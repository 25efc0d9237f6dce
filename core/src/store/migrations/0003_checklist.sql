-- v3: the store-setup checklist: definition documents and the seller's progress.
CREATE TABLE checklist_definitions (
    version     INTEGER PRIMARY KEY,
    source      TEXT NOT NULL CHECK (source IN ('bundled', 'server')),
    document    TEXT NOT NULL CHECK (json_valid(document)),
    received_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE checklist_state (
    task_id      TEXT PRIMARY KEY,
    manual_done  INTEGER NOT NULL DEFAULT 0 CHECK (manual_done IN (0, 1)),
    completed_ms INTEGER,
    updated_ms   INTEGER NOT NULL
) STRICT;
