package com.sellerkit.app.presenter

import com.sellerkit.core.SellerKitException

/**
 * An error as a screen shows it: a [kind] that the UI turns into a localised headline (what to
 * do) and the core's [reason], already worded for the seller, as the detail.
 */
data class UiError(val kind: Kind, val reason: String, val code: String? = null) {
    /** What went wrong, from the seller's point of view; one headline string per kind. */
    enum class Kind { INVALID_INPUT, NOT_ACTIVATED, REJECTED, COUPON_REFUSED, CHECKLIST_REFUSED, NETWORK, CANCELLED, STORAGE, INTERNAL }

    companion object {
        /** Maps the core's one public exception type; the reason text is passed through. */
        fun from(e: SellerKitException): UiError = when (e) {
            is SellerKitException.InvalidInput -> UiError(Kind.INVALID_INPUT, e.reason)
            is SellerKitException.NotActivated -> UiError(Kind.NOT_ACTIVATED, e.reason)
            is SellerKitException.Rejected -> UiError(Kind.REJECTED, e.reason, e.code)
            is SellerKitException.CouponRefused -> UiError(Kind.COUPON_REFUSED, e.reason, e.code)
            is SellerKitException.ChecklistRefused -> UiError(Kind.CHECKLIST_REFUSED, e.reason, e.code)
            is SellerKitException.Network -> UiError(Kind.NETWORK, e.reason)
            is SellerKitException.Cancelled -> UiError(Kind.CANCELLED, "")
            is SellerKitException.Storage -> UiError(Kind.STORAGE, e.reason)
            is SellerKitException.Internal -> UiError(Kind.INTERNAL, e.reason)
        }
    }
}
