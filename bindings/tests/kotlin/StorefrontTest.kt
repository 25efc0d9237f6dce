// The mobile storefront through SellerApp, from Kotlin on the JVM, against the real dev server:
// lint findings in both languages, a preview PNG decoded with javax.imageio, an offline edit
// that syncs and that the server then holds (read back through its HTTP feed), and a
// conflicting edit made on the server settled with keepServer and with reapply.
//
// Run by scripts/test-kotlin.sh with the other suites (Checks.kt's main).
package com.sellerkit.core.tests

import com.sellerkit.core.LintSeverity
import com.sellerkit.core.PreviewDevice
import com.sellerkit.core.ProductEdit
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.ShopEdit
import com.sellerkit.core.StorefrontConflictKind
import com.sellerkit.core.StorefrontPage
import java.io.ByteArrayInputStream
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import javax.imageio.ImageIO
import kotlinx.coroutines.runBlocking

/** Debian's fonts, as a PATH-style list: DejaVu Sans for Latin, Droid Sans Fallback for CJK. */
private const val FONTS =
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

/** The dev server's pull feed as [token]'s device sees it: each product's JSON object by id. */
private fun serverProducts(server: DevServer, token: String): Map<String, String> {
    val http = HttpClient.newHttpClient()
    val products = mutableMapOf<String, String>()
    var cursor: String? = null
    val record = Regex(""""kind"\s*:\s*"product"\s*,\s*"data"\s*:\s*(\{[^{}]*\})""")
    while (true) {
        val query = "limit=500" + (cursor?.let { "&cursor=$it" } ?: "")
        val response = http.send(
            HttpRequest.newBuilder(URI("${server.url}/v1/changes?$query"))
                .header("authorization", "Bearer $token").GET().build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        assertEquals(200, response.statusCode(), "GET /v1/changes (${response.body().take(300)})")
        val body = response.body()
        for (m in record.findAll(body)) {
            val obj = m.groupValues[1]
            products[field(obj, "id")] = obj
        }
        cursor = Regex(""""next_cursor"\s*:\s*"([^"]*)"""").find(body)?.groupValues?.get(1)
        if (!body.contains("\"has_more\":true")) break
    }
    return products
}

/** A string field of a flat JSON object. */
private fun field(obj: String, name: String): String =
    Regex(""""$name"\s*:\s*"((?:[^"\\]|\\.)*)"""").find(obj)?.groupValues?.get(1)
        ?: throw AssertionError("no $name in $obj")

/** Changes a product on the server as the marketplace's web console would. */
private fun editOnServer(server: DevServer, productJson: String, title: String) {
    val edited = productJson.replace(Regex(""""title"\s*:\s*"(?:[^"\\]|\\.)*""""), "\"title\":\"$title\"")
    val response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI("${server.url}/dev/shops/shop_demo/products"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("""{"products": [$edited]}"""))
            .build(),
        HttpResponse.BodyHandlers.ofString(),
    )
    assertEquals(200, response.statusCode(), "POST products (${response.body().take(300)})")
}

/** The storefront: lint, preview, offline edits and their sync, conflicts. */
fun runStorefrontTests() {
    val binary = System.getProperty("sellerkit.devserver")
    val dir = Files.createTempDirectory("sellerkit-storefront-").toFile()
    var server: DevServer? = null
    check("storefront: the dev server starts") {
        assertTrue(!binary.isNullOrBlank()) { "system property sellerkit.devserver is not set" }
        server = DevServer(binary, dir, orders = 20)
    }
    val dev = server ?: run {
        println("FAIL the storefront checks need the dev server")
        failed++
        return
    }
    try {
        storefrontChecks(dev, dir)
    } finally {
        dev.close()
        dir.deleteRecursively()
    }
}

private fun storefrontChecks(server: DevServer, dir: File) {
    val secrets = MemorySecretStore()
    val media = File(dir, "pictures-elsewhere")
    val en = SellerApp.open(
        SellerAppConfig(databasePath = File(dir, "en/sellerkit.db").path, mediaDir = media.path,
            fontPath = FONTS, deviceName = "JVM storefront (en)", platform = "desktop", locale = "en-US"),
        secrets, null,
    )
    val zh = SellerApp.open(
        SellerAppConfig(databasePath = File(dir, "zh/sellerkit.db").path, fontPath = FONTS,
            deviceName = "JVM storefront (zh)", platform = "desktop", locale = "zh-CN"),
        MemorySecretStore(), null,
    )
    val noFont = SellerApp.open(
        SellerAppConfig(databasePath = File(dir, "nofont/sellerkit.db").path,
            deviceName = "JVM storefront (no font)", platform = "desktop", locale = "en"),
        MemorySecretStore(), null,
    )

    check("storefront: before the first sync there is no shop to preview or edit") {
        val e = assertThrows<SellerKitException.NotActivated> {
            runBlocking { en.preview(StorefrontPage.Home, PreviewDevice.BUNDLED) }
        }
        assertTrue(e.reason.contains("sync")) { e.reason }
        assertThrows<SellerKitException.NotActivated> { en.editShop(ShopEdit(name = "x")) }
    }

    runBlocking {
        en.activate(server.url, server.codes.getValue("premium"))
        en.sync(null, null)
        zh.activate(server.url, server.codes.getValue("basic"))
        zh.sync(null, null)
        noFont.activate(server.url, server.codes.getValue("standard"))
        noFont.sync(null, null)
    }
    val token = secrets.get("sellerkit.device_token") ?: throw AssertionError("no device token")
    val products = serverProducts(server, token)
    val productId = products.keys.sorted().first { field(products.getValue(it), "status") == "active" }

    check("storefront: lint returns findings with their fix in the seller's language") {
        val lintEn = en.lint()
        val lintZh = zh.lint()
        assertTrue(lintEn.findings.isNotEmpty()) { "no findings" }
        assertTrue(lintEn.productsChecked > 0uL) { "no product checked" }
        assertEquals(lintEn.findings.map { it.code }, lintZh.findings.map { it.code }, "same findings")
        assertEquals(lintEn.errors + lintEn.warnings + lintEn.infos, lintEn.findings.size.toULong(), "counts")
        val han = Regex("[\u4e00-\u9fff]")
        // The English words may quote the seller's own Chinese text ("最低价"), nothing else.
        val unquoted = { text: String -> text.replace(Regex("\"[^\"]*\"|“[^”]*”"), "") }
        for ((e, z) in lintEn.findings.zip(lintZh.findings)) {
            assertTrue(e.fix.isNotBlank() && !han.containsMatchIn(unquoted(e.fix))) { "English fix: ${e.fix}" }
            assertTrue(!han.containsMatchIn(unquoted(e.message))) { "English message: ${e.message}" }
            assertTrue(han.containsMatchIn(z.fix) && han.containsMatchIn(z.message)) { "Chinese: ${z.message} / ${z.fix}" }
            assertTrue(e.fix != z.fix) { "the same fix in both languages: ${e.fix}" }
        }
    }

    check("storefront: preview returns a PNG of the device's size, drawn with the configured font") {
        for ((device, size) in listOf(PreviewDevice.BUNDLED to (720 to 1280), PreviewDevice.MODERN to (1080 to 2340))) {
            for (page in listOf(StorefrontPage.Home, StorefrontPage.Product(productId))) {
                val p = runBlocking { en.preview(page, device) }
                assertEquals(size, p.width.toInt() to p.height.toInt(), "$device $page size")
                val image = ImageIO.read(ByteArrayInputStream(p.png)) ?: throw AssertionError("not a PNG")
                assertEquals(size, image.width to image.height, "$device $page decoded size")
                val colours = (0 until image.height step 40).flatMap { y -> (0 until image.width step 40).map { x -> image.getRGB(x, y) } }.toSet()
                assertTrue(colours.size > 5) { "$device $page is nearly blank: ${colours.size} colours" }
            }
        }
        assertTrue(File(media, "variants").isDirectory) { "no picture variants under the configured media folder $media" }
        val e = assertThrows<SellerKitException.InvalidInput> {
            runBlocking { noFont.preview(StorefrontPage.Home, PreviewDevice.BUNDLED) }
        }
        assertTrue(e.reason.contains("font")) { e.reason }
        assertThrows<SellerKitException.InvalidInput> {
            runBlocking { en.preview(StorefrontPage.Product("no_such_product"), PreviewDevice.BUNDLED) }
        }
    }

    val title = "手工青瓷茶杯 JVM 编辑"
    check("storefront: an offline edit is visible locally at once and refused values write nothing") {
        val before = en.status().pendingOutbox
        val banned = en.editProduct(productId, ProductEdit(title = "全网最好的茶杯"))
        assertEquals("全网最好的茶杯", banned.title, "local title")
        assertTrue(en.lint().findings.any { it.productId == productId && it.code == "banned_term" && it.severity == LintSeverity.ERROR }) {
            "the lint does not see the edited title"
        }
        val edited = en.editProduct(productId, ProductEdit(title = title, priceFen = 12_800, featured = true))
        assertEquals(title, edited.title, "title")
        assertEquals(12_800L, edited.priceFen, "price")
        assertTrue(en.lint().findings.none { it.productId == productId && it.code == "banned_term" }) { "still banned" }
        val shop = en.editShop(ShopEdit(announcement = "新品上架，全场包邮", themeColor = "#0A7F5A"))
        assertEquals("新品上架，全场包邮", shop.announcement, "announcement")
        assertEquals(before + 3L, en.status().pendingOutbox, "outbox")
        val blank = assertThrows<SellerKitException.InvalidInput> { en.editProduct(productId, ProductEdit(title = "  ")) }
        assertTrue(blank.reason.contains("title")) { blank.reason }
        val zhBlank = assertThrows<SellerKitException.InvalidInput> { zh.editProduct(productId, ProductEdit(title = "")) }
        assertTrue(zhBlank.reason.contains("标题")) { zhBlank.reason }
        assertThrows<SellerKitException.InvalidInput> { en.editShop(ShopEdit(themeColor = "green")) }
        assertEquals(before + 3L, en.status().pendingOutbox, "outbox after refusals")
    }

    check("storefront: the edit syncs and the server has it") {
        val summary = runBlocking { en.sync(null, null) }
        assertEquals(0uL, summary.conflicts, "conflicts")
        assertEquals(0L, en.status().pendingOutbox, "outbox after sync")
        val onServer = serverProducts(server, token).getValue(productId)
        assertEquals(title, field(onServer, "title"), "server title")
        assertTrue(onServer.contains("\"price\":12800")) { "server price: $onServer" }
    }

    check("storefront: a conflicting edit on the server shows up, and keepServer takes its value") {
        en.editProduct(productId, ProductEdit(title = "手机上的标题"))
        editOnServer(server, serverProducts(server, token).getValue(productId), "后台改的标题")
        val summary = runBlocking { en.sync(null, null) }
        assertEquals(1uL, summary.conflicts, "conflicts")
        val conflicts = en.storefrontConflicts()
        assertEquals(1, conflicts.size, "open conflicts: $conflicts")
        val c = conflicts.single()
        assertEquals(StorefrontConflictKind.PRODUCT, c.kind, "kind")
        assertEquals(productId, c.entityId, "entity")
        assertEquals(false, c.rejected, "rejected")
        val f = c.fields.single { it.field == "title" }
        assertEquals("手机上的标题", f.yours, "yours")
        assertEquals("后台改的标题", f.server, "server")
        en.keepServer(c.id)
        assertTrue(en.storefrontConflicts().isEmpty()) { "still open" }
        assertThrows<SellerKitException.InvalidInput> { en.keepServer(c.id) }
        assertEquals(0L, en.status().pendingOutbox, "nothing to push")
        assertEquals("后台改的标题", field(serverProducts(server, token).getValue(productId), "title"), "server kept")
    }

    check("storefront: reapply sends the seller's edit again on the server's version") {
        en.editProduct(productId, ProductEdit(title = "卖家坚持的标题"))
        editOnServer(server, serverProducts(server, token).getValue(productId), "后台第二次改")
        runBlocking { en.sync(null, null) }
        val c = en.storefrontConflicts().single()
        en.reapply(c.id)
        assertTrue(en.storefrontConflicts().isEmpty()) { "still open" }
        assertEquals(1L, en.status().pendingOutbox, "queued again")
        val summary = runBlocking { en.sync(null, null) }
        assertEquals(0uL, summary.conflicts, "conflicts")
        assertEquals("卖家坚持的标题", field(serverProducts(server, token).getValue(productId), "title"), "server title")
    }
    check("storefront: a picked photo becomes the main picture, uploads with the next sync, and a non-picture is refused") {
        val picked = File(dir, "picked.png")
        val img = java.awt.image.BufferedImage(1200, 1200, java.awt.image.BufferedImage.TYPE_INT_RGB)
        img.createGraphics().apply { color = java.awt.Color(30, 120, 60); fillRect(0, 0, 1200, 1200); dispose() }
        ImageIO.write(img, "png", picked)
        val notAPicture = File(dir, "notes.jpg").apply { writeText("not a picture") }
        val before = en.status().pendingOutbox
        val refused = assertThrows<SellerKitException.InvalidInput> { en.addPhoto(notAPicture.path) }
        assertTrue(refused.reason.isNotBlank()) { "no reason" }
        assertEquals(before, en.status().pendingOutbox, "a refused photo queues nothing")

        val imageId = en.addPhoto(picked.path)
        assertEquals(before, en.status().pendingOutbox, "an added photo is not queued until placed")
        val listing = en.setMainImage(productId, imageId)
        assertEquals(imageId, listing.gallery.first(), "main picture")
        assertEquals(before + 2, en.status().pendingOutbox, "the upload and the edit are queued")
        val summary = runBlocking { en.sync(null, null) }
        assertEquals(0uL, summary.conflicts, "conflicts")
        assertEquals(0L, en.status().pendingOutbox, "outbox after sync")
        val media = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI("${server.url}/v1/media/$imageId"))
                .header("authorization", "Bearer $token").GET().build(),
            HttpResponse.BodyHandlers.ofByteArray(),
        )
        assertEquals(200, media.statusCode(), "GET /v1/media/$imageId")
        val uploaded = ImageIO.read(ByteArrayInputStream(media.body()))
        // Uploaded at its own 1200 px (at most 1600 on the long side): large enough for the
        // 800x800 main-picture rule, so the app's own lint has nothing to say about it.
        assertEquals(1200, uploaded.width, "the uploaded photo's width")
        assertTrue(en.lint().findings.none { it.productId == productId && it.code == "main_image_too_small" }) {
            "the new main picture is flagged too small"
        }
        assertTrue(serverProducts(server, token).getValue(productId).contains("\"$imageId\"")) { "gallery on the server" }
    }
    en.close()
    zh.close()
    noFont.close()
}
