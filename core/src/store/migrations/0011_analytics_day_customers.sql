-- v11: the customers who paid on a day, as one row per day (docs/analytics.md, "How it is
-- computed"). v10 kept a row per (day, customer) and a 64-day bitmap per customer: each
-- synced page upserted about one row of each per order, over half of what the rollups cost the
-- sync. Now a page rewrites the one or two day rows it touches; distinct customers over a range
-- are the union of its days' lists, and first paid days stay in `analytics_customer`.
DROP TABLE analytics_customer_day;
DROP TABLE analytics_customer_blocks;
-- (customer id, paid orders that day) sorted by id: see core/src/analytics/day_customers.rs.
CREATE TABLE analytics_day_customers (
    day       INTEGER PRIMARY KEY,
    customers BLOB NOT NULL
) STRICT;
-- Filled from the raw orders: a NULL zone makes the core rebuild every rollup once before first
-- use (rollup::ensure_built).
DELETE FROM analytics_customer;
UPDATE analytics_state SET zone = NULL, built_ms = NULL WHERE id = 1;
