-- v2: the coupon wallet: books, signing keys, revocations, redemptions.
CREATE TABLE coupon_books (
    id             TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('single_use', 'multi_use', 'stored_value')),
    value_fen      INTEGER,
    value_bps      INTEGER CHECK (value_bps BETWEEN 0 AND 10000),
    max_uses       INTEGER CHECK (max_uses > 0),
    min_spend_fen  INTEGER NOT NULL DEFAULT 0,
    valid_from_ms  INTEGER NOT NULL,
    valid_until_ms INTEGER NOT NULL,
    scope          TEXT NOT NULL DEFAULT '{"kind":"all"}', -- JSON, see CouponScope
    issued_count   INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 0,
    updated_ms     INTEGER NOT NULL,
    CHECK ((value_fen IS NULL) <> (value_bps IS NULL))
) STRICT;

CREATE TABLE signing_keys (
    kid           TEXT PRIMARY KEY,
    algorithm     TEXT NOT NULL DEFAULT 'EdDSA',
    public_key    BLOB NOT NULL,
    not_before_ms INTEGER NOT NULL,
    not_after_ms  INTEGER,
    updated_ms    INTEGER NOT NULL
) STRICT;

CREATE TABLE revocations (
    id         TEXT PRIMARY KEY,
    target     TEXT NOT NULL CHECK (target IN ('coupon', 'book', 'key')),
    target_id  TEXT NOT NULL,
    revoked_ms INTEGER NOT NULL,
    reason     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX revocations_by_target ON revocations (target, target_id);

CREATE TABLE redemptions (
    id              TEXT PRIMARY KEY, -- UUIDv7: the idempotency key
    coupon_id       TEXT NOT NULL,
    book_id         TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    order_total_fen INTEGER NOT NULL,
    amount_fen      INTEGER NOT NULL CHECK (amount_fen >= 0),
    redeemed_ms     INTEGER NOT NULL,
    origin          TEXT NOT NULL CHECK (origin IN ('local', 'server')),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'disputed'))
) STRICT;
CREATE INDEX redemptions_by_coupon ON redemptions (coupon_id);
