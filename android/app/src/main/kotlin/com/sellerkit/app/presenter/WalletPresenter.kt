package com.sellerkit.app.presenter

import com.sellerkit.core.CouponKind
import com.sellerkit.core.CouponVerdict
import com.sellerkit.core.DisputeInfo
import com.sellerkit.core.RedemptionInfo
import com.sellerkit.core.RedemptionReceipt
import com.sellerkit.core.SellerAppInterface
import com.sellerkit.core.SellerKitException
import com.sellerkit.core.WalletStatus
import com.sellerkit.core.parseMoney
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext

/** What the wallet screen shows. Money is fen; the UI formats it with `formatMoney`. */
data class WalletState(
    /** The coupon text last scanned (or typed); empty before the first scan. */
    val code: String = "",
    /** The order total as the seller typed it (yuan, e.g. `88.50`). */
    val totalText: String = "",
    /** [totalText] in fen, when it parses. */
    val totalFen: Long? = null,
    /** Why [totalText] does not parse (the core's words). */
    val totalError: String? = null,
    /** For stored-value coupons: what to spend, as typed; empty spends what the total needs. */
    val amountText: String = "",
    val amountFen: Long? = null,
    val amountError: String? = null,
    /** The core's verdict on [code] for the current total; null before a scan. */
    val verdict: CouponVerdict? = null,
    val redeeming: Boolean = false,
    /** The last redemption made on this screen, for the "done" banner. */
    val receipt: RedemptionReceipt? = null,
    /** A failure to show: `COUPON_REFUSED` with the core's reason and code, or another kind. */
    val error: UiError? = null,
    /** Recent redemptions on this phone, newest first. */
    val redemptions: List<RedemptionInfo> = emptyList(),
    /** Open disputes (a coupon redeemed on two offline phones), newest first. */
    val disputes: List<DisputeInfo> = emptyList(),
    /** The offline allowance: what waits for the server and until when redeeming works. */
    val status: WalletStatus? = null,
) {
    /** Redeem is offered only for an accepted verdict with a total, when nothing runs. */
    val canRedeem: Boolean
        get() = !redeeming && verdict?.accepted == true && totalFen != null &&
            totalError == null && amountError == null
}

/**
 * The coupon wallet: a scanned coupon's verdict (re-checked as the seller types the order
 * total), redeeming it, this phone's redemptions, disputes and offline allowance.
 *
 * Every rule is the core's: this presenter only passes the scan and the typed amounts to
 * `verifyCoupon` / `redeemCoupon` and shows what comes back. Calls are quick local reads and
 * writes, run on [io] to keep SQLite off the UI thread, one at a time so that results land
 * in the order the seller acted.
 */
class WalletPresenter(
    private val app: SellerAppInterface,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
    private val historyLimit: UInt = 50u,
) {
    private val mutableState = MutableStateFlow(WalletState())
    private val calls = Mutex()

    /** The screen's state. */
    val state: StateFlow<WalletState> = mutableState.asStateFlow()

    /**
     * A QR code was read (camera) or typed. The camera reports the same code many times a
     * second: a repeat of the current code is ignored, so the verdict does not flicker.
     */
    fun onScanned(text: String): Job? {
        val code = text.trim()
        if (code.isEmpty() || code == state.value.code) return null
        mutableState.update { it.copy(code = code, verdict = null, receipt = null, error = null) }
        return verify()
    }

    /** The seller typed the order total (yuan); the verdict is worked out again for it. */
    fun onTotalChange(text: String): Job? {
        val (fen, error) = money(text)
        mutableState.update { it.copy(totalText = text, totalFen = fen, totalError = error, error = null) }
        return if (state.value.code.isEmpty()) null else verify()
    }

    /** The seller typed how much of a stored-value coupon to spend (yuan; empty: automatic). */
    fun onAmountChange(text: String) {
        val (fen, error) = money(text)
        mutableState.update { it.copy(amountText = text, amountFen = fen, amountError = error, error = null) }
    }

    /** Redeems the scanned coupon for the typed total. A refusal shows as `COUPON_REFUSED`. */
    fun redeem(): Job? {
        val s = state.value
        val total = s.totalFen
        if (!s.canRedeem || total == null) return null
        mutableState.update { it.copy(redeeming = true, error = null) }
        return scope.launch {
            try {
                // The amount field is shown for stored-value coupons only.
                val amount = s.amountFen.takeIf { s.verdict?.terms?.kind == CouponKind.STORED_VALUE }
                val receipt = call { app.redeemCoupon(s.code, total, amount, emptyList()) }
                mutableState.update { it.copy(receipt = receipt) }
            } catch (e: SellerKitException) {
                // E.g. another phone's redemption arrived by sync since the verdict: the
                // core's answer at redeem time is the one that counts.
                mutableState.update { it.copy(error = UiError.from(e)) }
            } finally {
                mutableState.update { it.copy(redeeming = false) }
            }
            verifyNow()
            refreshNow()
        }
    }

    /** Clears the scan and the amounts for the next customer (history stays). */
    fun next() = mutableState.update {
        WalletState(redemptions = it.redemptions, disputes = it.disputes, status = it.status)
    }

    /** Re-reads redemptions, disputes and the offline allowance (on show, after a sync). */
    fun refresh(): Job = scope.launch { refreshNow() }

    /** Marks a dispute as dealt with on this phone. */
    fun resolveDispute(id: String): Job = scope.launch {
        try {
            call { app.resolveCouponDispute(id) }
        } catch (e: SellerKitException) {
            mutableState.update { it.copy(error = UiError.from(e)) }
        }
        refreshNow()
    }

    private fun verify(): Job = scope.launch { verifyNow() }

    private suspend fun verifyNow() {
        val s = state.value
        if (s.code.isEmpty()) return
        try {
            val verdict = call { app.verifyCoupon(s.code, s.totalFen, emptyList()) }
            // Only if the seller has not scanned or typed something else meanwhile.
            mutableState.update {
                if (it.code == s.code && it.totalFen == s.totalFen) it.copy(verdict = verdict) else it
            }
        } catch (e: SellerKitException) {
            mutableState.update { it.copy(verdict = null, error = UiError.from(e)) }
        }
    }

    private suspend fun refreshNow() {
        try {
            val (redemptions, disputes, status) = call {
                Triple(app.couponRedemptions(historyLimit), app.couponDisputes(false), app.walletStatus())
            }
            mutableState.update { it.copy(redemptions = redemptions, disputes = disputes, status = status) }
        } catch (e: SellerKitException) {
            mutableState.update { it.copy(error = UiError.from(e)) }
        }
    }

    private suspend fun <T> call(body: () -> T): T = calls.withLock { withContext(io) { body() } }

    /** Parses typed yuan with the core's money parser: blank is "none", not an error. */
    private fun money(text: String): Pair<Long?, String?> {
        if (text.isBlank()) return null to null
        return try {
            parseMoney(text.trim()) to null
        } catch (e: SellerKitException) {
            null to ((e as? SellerKitException.InvalidInput)?.reason ?: e.toString())
        }
    }
}
