-- v5: the wallet's rules: disputes from the server, per-device offline limits, a
-- `rejected` redemption state, and the indexes verification reads through.

-- SQLite cannot change a CHECK constraint in place: rebuild `redemptions` with the new
-- state (`rejected`: the server refused the redemption for good, e.g. the coupon had been
-- revoked before it was redeemed). Rows keep their ids, so nothing is pushed twice.
CREATE TABLE redemptions_v5 (
    id              TEXT PRIMARY KEY, -- UUIDv7: the idempotency key
    coupon_id       TEXT NOT NULL,
    book_id         TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    order_total_fen INTEGER NOT NULL,
    amount_fen      INTEGER NOT NULL CHECK (amount_fen >= 0),
    redeemed_ms     INTEGER NOT NULL,
    origin          TEXT NOT NULL CHECK (origin IN ('local', 'server')),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'disputed', 'rejected'))
) STRICT;
INSERT INTO redemptions_v5 SELECT id, coupon_id, book_id, device_id, order_total_fen,
    amount_fen, redeemed_ms, origin, state FROM redemptions;
DROP TABLE redemptions;
ALTER TABLE redemptions_v5 RENAME TO redemptions;
-- Uses and balance of one coupon: read on every verify and redeem.
CREATE INDEX redemptions_by_coupon ON redemptions (coupon_id, state);
-- The offline limits sum this device's unsynced redemptions on every redeem.
CREATE INDEX redemptions_unsynced ON redemptions (redeemed_ms) WHERE state = 'pending';
-- The seller's list, newest first.
CREATE INDEX redemptions_by_time ON redemptions (redeemed_ms);

-- A redemption the server refused because the coupon had been spent elsewhere first.
-- Server state (pulled as `dispute` changes and attached to push conflicts); only
-- `resolved_ms` is also set here, when the seller has dealt with it.
CREATE TABLE disputes (
    id                      TEXT PRIMARY KEY,
    coupon_id               TEXT NOT NULL,
    book_id                 TEXT NOT NULL,
    kind                    TEXT NOT NULL CHECK (kind IN ('double_use', 'overspent')),
    accepted                TEXT NOT NULL CHECK (json_valid(accepted)), -- [DisputedUse]
    refused_redemption_id   TEXT NOT NULL,
    refused_device_id       TEXT NOT NULL,
    refused_amount_fen      INTEGER NOT NULL,
    refused_order_total_fen INTEGER NOT NULL,
    refused_redeemed_ms     INTEGER NOT NULL,
    detected_ms             INTEGER NOT NULL,
    message                 TEXT NOT NULL,
    resolved_ms             INTEGER
) STRICT;
CREATE INDEX disputes_by_time ON disputes (detected_ms);
CREATE INDEX disputes_by_refused ON disputes (refused_redemption_id);

-- Per-device caps on redemptions not yet confirmed by the server: what two offline phones
-- can lose to one coupon spent twice. One row; see docs/coupon-wallet.md for the defaults.
CREATE TABLE wallet_limits (
    id                     INTEGER PRIMARY KEY CHECK (id = 1),
    max_unsynced_count     INTEGER NOT NULL CHECK (max_unsynced_count >= 0),
    max_unsynced_value_fen INTEGER NOT NULL CHECK (max_unsynced_value_fen >= 0),
    max_offline_hours      INTEGER NOT NULL CHECK (max_offline_hours >= 0),
    updated_ms             INTEGER
) STRICT;
INSERT INTO wallet_limits (id, max_unsynced_count, max_unsynced_value_fen, max_offline_hours)
    VALUES (1, 20, 100000, 72);
