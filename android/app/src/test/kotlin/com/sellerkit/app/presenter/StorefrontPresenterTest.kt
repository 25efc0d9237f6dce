// The storefront screens' presenter on the desktop JVM, against the real core and the dev
// server that PresenterTest.kt started: findings grouped for the screens, the preview drawn
// and switched to a product on the modern phone, an edit saved and reflected in the findings,
// a refused edit shown with the core's reason, and an unknown conflict's refusal. Called from
// PresenterTest.kt's main on the activated, synced phone (opened with the Debian fonts).
package com.sellerkit.app.presenter

import com.sellerkit.core.PreviewDevice
import com.sellerkit.core.ProductEdit
import com.sellerkit.core.SellerApp
import com.sellerkit.core.ShopEdit
import com.sellerkit.core.StorefrontPage
import java.io.ByteArrayInputStream
import javax.imageio.ImageIO
import kotlinx.coroutines.CoroutineScope

internal fun storefrontChecks(app: SellerApp, scope: CoroutineScope) {
    val presenter = StorefrontPresenter(app, scope)

    check("storefront: refresh shows the findings, no conflicts and the home preview of the bundled phone") {
        presenter.refresh().join()
        val s = presenter.state.value
        assertEquals(null, s.error, "error")
        assertEquals(false, s.loading, "loading")
        val lint = s.lint ?: throw AssertionError("no lint")
        assertTrue(lint.findings.isNotEmpty()) { "the demo shop has findings" }
        assertEquals(lint.findings.size, s.shopFindings.size + s.productsWithFindings.sumOf { it.second.size }, "every finding grouped")
        val worst = s.productsWithFindings.first().second.first().severity
        assertTrue(s.productsWithFindings.all { (_, list) -> list.first().severity.ordinal >= worst.ordinal }) { "errors first" }
        assertEquals(emptyList<Any>(), s.conflicts, "conflicts")
        val preview = s.preview ?: throw AssertionError("no preview")
        assertEquals(720u to 1280u, preview.width to preview.height, "size")
        val image = ImageIO.read(ByteArrayInputStream(preview.png)) ?: throw AssertionError("not a PNG")
        assertEquals(720 to 1280, image.width to image.height, "decoded size")
    }

    val productId = presenter.state.value.productsWithFindings.first().first

    check("storefront: the preview switches to a product page on the modern phone") {
        presenter.showPreview(StorefrontPage.Product(productId), PreviewDevice.MODERN).join()
        val s = presenter.state.value
        assertEquals(null, s.error, "error")
        assertEquals(false, s.previewLoading, "loading")
        assertEquals(1080u to 2340u, s.preview!!.width to s.preview!!.height, "size")
    }

    check("storefront: a refused edit shows the core's reason and writes nothing") {
        val before = app.status().pendingOutbox
        presenter.editProduct(productId, ProductEdit(title = "   "))!!.join()
        val s = presenter.state.value
        assertEquals(UiError.Kind.INVALID_INPUT, s.error?.kind, "kind")
        assertTrue(s.error!!.reason.contains("标题")) { s.error!!.reason }
        assertEquals(false, s.saving, "saving")
        assertEquals(before, app.status().pendingOutbox, "outbox")
        presenter.dismissError()
    }

    check("storefront: a saved edit is queued and the findings follow it") {
        val before = app.status().pendingOutbox
        val saved = presenter.state.value.savedCount
        presenter.editProduct(productId, ProductEdit(title = "史上最好喝的红茶"))!!.join()
        var s = presenter.state.value
        assertEquals(null, s.error, "error")
        assertEquals(saved + 1, s.savedCount, "saved")
        assertTrue(s.findingsOf(productId).any { it.code == "banned_term" }) { "findings: ${s.findingsOf(productId).map { it.code }}" }
        presenter.editProduct(productId, ProductEdit(title = "云南滇红 红茶 100g"))!!.join()
        presenter.editShop(ShopEdit(announcement = "新茶上市"))!!.join()
        s = presenter.state.value
        assertEquals(null, s.error, "error")
        assertTrue(s.findingsOf(productId).none { it.code == "banned_term" }) { "still banned" }
        assertEquals(before + 3, app.status().pendingOutbox, "outbox")
        assertTrue(s.preview != null) { "the preview was drawn again" }
    }

    check("storefront: settling an unknown conflict shows the core's refusal") {
        presenter.keepServer(987_654L)!!.join()
        val s = presenter.state.value
        assertEquals(UiError.Kind.INVALID_INPUT, s.error?.kind, "kind")
        assertEquals(null, s.busyConflictId, "busy")
        presenter.dismissError()
    }
}
