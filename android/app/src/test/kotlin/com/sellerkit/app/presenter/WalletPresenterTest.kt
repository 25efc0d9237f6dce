// The wallet screen's presenter on the desktop JVM, against the real core and the dev server
// that PresenterTest.kt started: coupons issued by the server, scanned, re-verified as the
// total is typed, redeemed, refused, and a dispute between two phones. Called from
// PresenterTest.kt's main once its phone is activated and synced.
package com.sellerkit.app.presenter

import com.sellerkit.core.CouponKind
import com.sellerkit.core.RedemptionState
import com.sellerkit.core.SellerApp
import kotlinx.coroutines.CoroutineScope
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/** Issues a book of shop_demo through the dev server; returns its coupons' texts. */
private fun issue(server: DevServer, json: String): List<String> {
    val response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI("${server.url}/dev/shops/shop_demo/coupons"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString(),
    )
    assertEquals(201, response.statusCode(), "issuing a book: ${response.body().take(300)}")
    return Regex(""""text"\s*:\s*"(SKC1:[^"]+)"""").findAll(response.body()).map { it.groupValues[1] }.toList()
}

/** One Base45 character changed in the middle. */
private fun tampered(text: String): String {
    val i = text.length / 2
    return text.substring(0, i) + (if (text[i] == 'A') 'B' else 'A') + text.substring(i + 1)
}

internal fun walletChecks(server: DevServer, work: File, app: SellerApp, scope: CoroutineScope) {
    var coupons = emptyList<String>()
    var stored = emptyList<String>()

    check("wallet: coupons issued by the server reach the phone's keys by sync") {
        coupons = issue(server, """{"title": "满50减10", "kind": "single_use", "value_fen": 1000, "min_spend": 5000, "count": 3}""")
        stored = issue(server, """{"title": "储值卡", "kind": "stored_value", "value_fen": 10000, "count": 1}""")
        assertEquals(3, coupons.size, "coupons")
        app.sync(null, null)
        assertEquals("ok", app.verifyCoupon(coupons[0], null, emptyList()).reasonCode, "verdict after sync")
    }

    val wallet = WalletPresenter(app, scope)

    check("wallet: a scan shows the verdict and terms; redeem waits for a total") {
        wallet.onScanned("  ${coupons[0]}\n")!!.join()
        val s = wallet.state.value
        assertEquals(coupons[0], s.code, "code (trimmed)")
        assertEquals(true, s.verdict?.accepted, "accepted")
        assertEquals("¥10.00", s.verdict?.terms?.valueDisplay, "value")
        assertEquals(null, s.verdict?.terms?.discountFen, "discount without total")
        assertEquals(false, s.canRedeem, "canRedeem without a total")
        assertEquals(null, wallet.redeem(), "redeem job without a total")
    }

    check("wallet: the camera reporting the same code again does nothing") {
        assertEquals(null, wallet.onScanned(coupons[0]), "job for a repeated scan")
    }

    check("wallet: typing the total re-verifies: below the minimum, then the discount") {
        wallet.onTotalChange("30")!!.join()
        assertEquals("below_min_spend", wallet.state.value.verdict?.reasonCode, "at ¥30")
        assertEquals(false, wallet.state.value.canRedeem, "canRedeem at ¥30")
        wallet.onTotalChange("80.00")!!.join()
        val s = wallet.state.value
        assertEquals(8000L, s.totalFen, "total in fen")
        assertEquals(1000L, s.verdict?.terms?.discountFen, "discount")
        assertEquals(true, s.canRedeem, "canRedeem")
    }

    check("wallet: a total that is not money shows the core's reason and blocks redeem") {
        wallet.onTotalChange("1.234")!!.join()
        val s = wallet.state.value
        assertTrue(s.totalError?.contains("1.234") == true) { "total error: ${s.totalError}" }
        assertEquals(false, s.canRedeem, "canRedeem")
        wallet.onTotalChange("80")!!.join()
    }

    check("wallet: redeem records a pending redemption; history and allowance update") {
        wallet.redeem()!!.join()
        val s = wallet.state.value
        assertEquals(null, s.error, "error")
        val receipt = s.receipt ?: throw AssertionError("no receipt")
        assertEquals(1000L, receipt.redemption.amountFen, "amount")
        assertEquals(RedemptionState.PENDING, receipt.redemption.state, "state")
        assertEquals(receipt.redemption.id, s.redemptions.firstOrNull()?.id, "newest redemption")
        assertEquals(1u, s.status?.unsyncedCount, "unsynced")
        assertEquals("used_up", s.verdict?.reasonCode, "verdict after redeeming")
        assertEquals(false, s.canRedeem, "canRedeem after")
    }

    check("wallet: a tampered code is refused with the core's reason code") {
        wallet.next()
        wallet.onScanned(tampered(coupons[1]))!!.join()
        val v = wallet.state.value.verdict ?: throw AssertionError("no verdict")
        assertEquals(false, v.accepted, "accepted")
        assertTrue(v.reasonCode == "bad_signature" || v.reasonCode == "malformed") { "reason ${v.reasonCode}" }
        assertTrue(!v.message.isNullOrBlank()) { "no message" }
    }

    check("wallet: a stale verdict: redeem shows COUPON_REFUSED when another redemption came first") {
        wallet.next()
        wallet.onScanned(coupons[1])!!.join()
        wallet.onTotalChange("60")!!.join()
        assertEquals(true, wallet.state.value.canRedeem, "canRedeem")
        app.redeemCoupon(coupons[1], 6000L, null, emptyList()) // e.g. from another screen
        wallet.redeem()!!.join()
        val s = wallet.state.value
        assertEquals(UiError.Kind.COUPON_REFUSED, s.error?.kind, "error kind")
        assertEquals("used_up", s.error?.code, "code")
        assertTrue(s.error!!.reason.isNotBlank()) { "no reason" }
        assertEquals(null, s.receipt, "receipt")
    }

    check("wallet: a stored-value coupon spends the typed amount; the balance shows") {
        wallet.next()
        wallet.onScanned(stored[0])!!.join()
        assertEquals(CouponKind.STORED_VALUE, wallet.state.value.verdict?.terms?.kind, "kind")
        wallet.onTotalChange("50")!!.join()
        wallet.onAmountChange("20")
        wallet.redeem()!!.join()
        val receipt = wallet.state.value.receipt ?: throw AssertionError("no receipt: ${wallet.state.value.error}")
        assertEquals(2000L, receipt.redemption.amountFen, "spent")
        assertEquals(8000L, receipt.terms.balanceFen, "balance")
    }

    check("wallet: two phones redeem one coupon offline; after syncing, the dispute shows and can be resolved") {
        val other = openApp(work, "phone2", locale = "en")
        other.activate(server.url, server.codes.getValue("standard"))
        other.sync(null, null)
        app.sync(null, null)
        wallet.next()
        wallet.onScanned(coupons[2])!!.join()
        wallet.onTotalChange("90")!!.join()
        wallet.redeem()!!.join()
        assertEquals(null, wallet.state.value.error, "error on this phone")
        other.redeemCoupon(coupons[2], 9900L, null, emptyList())
        app.sync(null, null)
        other.sync(null, null)
        app.sync(null, null)
        wallet.refresh().join()
        val dispute = wallet.state.value.disputes.singleOrNull()
            ?: throw AssertionError("disputes: ${wallet.state.value.disputes}")
        assertEquals(wallet.state.value.receipt?.redemption?.id, dispute.accepted.single().redemptionId, "accepted")
        assertEquals(9900L, dispute.refused.orderTotalFen, "refused order total")
        wallet.resolveDispute(dispute.id).join()
        assertEquals(emptyList<Any>(), wallet.state.value.disputes, "after resolving")
        other.close()
    }
}
