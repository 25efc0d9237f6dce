-- Version 2: the coupon wallet's server side.

-- The shops' coupon signing keys. The private key is kept here as PKCS#8 PEM: this is a
-- dev server; a production backend keeps it in an HSM or a KMS.
CREATE TABLE shop_keys (
    shop_id       TEXT NOT NULL REFERENCES shops(shop_id),
    kid           TEXT NOT NULL,
    private_pem   TEXT NOT NULL,
    public_key    BLOB NOT NULL,
    not_before_ms INTEGER NOT NULL,
    not_after_ms  INTEGER,
    created_ms    INTEGER NOT NULL,
    updated_ms    INTEGER NOT NULL,
    PRIMARY KEY (shop_id, kid)
) STRICT;

-- Every coupon issued, with its text: for the book listing and the monthly quota.
CREATE TABLE issued_coupons (
    shop_id   TEXT NOT NULL REFERENCES shops(shop_id),
    coupon_id TEXT NOT NULL,
    book_id   TEXT NOT NULL,
    kid       TEXT NOT NULL,
    text      TEXT NOT NULL,
    issued_ms INTEGER NOT NULL,
    PRIMARY KEY (shop_id, coupon_id)
) STRICT;
CREATE INDEX issued_coupons_by_book ON issued_coupons (shop_id, book_id);
CREATE INDEX issued_coupons_by_time ON issued_coupons (shop_id, issued_ms);

-- What was revoked since when, for checking redemptions (`revoked_ms <= redeemed_ms`).
CREATE TABLE revocation_index (
    shop_id    TEXT NOT NULL,
    target     TEXT NOT NULL,
    target_id  TEXT NOT NULL,
    revoked_ms INTEGER NOT NULL,
    PRIMARY KEY (shop_id, target, target_id)
) STRICT, WITHOUT ROWID;

-- Every redemption pushed, first-wins per coupon in `seq` order. `outcome` is the answer
-- (status, reason, code, server_state) given to it, repeated for the same redemption id.
CREATE TABLE redemption_ledger (
    seq           INTEGER PRIMARY KEY,
    shop_id       TEXT NOT NULL,
    redemption_id TEXT NOT NULL,
    coupon_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    amount_fen    INTEGER NOT NULL,
    redeemed_ms   INTEGER NOT NULL,
    accepted      INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    outcome       TEXT NOT NULL,
    UNIQUE (shop_id, redemption_id)
) STRICT;
CREATE INDEX redemption_ledger_by_coupon ON redemption_ledger (shop_id, coupon_id, accepted);
