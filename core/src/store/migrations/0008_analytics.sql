-- v6: the sales dashboard's rollups (docs/analytics.md). The sync keeps them up to date in
-- the transaction that applies each page; the dashboard reads only these tables.
-- `day` is the shop's business day as days since 1970-01-01, `month` is year * 12 + month - 1,
-- both in the zone named in analytics_state. Money in fen.

-- Which zone the rollups were cut in. NULL zone: not built yet (a database upgraded from v5
-- with orders in it); the core rebuilds them once, from the raw orders, before first use.
CREATE TABLE analytics_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    zone       TEXT,
    built_ms   INTEGER
) STRICT;
INSERT INTO analytics_state (id, zone) VALUES (1, NULL);

-- Sales by paid day and refunds by refund day, per channel (1 = mobile) and coupon use.
CREATE TABLE analytics_day (
    day          INTEGER NOT NULL,
    mobile       INTEGER NOT NULL,
    coupon       INTEGER NOT NULL,
    orders       INTEGER NOT NULL,
    units        INTEGER NOT NULL,
    gross_fen    INTEGER NOT NULL,
    discount_fen INTEGER NOT NULL,
    refund_fen   INTEGER NOT NULL,
    PRIMARY KEY (day, mobile, coupon)
) STRICT, WITHOUT ROWID;

-- The same by local hour of the day: hourly series and the weekday x hour heatmap.
CREATE TABLE analytics_hour (
    day           INTEGER NOT NULL,
    hour          INTEGER NOT NULL,
    orders        INTEGER NOT NULL,
    mobile_orders INTEGER NOT NULL,
    net_fen       INTEGER NOT NULL,
    mobile_net_fen INTEGER NOT NULL,
    PRIMARY KEY (day, hour)
) STRICT, WITHOUT ROWID;

-- Per product (`key`: its id, or '~' and the line title for lines without one), by day and
-- by month: a long range reads whole months and only its ragged ends by day.
CREATE TABLE analytics_product_day (
    day          INTEGER NOT NULL,
    key          TEXT NOT NULL,
    units        INTEGER NOT NULL,
    gross_fen    INTEGER NOT NULL,
    discount_fen INTEGER NOT NULL,
    refund_fen   INTEGER NOT NULL,
    PRIMARY KEY (day, key)
) STRICT, WITHOUT ROWID;
CREATE TABLE analytics_product_month (
    month        INTEGER NOT NULL,
    key          TEXT NOT NULL,
    units        INTEGER NOT NULL,
    gross_fen    INTEGER NOT NULL,
    discount_fen INTEGER NOT NULL,
    refund_fen   INTEGER NOT NULL,
    PRIMARY KEY (month, key)
) STRICT, WITHOUT ROWID;

-- Paid orders per customer and day, and each customer's first paid day: new and returning
-- customers without reading orders.
CREATE TABLE analytics_customer_day (
    customer_id TEXT NOT NULL,
    day         INTEGER NOT NULL,
    orders      INTEGER NOT NULL,
    PRIMARY KEY (customer_id, day)
) STRICT, WITHOUT ROWID;
CREATE TABLE analytics_customer (
    customer_id TEXT PRIMARY KEY,
    first_day   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX analytics_customer_by_first_day ON analytics_customer (first_day);
