// The storefront screens' presenter on the desktop JVM, against the real core and the dev
// server that PresenterTest.kt started: findings grouped for the screens, the preview drawn
// and switched to a product on the modern phone, an edit saved and reflected in the findings,
// a refused edit shown with the core's reason, an unknown conflict's refusal, and the forms
// opened with the current values of a listing and of the shop (an unknown listing refused, an
// unchanged form queuing nothing, the latest opened listing winning). Called from
// PresenterTest.kt's main on the activated, synced phone (opened with the Debian fonts).
package com.sellerkit.app.presenter

import com.sellerkit.core.PreviewDevice
import com.sellerkit.core.ProductEdit
import com.sellerkit.core.SellerApp
import com.sellerkit.core.ShopEdit
import com.sellerkit.core.StorefrontPage
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Runnable
import kotlin.coroutines.CoroutineContext
import java.io.ByteArrayInputStream
import javax.imageio.ImageIO
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers

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

    check("storefront: openProduct puts the listing's current values in the state, on the io dispatcher") {
        val io = CountingDispatcher()
        val forms = StorefrontPresenter(app, scope, io)
        forms.openProduct(productId).join()
        val s = forms.state.value
        assertEquals(null, s.error, "error")
        assertEquals(false, s.formLoading, "loading")
        assertEquals(app.listing(productId), s.listing, "listing")
        assertEquals("云南滇红 红茶 100g", s.listing!!.title, "the last saved title")
        assertTrue(io.dispatched > 0) { "the read did not run on the io dispatcher" }
    }

    check("storefront: a saved edit is the open form's new value; an unchanged form queues nothing") {
        presenter.openProduct(productId).join()
        val before = app.status().pendingOutbox
        val l = presenter.state.value.listing ?: throw AssertionError("no listing")
        // What the prefilled form sends when the seller changes nothing.
        presenter.editProduct(productId, ProductEdit(l.title, l.priceFen, l.description, l.published, l.featured, l.mobileDescription))!!.join()
        assertEquals(null, presenter.state.value.error, "error")
        assertEquals(before, app.status().pendingOutbox, "outbox after an unchanged form")
        presenter.editProduct(productId, ProductEdit(l.title, l.priceFen + 100, l.description, l.published, l.featured, l.mobileDescription))!!.join()
        val s = presenter.state.value
        assertEquals(before + 1, app.status().pendingOutbox, "outbox after a changed price")
        assertEquals(l.priceFen + 100, s.listing?.priceFen, "the form's price")
        assertEquals(app.listing(productId), s.listing, "listing")
        presenter.closeProduct()
        assertEquals(null, presenter.state.value.listing, "closed")
    }

    check("storefront: openShop puts the profile's current values in the state and follows its edits") {
        presenter.openShop().join()
        var s = presenter.state.value
        assertEquals(null, s.error, "error")
        assertEquals(app.shop(), s.shop, "shop")
        assertEquals("新茶上市", s.shop?.announcement, "the last saved announcement")
        presenter.editShop(ShopEdit(announcement = "秋茶预售"))!!.join()
        s = presenter.state.value
        assertEquals("秋茶预售", s.shop?.announcement, "announcement after the edit")
        assertEquals(app.shop(), s.shop, "shop after the edit")
    }

    check("storefront: opening an unknown listing shows the core's typed refusal") {
        presenter.openProduct("no_such_product").join()
        val s = presenter.state.value
        assertEquals(UiError.Kind.INVALID_INPUT, s.error?.kind, "kind")
        assertTrue(s.error!!.reason.contains("no_such_product")) { s.error!!.reason }
        assertEquals(null, s.listing, "listing")
        assertEquals(false, s.formLoading, "loading")
        presenter.dismissError()
    }

    check("storefront: the listing opened last is the one the form shows") {
        val ids = app.listings(null, 2u).map { it.id }
        assertEquals(2, ids.size, "two listings")
        val first = presenter.openProduct(ids[0])
        val second = presenter.openProduct(ids[1])
        first.join()
        second.join()
        assertEquals(ids[1], presenter.state.value.listing?.id, "open listing")
        presenter.closeProduct()
    }
}

/** Dispatches on [Dispatchers.Default] and counts the blocks it ran, to see where the presenter's core calls run. */
private class CountingDispatcher : CoroutineDispatcher() {
    @Volatile
    var dispatched = 0

    override fun dispatch(context: CoroutineContext, block: Runnable) {
        dispatched++
        Dispatchers.Default.dispatch(context, block)
    }
}
