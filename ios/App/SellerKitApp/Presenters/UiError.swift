import Foundation
import SellerKit

/// An error as a screen shows it: a localised headline for its kind, and the core's reason
/// (already worded for the seller) as the detail. Mirrors the Android app's UiError.
struct UiError: Equatable {
    enum Kind { case invalidInput, notActivated, rejected, couponRefused, checklistRefused, network, cancelled, storage, `internal` }

    let kind: Kind
    let reason: String
    /// The core's stable code, for `rejected`, `couponRefused` and `checklistRefused` (e.g. `used_up`, `locked`).
    let code: String?

    init(_ error: Error) {
        switch error as? SellerKitError {
        case .InvalidInput(let reason)?: self.init(kind: .invalidInput, reason: reason)
        case .NotActivated(let reason)?: self.init(kind: .notActivated, reason: reason)
        case .Rejected(let code, let reason)?: self.init(kind: .rejected, reason: reason, code: code)
        case .CouponRefused(let code, let reason)?: self.init(kind: .couponRefused, reason: reason, code: code)
        case .ChecklistRefused(let code, let reason)?: self.init(kind: .checklistRefused, reason: reason, code: code)
        case .Network(let reason)?: self.init(kind: .network, reason: reason)
        case .Cancelled?: self.init(kind: .cancelled, reason: "")
        case .Storage(let reason)?: self.init(kind: .storage, reason: reason)
        case .Internal(let reason)?: self.init(kind: .internal, reason: reason)
        case nil: self.init(kind: .internal, reason: error.localizedDescription)
        }
    }

    init(kind: Kind, reason: String, code: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.code = code
    }

    var headline: String {
        switch kind {
        case .invalidInput: return String(localized: "Please check what you entered.")
        case .notActivated: return String(localized: "This phone is not activated yet.")
        case .rejected: return String(localized: "The server refused this.")
        case .couponRefused: return String(localized: "Do not accept this coupon.")
        case .checklistRefused: return String(localized: "This task cannot be ticked.")
        case .network: return String(localized: "Cannot reach the server. Check the network and try again.")
        case .cancelled: return String(localized: "Cancelled.")
        case .storage: return String(localized: "The phone could not save the data.")
        case .internal: return String(localized: "Something went wrong. Please report it.")
        }
    }
}
