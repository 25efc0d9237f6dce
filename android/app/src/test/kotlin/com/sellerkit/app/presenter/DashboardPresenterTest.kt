// The dashboard screen's presenter on the desktop JVM, against the real core and the dev
// server that PresenterTest.kt started: figures formatted for display, mobile share first,
// the chart's series, freshness, range changes, and a bad range shown as an error.
package com.sellerkit.app.presenter

import com.sellerkit.core.SellerApp
import kotlinx.coroutines.CoroutineScope

internal fun dashboardChecks(app: SellerApp, scope: CoroutineScope) {
    val dashboard = DashboardPresenter(app, scope)

    check("dashboard: 30 days of the synced shop, mobile share first, formatted") {
        dashboard.refresh().join()
        val s = dashboard.state.value
        assertEquals(null, s.error, "error")
        assertEquals(false, s.loading, "loading")
        val first = s.lines.first()
        assertEquals("mobile_share_of_orders", first.id, "first figure")
        assertTrue(first.current.matches(Regex("""\d+\.\d\d%"""))) { "share: ${first.current}" }
        val net = s.lines.first { it.id == "net_sales" }
        assertTrue(net.current.startsWith("¥")) { "net sales: ${net.current}" }
        val board = s.dashboard!!
        val orders = board.figures.first { it.id == "orders" }
        assertEquals(orders.current.toString(), s.lines.first { it.id == "orders" }.current, "orders text")
        assertEquals(30, s.trend.size, "daily points")
        assertEquals(s.trend.size, s.previousTrend.size, "previous aligned")
        assertEquals(board.series.current.map { it.netSalesFen }, s.trend, "trend")
        assertTrue(s.lastSyncMs != null) { "no freshness" }
        // The checklist checks before this one leave their tick and untick in the outbox.
        assertEquals(app.status().pendingOutbox, s.pendingChanges, "pending")
        assertTrue(s.heatmapMax > 0) { "empty heatmap" }
    }

    check("dashboard: changing the range re-reads; today is 24 hourly points") {
        dashboard.select("today").join()
        val s = dashboard.state.value
        assertEquals("today", s.range, "range")
        assertEquals("hour", s.dashboard?.series?.grain, "grain")
        assertEquals(24, s.trend.size, "points")
    }

    check("dashboard: a bad range shows the core's reason") {
        dashboard.select("2026-03-10..2026-03-01").join()
        val s = dashboard.state.value
        assertEquals(UiError.Kind.INVALID_INPUT, s.error?.kind, "error kind")
        assertTrue(s.error!!.reason.isNotBlank()) { "empty reason" }
    }

    check("formatting: shares, relative changes, points and undefined values") {
        assertEquals("27.38%", formatBps(2738))
        assertEquals("-0.05%", formatBps(-5))
        val line = figureLine(
            com.sellerkit.core.DashboardFigure(
                "mobile_share_of_orders", "Mobile share", com.sellerkit.core.FigureUnit.SHARE,
                2738, 2534, 204, null,
            ),
        )
        assertEquals("+2.04", line.change, "points")
        assertEquals(true, line.changeInPoints, "in points")
        val none = figureLine(
            com.sellerkit.core.DashboardFigure(
                "average_order_value", "AOV", com.sellerkit.core.FigureUnit.MONEY, null, null, null, null,
            ),
        )
        assertEquals(NOT_AVAILABLE, none.current, "undefined value")
        assertEquals(NOT_AVAILABLE, none.change, "undefined change")
    }
}
