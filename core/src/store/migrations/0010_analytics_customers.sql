-- v10: cheaper customer rollups for the sync (docs/analytics.md, "How it is computed").
-- v6 kept paid orders per (customer, day), ordered by customer: every synced page added a row
-- at the end of each of its ~700 customers' runs, so it dirtied (and at 1M orders first read
-- from disk) one B-tree leaf per customer, page after page. Now:
--   - the counts are ordered by day first: a page's rows land in the few leaves of its days;
--   - which days a customer bought on is a compact bitmap, 64 days per row, ordered by customer:
--     a few bytes per customer and block, so the whole table stays in the page cache and a
--     page rewrites few leaves; it answers "did this customer buy in [s, e)" with one probe.
-- The counts are what keeps the bitmap exact when orders go away (a bit is cleared when the
-- customer's last paid order of that day goes).
DROP TABLE analytics_customer_day;
CREATE TABLE analytics_customer_day (
    day         INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    orders      INTEGER NOT NULL,
    PRIMARY KEY (day, customer_id)
) STRICT, WITHOUT ROWID;
-- Bit i of `days` (i = 0..63; bit 63 is the sign bit): a paid order on day block * 64 + i.
CREATE TABLE analytics_customer_blocks (
    customer_id TEXT NOT NULL,
    block       INTEGER NOT NULL,
    days        INTEGER NOT NULL,
    PRIMARY KEY (customer_id, block)
) STRICT, WITHOUT ROWID;
-- The other rollups are unchanged, but the new tables must be filled from the raw orders: a
-- NULL zone makes the core rebuild every rollup once before first use (rollup::ensure_built).
DELETE FROM analytics_customer;
UPDATE analytics_state SET zone = NULL, built_ms = NULL WHERE id = 1;
