import Foundation
import SellerKit

/// The coupon wallet: a scanned coupon's verdict (checked again as the seller types the order
/// total), redeeming it, this phone's redemptions, disputes and offline allowance. Mirrors the
/// Android app's WalletPresenter; every rule is the core's.
///
/// The core's wallet calls are quick local reads and writes of its database; they run on the
/// main actor here, as the home screen's reads do.
@MainActor
final class WalletPresenter: ObservableObject {
    /// The coupon text last scanned (or typed).
    @Published private(set) var code = ""
    /// The order total as typed (yuan), its value in fen, and why it does not parse.
    @Published private(set) var totalText = ""
    @Published private(set) var totalFen: Int64?
    @Published private(set) var totalError: String?
    /// For stored-value coupons: what to spend (yuan); empty spends what the order needs.
    @Published private(set) var amountText = ""
    @Published private(set) var amountFen: Int64?
    @Published private(set) var amountError: String?
    @Published private(set) var verdict: CouponVerdict?
    @Published private(set) var receipt: RedemptionReceipt?
    @Published private(set) var error: UiError?
    @Published private(set) var redemptions: [RedemptionInfo] = []
    @Published private(set) var disputes: [DisputeInfo] = []
    @Published private(set) var status: WalletStatus?

    private let app: SellerApp
    private let historyLimit: UInt32

    init(app: SellerApp, historyLimit: UInt32 = 50) {
        self.app = app
        self.historyLimit = historyLimit
    }

    /// Redeem is offered for an accepted verdict with a total.
    var canRedeem: Bool {
        verdict?.accepted == true && totalFen != nil && totalError == nil && amountError == nil
    }

    /// A QR code was read or typed. The camera reports a code many times a second: a repeat
    /// of the current one is ignored so that the verdict does not flicker.
    func scanned(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed != code else { return }
        code = trimmed
        verdict = nil
        receipt = nil
        error = nil
        verify()
    }

    func totalChanged(_ text: String) {
        totalText = text
        (totalFen, totalError) = Self.money(text)
        error = nil
        verify()
    }

    func amountChanged(_ text: String) {
        amountText = text
        (amountFen, amountError) = Self.money(text)
        error = nil
    }

    /// Redeems the scanned coupon; a refusal shows as `couponRefused` with the core's reason.
    func redeem() {
        guard canRedeem, let total = totalFen else { return }
        error = nil
        // The amount field is shown for stored-value coupons only.
        let amount = verdict?.terms?.kind == .storedValue ? amountFen : nil
        do {
            receipt = try app.redeemCoupon(code: code, orderTotalFen: total, amountFen: amount)
        } catch {
            // E.g. another phone's redemption arrived by sync since the verdict: the core's
            // answer at redeem time is the one that counts.
            self.error = UiError(error)
        }
        verify()
        refresh()
    }

    /// Clears the scan and the amounts for the next customer.
    func next() {
        code = ""
        totalText = ""
        totalFen = nil
        totalError = nil
        amountText = ""
        amountFen = nil
        amountError = nil
        verdict = nil
        receipt = nil
        error = nil
    }

    /// Re-reads redemptions, disputes and the offline allowance (on show, after a sync).
    func refresh() {
        do {
            redemptions = try app.couponRedemptions(limit: historyLimit)
            disputes = try app.couponDisputes()
            status = try app.walletStatus()
        } catch {
            self.error = UiError(error)
        }
    }

    func resolveDispute(_ id: String) {
        do {
            _ = try app.resolveCouponDispute(id: id)
        } catch {
            self.error = UiError(error)
        }
        refresh()
    }

    private func verify() {
        guard !code.isEmpty else { return }
        do {
            verdict = try app.verifyCoupon(code: code, orderTotalFen: totalFen)
        } catch {
            verdict = nil
            self.error = UiError(error)
        }
    }

    /// Typed yuan through the core's money parser; blank is "none", not an error.
    private static func money(_ text: String) -> (Int64?, String?) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return (nil, nil) }
        do {
            return (try parseMoney(text: trimmed), nil)
        } catch SellerKitError.InvalidInput(let reason) {
            return (nil, reason)
        } catch {
            return (nil, UiError(error).reason)
        }
    }
}
