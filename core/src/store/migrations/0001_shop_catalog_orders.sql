-- v1: the shop, its catalogue and its orders.
-- STRICT tables: a wrong type is an error, not a silent conversion.
PRAGMA application_id = 1397442900; -- 'SKIT': marks the file as a SellerKit database

CREATE TABLE shop_profile (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    shop_id         TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    logo_image_id   TEXT,
    banner_image_id TEXT,
    time_zone       TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    tier            TEXT NOT NULL CHECK (tier IN ('basic', 'standard', 'premium')),
    version         INTEGER NOT NULL DEFAULT 0,
    updated_ms      INTEGER NOT NULL
) STRICT;

CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    price_fen   INTEGER NOT NULL CHECK (price_fen >= 0),
    stock       INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('active', 'draft', 'archived')),
    version     INTEGER NOT NULL DEFAULT 0,
    updated_ms  INTEGER NOT NULL
) STRICT;

CREATE TABLE images (
    id          TEXT PRIMARY KEY,
    -- No foreign key: sync may deliver an image before its product. Deleting a product
    -- deletes its images in CatalogRepo::delete_product.
    product_id  TEXT,
    role        TEXT NOT NULL CHECK (role IN ('logo', 'banner', 'product')),
    position    INTEGER NOT NULL DEFAULT 0,
    width       INTEGER,
    height      INTEGER,
    byte_len    INTEGER,
    mime        TEXT,
    sha256      TEXT,
    local_path  TEXT,
    updated_ms  INTEGER NOT NULL,
    CHECK ((role = 'product') = (product_id IS NOT NULL))
) STRICT;
CREATE INDEX images_by_product ON images (product_id, position);

CREATE TABLE orders (
    id           TEXT PRIMARY KEY,
    channel      TEXT NOT NULL CHECK (channel IN ('mobile', 'pc')),
    status       TEXT NOT NULL
                 CHECK (status IN ('pending', 'paid', 'shipped', 'completed', 'refunded', 'cancelled')),
    customer_id  TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    paid_ms      INTEGER,
    refunded_ms  INTEGER,
    subtotal_fen INTEGER NOT NULL,
    discount_fen INTEGER NOT NULL DEFAULT 0,
    total_fen    INTEGER NOT NULL,
    refund_fen   INTEGER NOT NULL DEFAULT 0,
    coupon_id    TEXT,
    updated_ms   INTEGER NOT NULL
) STRICT;
-- The dashboard scans by time.
CREATE INDEX orders_by_created ON orders (created_ms);

CREATE TABLE order_lines (
    order_id       TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no        INTEGER NOT NULL,
    -- No foreign key: an order keeps naming a product that was deleted since.
    product_id     TEXT,
    title          TEXT NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_fen INTEGER NOT NULL,
    total_fen      INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
) STRICT, WITHOUT ROWID;
