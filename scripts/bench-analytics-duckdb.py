#!/usr/bin/env python3
"""The dashboard's figures by DuckDB, for `sellerkit bench analytics`.

Loads the CSV export the benchmark writes (orders.csv, lines.csv, buckets.csv, ranges.csv)
into DuckDB's own in-memory tables, then computes, per range, the same figures the phone
computes (docs/analytics.md): sums by channel and coupon for the range and its previous
period, new and returning customers, the daily (or weekly/monthly: by day, summed) series of
both periods, the weekday x hour heatmap and the top products. Day and hour bounds come from
buckets.csv (cut by the core's time zone code), as the raw-SQL path uses them, so DuckDB needs
no time zone extension (extension downloads are not reachable here).

Prints one JSON object: {range: {"median_ms": ..., "runs": ..., "orders": ..., "net_sales": ...,
"customers": ...}} so the benchmark can check the figures agree with the phone's.

Needs: pip install duckdb==2.0.1   (pinned in scripts/setup; the README's figures were measured with it)
Usage: scripts/bench-analytics-duckdb.py DIR RUNS
"""
import json
import statistics
import sys
import time

try:
    import duckdb
except ImportError:
    sys.exit("bench-analytics-duckdb.py: missing Python module duckdb; run: scripts/setup (it installs duckdb==2.0.1 into .cache/python)")

SALE = "status IN ('paid', 'shipped', 'completed', 'refunded') AND paid_ms IS NOT NULL"


def dashboard(con, rng):
    """Every figure of one range; returns the headline figures for the cross-check."""
    out = {}
    for period in ("cur", "prev"):
        s, e = con.execute(
            "SELECT start_ms, end_ms FROM ranges WHERE name = ? AND period = ?", [rng, period]
        ).fetchone()
        sales = con.execute(
            f"""SELECT channel = 'mobile', coupon, count(*), sum(subtotal), sum(discount), sum(units)
                FROM orders WHERE {SALE} AND paid_ms >= ? AND paid_ms < ? GROUP BY ALL""",
            [s, e],
        ).fetchall()
        refunds = con.execute(
            f"""SELECT channel = 'mobile', coupon, sum(refund) FROM orders
                WHERE {SALE} AND refund > 0 AND refunded_ms >= ? AND refunded_ms < ? GROUP BY ALL""",
            [s, e],
        ).fetchall()
        customers, returning = con.execute(
            f"""WITH inside AS (SELECT DISTINCT customer_id FROM orders
                    WHERE {SALE} AND paid_ms >= ? AND paid_ms < ?),
                 first AS (SELECT customer_id, min(paid_ms) AS first_ms FROM orders
                    WHERE {SALE} GROUP BY customer_id)
                SELECT count(*), count(*) FILTER (WHERE first.first_ms < ?)
                FROM inside JOIN first USING (customer_id)""",
            [s, e, s],
        ).fetchone()
        con.execute(
            f"""SELECT b.key, count(*), sum(CASE WHEN o.channel = 'mobile' THEN 1 ELSE 0 END),
                    sum(o.total), sum(CASE WHEN o.channel = 'mobile' THEN o.total ELSE 0 END)
                FROM buckets b JOIN orders o ON o.paid_ms >= b.start_ms AND o.paid_ms < b.end_ms
                WHERE b.name = ? AND b.period = ? AND b.kind = 'day' AND o.{SALE.replace(' AND paid_ms', ' AND o.paid_ms')}
                GROUP BY b.key""",
            [rng, period],
        ).fetchall()
        con.execute(
            """SELECT b.key, sum(o.refund) FROM buckets b JOIN orders o
                   ON o.refunded_ms >= b.start_ms AND o.refunded_ms < b.end_ms
                WHERE b.name = ? AND b.period = ? AND b.kind = 'day' AND o.refund > 0
                GROUP BY b.key""",
            [rng, period],
        ).fetchall()
        if period == "cur":
            con.execute(
                """SELECT b.weekday, b.hour, count(*), sum(o.total) FROM buckets b JOIN orders o
                       ON o.paid_ms >= b.start_ms AND o.paid_ms < b.end_ms
                    WHERE b.name = ? AND b.period = 'cur' AND b.kind = 'hour'
                      AND o.status IN ('paid', 'shipped', 'completed', 'refunded')
                    GROUP BY ALL""",
                [rng],
            ).fetchall()
            con.execute(
                f"""WITH p AS (
                        SELECT l.key, l.quantity AS units, l.total AS gross,
                            CASE WHEN o.subtotal > 0 THEN (o.discount * l.total) // o.subtotal ELSE 0 END AS discount,
                            0 AS refund
                        FROM orders o JOIN lines l ON l.order_id = o.id
                        WHERE o.{SALE.replace(' AND paid_ms', ' AND o.paid_ms')} AND o.paid_ms >= ? AND o.paid_ms < ?
                        UNION ALL
                        SELECT l.key, 0, 0, 0,
                            CASE WHEN o.subtotal > 0 THEN (o.refund * l.total) // o.subtotal ELSE 0 END
                        FROM orders o JOIN lines l ON l.order_id = o.id
                        WHERE o.refund > 0 AND o.refunded_ms >= ? AND o.refunded_ms < ?
                          AND o.status IN ('paid', 'shipped', 'completed', 'refunded'))
                    SELECT key, sum(units) AS units, sum(gross - discount - refund) AS net FROM p
                    GROUP BY key ORDER BY net DESC, key LIMIT 10""",
                [s, e, s, e],
            ).fetchall()
        if period == "cur":
            orders = sum(r[2] for r in sales)
            net = sum(r[3] - r[4] for r in sales) - sum(r[2] for r in refunds)
            out = {"orders": orders, "net_sales": net, "customers": customers}
    return out


def main():
    folder, runs = sys.argv[1], int(sys.argv[2])
    con = duckdb.connect()
    started = time.perf_counter()
    for table in ("orders", "lines", "buckets", "ranges"):
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{folder}/{table}.csv', header = true)")
    load_ms = (time.perf_counter() - started) * 1000
    result = {"load_ms": load_ms, "duckdb": duckdb.__version__}
    for (rng,) in con.execute("SELECT DISTINCT name FROM ranges ORDER BY name").fetchall():
        times = []
        figures = None
        for _ in range(runs):
            t = time.perf_counter()
            figures = dashboard(con, rng)
            times.append((time.perf_counter() - t) * 1000)
        result[rng] = {"median_ms": statistics.median(times), "runs": runs, **figures}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
