// The coupon wallet through SellerApp, from Kotlin on the JVM: coupons issued by the real dev
// server (its /dev/ endpoint signs them with the shop's key), keys synced to the phone,
// verified and redeemed offline by the real core, redemptions pushed, and a coupon redeemed
// on two phones before either synced caught as a dispute on both.
//
// Run by scripts/test-kotlin.sh with the other suites (Checks.kt's main).
package com.sellerkit.core.tests

import com.sellerkit.core.CouponKind
import com.sellerkit.core.CouponScope
import com.sellerkit.core.CouponValue
import com.sellerkit.core.DisputeKind
import com.sellerkit.core.RedemptionOrigin
import com.sellerkit.core.RedemptionState
import com.sellerkit.core.ScopeCheck
import com.sellerkit.core.SellerApp
import com.sellerkit.core.SellerAppConfig
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.WalletLimits
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import kotlinx.coroutines.runBlocking

/** A book issued by the dev server: its id and its coupons' texts. */
data class IssuedBook(val bookId: String, val coupons: List<String>)

/** Issues a coupon book for shop_demo through `POST /dev/shops/shop_demo/coupons`. */
private fun issueBook(server: DevServer, json: String): IssuedBook {
    val response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI("${server.url}/dev/shops/shop_demo/coupons"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString(),
    )
    assertEquals(201, response.statusCode(), "issuing a book (${response.body().take(300)})")
    val body = response.body()
    // Coupon texts are Base45 (no quotes or backslashes): a regex reads them reliably.
    val texts = Regex(""""text"\s*:\s*"(SKC1:[^"]+)"""").findAll(body).map { it.groupValues[1] }.toList()
    val bookId = Regex(""""book"\s*:\s*\{\s*"id"\s*:\s*"([^"]+)"""").find(body)?.groupValues?.get(1)
        ?: throw AssertionError("no book id in $body")
    return IssuedBook(bookId, texts)
}

/** The server's ledger entries for one coupon: (device id, accepted). */
private fun ledger(server: DevServer, couponId: String): List<Pair<String, Boolean>> {
    val body = URI("${server.url}/dev/shops/shop_demo/redemptions").toURL().readText()
    return Regex("""\{[^{}]*"coupon_id"\s*:\s*"$couponId"[^{}]*"accepted"\s*:\s*(true|false)""")
        .findAll(body)
        .map { m ->
            val device = Regex(""""device_id"\s*:\s*"([^"]+)"""").find(m.value)?.groupValues?.get(1) ?: "?"
            device to (m.groupValues[1] == "true")
        }
        .toList()
}

/** Changes one Base45 character in the middle of a coupon text (a tampered coupon). */
private fun tamper(text: String): String {
    val i = text.length / 2
    val replacement = if (text[i] == 'A') 'B' else 'A'
    return text.substring(0, i) + replacement + text.substring(i + 1)
}

private fun phoneConfig(dir: File, name: String, locale: String?) = SellerAppConfig(
    databasePath = File(dir, "$name/sellerkit.db").path,
    deviceName = "JVM wallet test ($name)",
    platform = "desktop",
    locale = locale,
)

/** The wallet: verify, redeem, limits, sync of redemptions, disputes across two phones. */
fun runWalletTests() {
    val binary = System.getProperty("sellerkit.devserver")
    val dir = Files.createTempDirectory("sellerkit-wallet-").toFile()
    var server: DevServer? = null
    check("wallet: the dev server starts") {
        assertTrue(!binary.isNullOrBlank()) { "system property sellerkit.devserver is not set" }
        server = DevServer(binary, dir, orders = 50)
    }
    val dev = server ?: run {
        println("FAIL the wallet checks need the dev server")
        failed++
        return
    }
    try {
        walletChecks(dev, dir)
    } finally {
        dev.close()
        dir.deleteRecursively()
    }
}

private fun walletChecks(server: DevServer, dir: File) {
    val code = server.codes.getValue("standard")
    // Whole seconds: coupons carry CWT NumericDates.
    val now = System.currentTimeMillis() / 1000 * 1000
    val day = 86_400_000L

    var tenOff: IssuedBook? = null
    var expired: IssuedBook? = null
    var stored: IssuedBook? = null
    var percent: IssuedBook? = null
    check("wallet: the dev server issues signed coupon books") {
        tenOff = issueBook(
            server,
            """{"title": "满50减10", "kind": "single_use", "value_fen": 1000, "min_spend": 5000, "count": 3}""",
        )
        expired = issueBook(
            server,
            """{"title": "过期券", "kind": "single_use", "value_fen": 500, "count": 1,
                "valid_from_ms": ${now - 3 * day}, "valid_until_ms": ${now - day}}""",
        )
        stored = issueBook(
            server,
            """{"title": "储值卡", "kind": "stored_value", "value_fen": 10000, "count": 1}""",
        )
        percent = issueBook(
            server,
            """{"title": "八五折", "kind": "multi_use", "value_bps": 1500, "max_uses": 2, "count": 1,
                "scope": {"kind": "products", "ids": ["p_not_in_the_order"]}}""",
        )
        assertEquals(3, tenOff!!.coupons.size, "coupons in the ¥10 book")
        assertEquals(1, expired!!.coupons.size, "coupons in the expired book")
        assertTrue(tenOff!!.coupons.all { it.startsWith("SKC1:") }) { "not coupon texts: ${tenOff!!.coupons}" }
    }
    val (tenOffBook, tenOffCoupons) = tenOff ?: return
    val expiredCoupon = expired!!.coupons.single()
    val storedCoupon = stored!!.coupons.single()
    val percentCoupon = percent!!.coupons.single()

    val phoneA = SellerApp.open(phoneConfig(dir, "a", locale = "en-US"), MemorySecretStore(), null)
    val phoneB = SellerApp.open(phoneConfig(dir, "b", locale = null), MemorySecretStore(), null)

    check("wallet: config() reports the locale as zh-CN (default) or en") {
        assertEquals("en", phoneA.config().locale, "phone A")
        assertEquals("zh-CN", phoneB.config().locale, "phone B")
    }

    check("wallet: before the first sync the shop's key is unknown: unknown_key, no terms") {
        val verdict = phoneA.verifyCoupon(tenOffCoupons[0])
        assertEquals(false, verdict.accepted, "accepted")
        assertEquals("unknown_key", verdict.reasonCode, "reason code")
        assertEquals(null, verdict.terms, "terms")
        assertTrue(verdict.message?.contains("sync", ignoreCase = true) == true) { "message: ${verdict.message}" }
    }

    check("wallet: redeeming before activation raises CouponRefused or NotActivated, never succeeds") {
        val e = assertThrows<SellerKitException> { phoneA.redeemCoupon(tenOffCoupons[0], 8000L) }
        assertTrue(e is SellerKitException.CouponRefused || e is SellerKitException.NotActivated) { "got $e" }
        assertEquals(0, phoneA.couponRedemptions(10u).size, "redemptions written")
    }

    check("wallet: activate and sync both phones; the keys and books arrive") {
        runBlocking {
            phoneA.activate(server.url, code)
            phoneA.sync(null, null)
            phoneB.activate(server.url, code)
            phoneB.sync(null, null)
        }
        assertEquals("ok", phoneA.verifyCoupon(tenOffCoupons[0]).reasonCode, "phone A")
        assertEquals("ok", phoneB.verifyCoupon(tenOffCoupons[0]).reasonCode, "phone B")
    }

    check("wallet: a genuine coupon is accepted with its terms; no discount without a total") {
        val verdict = phoneA.verifyCoupon(" ${tenOffCoupons[0]}\n")
        assertEquals(true, verdict.accepted, "accepted")
        assertEquals("ok", verdict.reasonCode, "reason code")
        assertEquals(null, verdict.message, "message")
        val terms = verdict.terms ?: throw AssertionError("no terms")
        assertEquals(tenOffBook, terms.bookId, "book id")
        assertEquals("满50减10", terms.bookTitle, "book title")
        assertEquals(CouponKind.SINGLE_USE, terms.kind, "kind")
        assertEquals(CouponValue.Amount(1000L), terms.value, "value")
        assertEquals("¥10.00", terms.valueDisplay, "value display")
        assertEquals(5000L, terms.minSpendFen, "min spend")
        assertEquals(CouponScope.All, terms.scope, "scope")
        assertEquals(ScopeCheck.ALL_PRODUCTS, terms.scopeCheck, "scope check")
        assertEquals(0u, terms.uses, "uses")
        assertEquals(1u, terms.remainingUses, "remaining uses")
        assertEquals(null, terms.discountFen, "discount without a total")
        assertTrue(terms.expiresMs > now) { "expires ${terms.expiresMs} not after now $now" }
    }

    check("wallet: with an order total the verdict carries the discount") {
        val verdict = phoneA.verifyCoupon(tenOffCoupons[0], orderTotalFen = 8000L)
        assertEquals(true, verdict.accepted, "accepted")
        assertEquals(1000L, verdict.terms?.discountFen, "discount")
    }

    check("wallet: below the minimum spend: below_min_spend, the message names the minimum") {
        val verdict = phoneA.verifyCoupon(tenOffCoupons[0], orderTotalFen = 3000L)
        assertEquals(false, verdict.accepted, "accepted")
        assertEquals("below_min_spend", verdict.reasonCode, "reason code")
        assertTrue(verdict.message?.contains("¥50.00") == true) { "message: ${verdict.message}" }
        assertTrue(verdict.terms != null) { "a genuine coupon shows its terms" }
    }

    check("wallet: a tampered coupon is refused (bad_signature or malformed) without terms") {
        val verdict = phoneA.verifyCoupon(tamper(tenOffCoupons[0]), orderTotalFen = 8000L)
        assertEquals(false, verdict.accepted, "accepted")
        assertTrue(verdict.reasonCode in setOf("bad_signature", "malformed")) { "reason code ${verdict.reasonCode}" }
        assertEquals(null, verdict.terms, "terms of a coupon that is not genuine")
        assertTrue(!verdict.message.isNullOrBlank() && !verdict.detail.isNullOrBlank()) { "no message or detail: $verdict" }
    }

    check("wallet: text that is no coupon at all is malformed") {
        assertEquals("malformed", phoneA.verifyCoupon("https://example.com/not-a-coupon").reasonCode)
        assertEquals("malformed", phoneA.verifyCoupon("").reasonCode)
    }

    check("wallet: an expired coupon is refused as expired, still showing its terms") {
        val verdict = phoneA.verifyCoupon(expiredCoupon, orderTotalFen = 8000L)
        assertEquals("expired", verdict.reasonCode, "reason code")
        assertEquals("This coupon has expired.", verdict.message, "message in English (locale en-US)")
        assertEquals(500L, (verdict.terms?.value as? CouponValue.Amount)?.fen, "value")
    }

    check("wallet: the refusal reads in Chinese on the zh-CN phone") {
        val verdict = phoneB.verifyCoupon(expiredCoupon)
        assertEquals("expired", verdict.reasonCode, "reason code")
        assertEquals("此优惠券已过期。", verdict.message, "message")
    }

    check("wallet: a percentage coupon limited to products: 15.00%, the seller confirms the scope") {
        val verdict = phoneA.verifyCoupon(percentCoupon, orderTotalFen = 10000L)
        assertEquals(true, verdict.accepted, "accepted: ${verdict.detail}")
        val terms = verdict.terms!!
        assertEquals(CouponValue.Percent(1500), terms.value, "value")
        assertEquals("15.00%", terms.valueDisplay, "value display")
        assertEquals(CouponScope.Products(listOf("p_not_in_the_order")), terms.scope, "scope")
        assertEquals(ScopeCheck.SELLER_CONFIRMS, terms.scopeCheck, "scope check")
        assertEquals(1500L, terms.discountFen, "discount")
        assertEquals(2u, terms.maxUses, "max uses")
    }

    check("wallet: naming products out of the coupon's scope: out_of_scope") {
        val verdict = phoneA.verifyCoupon(percentCoupon, 10000L, listOf("p_something_else"))
        assertEquals("out_of_scope", verdict.reasonCode, "reason code")
    }

    check("wallet: redeem offline writes a pending redemption and returns the coupon after it") {
        val receipt = phoneA.redeemCoupon(tenOffCoupons[0], 8000L)
        assertEquals(1000L, receipt.redemption.amountFen, "amount")
        assertEquals(8000L, receipt.redemption.orderTotalFen, "order total")
        assertEquals(RedemptionState.PENDING, receipt.redemption.state, "state")
        assertEquals(RedemptionOrigin.LOCAL, receipt.redemption.origin, "origin")
        assertEquals(0u, receipt.terms.remainingUses, "remaining uses")
        assertEquals(1u, receipt.terms.uses, "uses")
        val status = phoneA.walletStatus()
        assertEquals(1u, status.unsyncedCount, "unsynced count")
        assertEquals(1000L, status.unsyncedValueFen, "unsynced value")
        assertEquals(1L, phoneA.status().pendingOutbox, "outbox")
        assertEquals(listOf(receipt.redemption), phoneA.couponRedemptions(10u), "redemptions")
    }

    check("wallet: redeeming it again raises CouponRefused(used_up) and writes nothing") {
        val e = assertThrows<SellerKitException.CouponRefused> { phoneA.redeemCoupon(tenOffCoupons[0], 8000L) }
        assertEquals("used_up", e.code, "code")
        assertEquals("This coupon has already been used up.", e.reason, "reason")
        assertEquals(1, phoneA.couponRedemptions(10u).size, "redemptions")
        assertEquals("used_up", phoneA.verifyCoupon(tenOffCoupons[0]).reasonCode, "verify after")
    }

    check("wallet: a refused redeem on the zh-CN phone gives the Chinese reason") {
        val e = assertThrows<SellerKitException.CouponRefused> { phoneB.redeemCoupon(expiredCoupon, 8000L) }
        assertEquals("expired", e.code, "code")
        assertEquals("此优惠券已过期。", e.reason, "reason")
    }

    check("wallet: a bad amount is InvalidInput, not a refusal") {
        assertThrows<SellerKitException.InvalidInput> { phoneA.redeemCoupon(tenOffCoupons[1], 8000L, amountFen = 1L) }
        assertEquals(1, phoneA.couponRedemptions(10u).size, "redemptions")
    }

    check("wallet: sync pushes the redemption once; the server confirms it") {
        val summary = runBlocking { phoneA.sync(null, null) }
        assertEquals(1UL, summary.pushed, "pushed")
        assertEquals(1UL, summary.applied, "applied")
        assertEquals(RedemptionState.CONFIRMED, phoneA.couponRedemptions(10u).single().state, "state")
        assertEquals(0u, phoneA.walletStatus().unsyncedCount, "unsynced after sync")
        val again = runBlocking { phoneA.sync(null, null) }
        assertEquals(0UL, again.pushed, "pushed by the next sync")
    }

    check("wallet: the other phone learns the redemption by sync: used_up there too") {
        runBlocking { phoneB.sync(null, null) }
        assertEquals("used_up", phoneB.verifyCoupon(tenOffCoupons[0]).reasonCode, "reason code")
        val synced = phoneB.couponRedemptions(10u).single()
        assertEquals(RedemptionOrigin.SERVER, synced.origin, "origin")
    }

    val shared = tenOffCoupons[1]
    var redemptionA: String? = null
    var redemptionB: String? = null
    check("wallet: two phones both offline redeem one single-use coupon: both accepted at the counter") {
        redemptionA = phoneA.redeemCoupon(shared, 6000L).redemption.id
        redemptionB = phoneB.redeemCoupon(shared, 7000L).redemption.id
    }

    check("wallet: after both sync, the server kept the first and both phones list the dispute") {
        val a = runBlocking { phoneA.sync(null, null) }
        assertEquals(1UL, a.applied, "phone A's redemption applied")
        val b = runBlocking { phoneB.sync(null, null) }
        assertEquals(1UL, b.conflicts, "phone B's redemption in conflict")
        runBlocking { phoneA.sync(null, null) }
        for ((name, phone) in listOf("A" to phoneA, "B" to phoneB)) {
            val dispute = phone.couponDisputes().singleOrNull()
                ?: throw AssertionError("phone $name: disputes ${phone.couponDisputes()}")
            val couponId = phone.couponRedemptions(10u).first { it.id == redemptionA }.couponId
            assertEquals(couponId, dispute.couponId, "phone $name: coupon")
            assertEquals(DisputeKind.DOUBLE_USE, dispute.kind, "phone $name: kind")
            assertEquals(listOf(redemptionA), dispute.accepted.map { it.redemptionId }, "phone $name: accepted")
            assertEquals(redemptionB, dispute.refused.redemptionId, "phone $name: refused")
            assertEquals(7000L, dispute.refused.orderTotalFen, "phone $name: refused order total")
            assertEquals(null, dispute.resolvedMs, "phone $name: resolved")
        }
        val states = phoneB.couponRedemptions(10u).associate { it.id to it.state }
        assertEquals(RedemptionState.DISPUTED, states[redemptionB], "phone B's redemption")
        val couponId = phoneA.couponRedemptions(10u).first { it.id == redemptionA }.couponId
        assertEquals(listOf(true, false), ledger(server, couponId).map { it.second }, "server ledger (accepted?)")
    }

    check("wallet: resolving a dispute hides it unless resolved ones are asked for") {
        val id = phoneB.couponDisputes().single().id
        assertEquals(true, phoneB.resolveCouponDispute(id), "was open")
        assertEquals(false, phoneB.resolveCouponDispute(id), "second time")
        assertEquals(0, phoneB.couponDisputes().size, "open disputes")
        val all = phoneB.couponDisputes(includeResolved = true)
        assertTrue(all.single().resolvedMs != null) { "no resolution time: $all" }
        assertEquals(1, phoneA.couponDisputes().size, "phone A still lists it")
    }

    check("wallet: offline limits: defaults, a tighter count cap refuses with offline_limit, restored") {
        assertEquals(WalletLimits(20u, 100_000L, 72u), phoneA.walletLimits(), "defaults")
        phoneA.setWalletLimits(WalletLimits(1u, 100_000L, 72u))
        assertEquals(1u, phoneA.walletLimits().maxUnsyncedCount, "count cap")
        val receipt = phoneA.redeemCoupon(storedCoupon, 5000L, amountFen = 3000L)
        assertEquals(3000L, receipt.redemption.amountFen, "stored value spent")
        assertEquals(7000L, receipt.terms.balanceFen, "balance left")
        val verdict = phoneA.verifyCoupon(storedCoupon, orderTotalFen = 1000L)
        assertEquals("offline_limit", verdict.reasonCode, "reason code")
        val e = assertThrows<SellerKitException.CouponRefused> { phoneA.redeemCoupon(storedCoupon, 1000L) }
        assertEquals("offline_limit", e.code, "redeem refusal")
        val status = phoneA.walletStatus()
        assertTrue(status.redeemUntilMs != null && status.lastSyncMs != null) { "status: $status" }
        phoneA.setWalletLimits(WalletLimits(20u, 100_000L, 72u))
        assertEquals(true, phoneA.verifyCoupon(storedCoupon, orderTotalFen = 1000L).accepted, "after restoring")
    }

    check("wallet: a negative value cap is InvalidInput") {
        assertThrows<SellerKitException.InvalidInput> { phoneA.setWalletLimits(WalletLimits(5u, -1L, 72u)) }
        assertEquals(WalletLimits(20u, 100_000L, 72u), phoneA.walletLimits(), "limits unchanged")
    }

    phoneA.close()
    phoneB.close()
}
