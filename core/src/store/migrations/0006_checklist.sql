-- v6: the checklist: definition documents it refused (and why), and a partial index so
-- "first mobile order" is answered without scanning the orders.
CREATE TABLE checklist_refusals (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    version    INTEGER,
    code       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    refused_ms INTEGER NOT NULL
) STRICT;

-- Only phone orders are indexed (a fifth of them): small, and cheap for the sync to keep.
CREATE INDEX orders_mobile ON orders (created_ms) WHERE channel = 'mobile';
