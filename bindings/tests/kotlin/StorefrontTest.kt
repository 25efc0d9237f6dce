// The mobile storefront through SellerApp, from Kotlin on the JVM, against the real dev server:
// lint findings in both languages, a preview PNG decoded with javax.imageio, the current values
// of a listing, of every listing page by page and of the shop (what the edit forms start from)
// compared with the server's, an offline edit that syncs and that the server then holds (read
// back through its HTTP feed), and a conflicting edit made on the server settled with
// keepServer and with reapply.
//
// Run by scripts/test-kotlin.sh with the other suites (Checks.kt's main).
package com.sellerkit.core.tests

import com.sellerkit.core.LintSeverity
import com.sellerkit.core.ListingInfo
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

/** The dev server's pull feed as [token]'s device sees it: the JSON objects of [kind], in feed order. */
private fun serverRecords(server: DevServer, token: String, kind: String): List<String> {
    val http = HttpClient.newHttpClient()
    val records = mutableListOf<String>()
    var cursor: String? = null
    val record = Regex(""""kind"\s*:\s*"$kind"\s*,\s*"data"\s*:\s*(\{[^{}]*\})""")
    while (true) {
        val query = "limit=500" + (cursor?.let { "&cursor=$it" } ?: "")
        val response = http.send(
            HttpRequest.newBuilder(URI("${server.url}/v1/changes?$query"))
                .header("authorization", "Bearer $token").GET().build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        assertEquals(200, response.statusCode(), "GET /v1/changes (${response.body().take(300)})")
        val body = response.body()
        for (m in record.findAll(body)) records += m.groupValues[1]
        cursor = Regex(""""next_cursor"\s*:\s*"([^"]*)"""").find(body)?.groupValues?.get(1)
        if (!body.contains("\"has_more\":true")) break
    }
    return records
}

/** The server's products as [token]'s device pulls them: each product's JSON object by id. */
private fun serverProducts(server: DevServer, token: String): Map<String, String> =
    serverRecords(server, token, "product").associateBy { field(it, "id") }

/** A string field of a flat JSON object. */
private fun field(obj: String, name: String): String =
    Regex(""""$name"\s*:\s*"((?:[^"\\]|\\.)*)"""").find(obj)?.groupValues?.get(1)
        ?: throw AssertionError("no $name in $obj")

/** A string field of a flat JSON object, its escapes decoded. */
private fun text(obj: String, name: String): String =
    Regex("""\\(u[0-9a-fA-F]{4}|.)""").replace(field(obj, name)) { m ->
        val e = m.groupValues[1]
        when {
            e.length == 5 -> e.substring(1).toInt(16).toChar().toString()
            e == "n" -> "\n"
            e == "t" -> "\t"
            e == "r" -> "\r"
            e == "b" -> "\b"
            e == "f" -> "\u000c"
            else -> e
        }
    }

/** A number or boolean field of a flat JSON object, as its JSON text. */
private fun scalar(obj: String, name: String): String =
    Regex(""""$name"\s*:\s*(-?\d+|true|false)""").find(obj)?.groupValues?.get(1)
        ?: throw AssertionError("no $name in $obj")

/** The server's shop profile as [token]'s device pulls it (the latest in the feed). */
private fun serverShop(server: DevServer, token: String): String =
    serverRecords(server, token, "shop_profile").lastOrNull()
        ?: throw AssertionError("no shop_profile in the feed")

/** Asserts that [listing] shows what the server holds in [product] (its JSON object). */
private fun assertSameAsServer(product: String, listing: ListingInfo) {
    val id = listing.id
    assertEquals(field(product, "id"), id, "id")
    assertEquals(text(product, "title"), listing.title, "$id title")
    assertEquals(text(product, "description"), listing.description, "$id description")
    assertEquals(scalar(product, "price").toLong(), listing.priceFen, "$id price")
    assertEquals(field(product, "status") == "active", listing.published, "$id published")
    assertEquals(scalar(product, "version").toLong(), listing.version, "$id version")
    if (product.contains("\"featured\"")) assertEquals(scalar(product, "featured").toBoolean(), listing.featured, "$id featured")
    if (product.contains("\"mobile_description\"")) {
        assertEquals(text(product, "mobile_description"), listing.mobileDescription, "$id mobile description")
    }
}

/** Every listing of [app], [limit] at a time, as a shell pages through them. */
private fun allListings(app: SellerApp, limit: UInt): List<ListingInfo> {
    val all = mutableListOf<ListingInfo>()
    var after: String? = null
    while (true) {
        val page = app.listings(after, limit)
        assertTrue(page.size.toUInt() <= limit) { "a page of ${page.size} for a limit of $limit" }
        if (page.isEmpty()) return all
        all += page
        after = page.last().id
    }
}

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
        assertEquals(null, en.shop(), "shop before the first sync")
        assertEquals(emptyList<ListingInfo>(), en.listings(null, 50u), "listings before the first sync")
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

    check("storefront: listings page through every product the server has, each once, in id order") {
        val byFive = allListings(en, 5u)
        assertEquals(products.keys.sorted(), byFive.map { it.id }, "ids, 5 at a time")
        for (listing in byFive) assertSameAsServer(products.getValue(listing.id), listing)
        // Another page size (and the largest one) pages the same listings.
        assertEquals(byFive, allListings(en, 7u), "7 at a time")
        val capped = en.listings(null, UInt.MAX_VALUE)
        assertTrue(capped.size <= 500) { "a page of ${capped.size}: the cap is 500" }
        assertEquals(byFive, allListings(en, UInt.MAX_VALUE), "the largest pages")
        assertThrows<SellerKitException.InvalidInput> { en.listings(null, 0u) }
    }

    check("storefront: listing and shop read the synced values; an unknown listing is the edit's typed error") {
        assertSameAsServer(products.getValue(productId), en.listing(productId))
        val shop = en.shop() ?: throw AssertionError("no shop after the sync")
        val onServer = serverShop(server, token)
        assertEquals(field(onServer, "shop_id"), shop.shopId, "shop id")
        assertEquals(text(onServer, "name"), shop.name, "name")
        assertEquals(text(onServer, "description"), shop.announcement, "announcement")
        assertEquals(scalar(onServer, "version").toLong(), shop.version, "shop version")
        for (app in listOf(en, zh)) {
            val read = assertThrows<SellerKitException.InvalidInput> { app.listing("no_such_product") }
            val edit = assertThrows<SellerKitException.InvalidInput> { app.editProduct("no_such_product", ProductEdit(title = "x")) }
            assertEquals(edit.reason, read.reason, "the same words as an edit's")
            assertTrue(read.reason.contains("no_such_product")) { read.reason }
        }
        val zhReason = assertThrows<SellerKitException.InvalidInput> { zh.listing("no_such_product") }.reason
        assertTrue(zhReason.contains("找不到商品")) { zhReason }
    }

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
        // The form opened again shows the unsynced edit, exactly as the edit returned it.
        assertEquals(edited, en.listing(productId), "listing after the edit")
        assertEquals(edited, allListings(en, 3u).single { it.id == productId }, "the listing's page after the edit")
        assertTrue(en.lint().findings.none { it.productId == productId && it.code == "banned_term" }) { "still banned" }
        val shop = en.editShop(ShopEdit(announcement = "新品上架，全场包邮", themeColor = "#0A7F5A"))
        assertEquals("新品上架，全场包邮", shop.announcement, "announcement")
        assertEquals(shop, en.shop(), "shop after the edit")
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
        // What the phone shows now is what the server has, its version included.
        val listing = en.listing(productId)
        assertSameAsServer(onServer, listing)
        assertEquals(true, listing.featured, "featured")
        val shopOnServer = serverShop(server, token)
        val shop = en.shop() ?: throw AssertionError("no shop")
        assertEquals("新品上架，全场包邮", text(shopOnServer, "description"), "server announcement")
        assertEquals(text(shopOnServer, "description"), shop.announcement, "announcement")
        assertEquals("#0A7F5A", shop.themeColor, "theme colour")
        assertEquals(scalar(shopOnServer, "version").toLong(), shop.version, "shop version")
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
