// The dashboard through the FFI, from Kotlin on the JVM: a phone syncs the dev server's demo
// shop and its `SellerApp.dashboard(range)` figures must equal the server's own computation
// (`GET /dev/shops/shop_demo/analytics`), figure by figure, plus the top lists and heatmap.
package com.sellerkit.core.tests

import com.sellerkit.core.FigureUnit
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import com.sellerkit.core.SellerKitException
import java.io.File
import java.net.URI
import java.nio.file.Files
import kotlinx.coroutines.runBlocking

/** One figure row of the server's JSON: id to (current, previous). */
private fun serverFigures(json: String): Map<String, Pair<Long?, Long?>> {
    val row = Regex(""""figure":"(\w+)","unit":"\w+","current":(-?\d+|null),"previous":(-?\d+|null)""")
    return row.findAll(json).associate {
        it.groupValues[1] to Pair(it.groupValues[2].toLongOrNull(), it.groupValues[3].toLongOrNull())
    }
}

/** The `(key, units, net_sales)` of a top list in the server's JSON. */
private fun serverTop(json: String, list: String): List<Triple<String, Long, Long>> {
    val section = json.substringAfter("\"$list\":[").substringBefore("]")
    val item = Regex(""""key":"([^"]*)".*?"units":(-?\d+),"gross_sales":-?\d+,"net_sales":(-?\d+)""")
    return item.findAll(section)
        .map { Triple(it.groupValues[1], it.groupValues[2].toLong(), it.groupValues[3].toLong()) }
        .toList()
}

fun runDashboardTests() {
    val binary = System.getProperty("sellerkit.devserver")
    val dir = Files.createTempDirectory("sellerkit-dashboard-").toFile()
    val server = DevServer(binary, dir, orders = 1500)
    try {
        val app = SellerApp.open(
            SellerAppConfig(
                databasePath = File(dir, "phone/sellerkit.db").path,
                timeZone = "Asia/Shanghai",
                deviceName = "JVM dashboard test",
                platform = "desktop",
                locale = "zh-CN",
            ),
            MemorySecretStore(),
            null,
        )
        check("an empty phone's dashboard has zero figures and no shares (n/a, not NaN)") {
            val empty = app.dashboard("30d")
            val orders = empty.figures.first { it.id == "orders" }
            assertEquals(0L, orders.current, "orders")
            assertEquals(null, orders.relativeBps, "relative change of zero")
            val share = empty.figures.first()
            assertEquals("mobile_share_of_orders", share.id, "mobile share first")
            assertEquals(FigureUnit.SHARE, share.unit, "unit")
            assertEquals(null, share.current, "share of no orders")
            assertEquals(null, empty.lastSyncMs, "never synced")
        }
        runBlocking { app.activate(server.url, server.codes.getValue("standard")) }
        runBlocking { app.sync(null, null) }
        for (range in listOf("today", "7d", "30d", "365d", "last-month")) {
            check("dashboard($range) equals the dev server's figures, top lists and heatmap") {
                val mine = app.dashboard(range)
                val now = System.currentTimeMillis()
                val json = URI("${server.url}/dev/shops/shop_demo/analytics?range=$range&now=$now")
                    .toURL().readText()
                val theirs = serverFigures(json)
                assertEquals(21, theirs.size, "figures in the server's answer")
                assertEquals(theirs.keys.toList(), mine.figures.map { it.id }, "figure order")
                for (f in mine.figures) {
                    assertEquals(theirs.getValue(f.id), Pair(f.current, f.previous), "$range ${f.id}")
                }
                val top = mine.topByNetSales.map { Triple(it.key, it.units, it.netSalesFen) }
                assertEquals(serverTop(json, "top_by_net_sales"), top, "$range top by net sales")
                val byUnits = mine.topByUnits.map { Triple(it.key, it.units, it.netSalesFen) }
                assertEquals(serverTop(json, "top_by_units"), byUnits, "$range top by units")
                assertEquals(168, mine.heatmap.size, "heatmap cells")
                val ordersFigure = mine.figures.first { it.id == "orders" }.current
                assertEquals(ordersFigure, mine.heatmap.sumOf { it.orders }, "heatmap orders")
                assertEquals(ordersFigure, mine.series.current.sumOf { it.orders }, "series orders")
                assertTrue(mine.lastSyncMs != null) { "freshness: no last sync" }
                assertEquals(0L, mine.pendingChanges, "pending changes")
            }
        }
        check("the labels are the seller's language") {
            val board = app.dashboard("30d")
            assertEquals("移动端订单占比", board.figures.first().label, "label")
            assertTrue(board.figures.first { it.id == "orders" }.current!! > 0) { "no orders in 30 days" }
        }
        check("a bad range is InvalidInput in the seller's language") {
            val back = assertThrows<SellerKitException.InvalidInput> { app.dashboard("2026-03-10..2026-03-01") }
            assertTrue(back.reason.contains("早于")) { back.reason }
            val long = assertThrows<SellerKitException.InvalidInput> { app.dashboard("2006-01-01..2025-12-31") }
            assertTrue(long.reason.contains("1100")) { long.reason }
            assertThrows<SellerKitException.InvalidInput> { app.dashboard("forever") }
        }
        app.close()
    } finally {
        server.close()
        dir.deleteRecursively()
    }
}
