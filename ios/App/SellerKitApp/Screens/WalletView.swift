import SwiftUI
import SellerKit

/// The coupon wallet at the counter: scan (or type) a coupon, see whether it may be accepted,
/// type the order total, redeem; below, the offline allowance, disputes and recent
/// redemptions. Everything works offline; the verdict's words come from the core.
struct WalletView: View {
    @ObservedObject var presenter: WalletPresenter
    let onBack: () -> Void
    @State private var typedCode = ""

    var body: some View {
        List {
            // The app has no navigation stack (RootView switches screens): title and Back here.
            HStack {
                Text("Coupon wallet").font(.title2)
                Spacer()
                Button("Back", action: onBack)
            }
            Section {
                QRScannerView(onCode: { presenter.scanned($0) })
                    .frame(height: 240)
                    .listRowInsets(EdgeInsets())
                HStack {
                    TextField("Or type the coupon code", text: $typedCode)
                        .textInputAutocapitalization(.characters)
                        .autocorrectionDisabled()
                    Button("Check") { presenter.scanned(typedCode) }
                        .disabled(typedCode.trimmingCharacters(in: .whitespaces).isEmpty)
                }
            } footer: {
                allowance
            }
            if let verdict = presenter.verdict { verdictSection(verdict) }
            if !presenter.code.isEmpty { checkout }
            if let error = presenter.error { ErrorSection(error: error) }
            if !presenter.disputes.isEmpty {
                Section("Disputes (\(presenter.disputes.count))") {
                    ForEach(presenter.disputes, id: \.id) { dispute in disputeRow(dispute) }
                }
            }
            if !presenter.redemptions.isEmpty {
                Section("Recent redemptions") {
                    ForEach(presenter.redemptions, id: \.id) { r in
                        HStack {
                            Text(formatMoney(fen: r.amountFen))
                            Text(Self.stateName(r.state)).foregroundColor(.secondary)
                            Spacer()
                            Text(Self.date(r.redeemedMs), style: .relative).font(.footnote)
                        }
                    }
                }
            }
        }
        .onAppear { presenter.refresh() }
        .refreshable { presenter.refresh() }
    }

    @ViewBuilder private var allowance: some View {
        if let status = presenter.status {
            VStack(alignment: .leading) {
                if status.unsyncedCount > 0 {
                    Text("\(status.unsyncedCount) redemptions (\(formatMoney(fen: status.unsyncedValueFen))) waiting to sync")
                }
                if let until = status.redeemUntilMs {
                    Text("Redeeming works offline until \(Self.date(until), style: .relative); sync before then.")
                } else {
                    Text("Sync once before redeeming coupons.").foregroundColor(.red)
                }
            }
        }
    }

    private func verdictSection(_ verdict: CouponVerdict) -> some View {
        Section {
            VStack(alignment: .leading, spacing: 4) {
                Text(verdict.accepted ? "Valid coupon" : "Refused")
                    .font(.title2)
                    .foregroundColor(verdict.accepted ? .green : .red)
                // The core's words, in the language passed as SellerAppConfig.locale.
                if let message = verdict.message { Text(message) }
                if let t = verdict.terms {
                    Text("\(t.bookTitle ?? t.bookId) · \(t.valueDisplay)").font(.headline)
                    if t.minSpendFen > 0 { Text("For orders of \(formatMoney(fen: t.minSpendFen)) or more") }
                    if let uses = t.remainingUses { Text("Uses left: \(uses)") }
                    if let balance = t.balanceFen { Text("Balance: \(formatMoney(fen: balance))") }
                    if let discount = t.discountFen {
                        Text("Takes \(formatMoney(fen: discount)) off this order").font(.headline)
                    }
                    Text("Expires \(Self.date(t.expiresMs), style: .relative)").font(.footnote)
                }
                if !verdict.accepted { Text(verdict.reasonCode).font(.caption2).foregroundColor(.secondary) }
            }
        }
    }

    private var checkout: some View {
        Section {
            TextField("Order total (¥)", text: Binding(get: { presenter.totalText }, set: { presenter.totalChanged($0) }))
                .keyboardType(.decimalPad)
            if let problem = presenter.totalError { Text(problem).font(.footnote).foregroundColor(.red) }
            if presenter.verdict?.terms?.kind == .storedValue {
                TextField("Amount to spend (¥)", text: Binding(get: { presenter.amountText }, set: { presenter.amountChanged($0) }))
                    .keyboardType(.decimalPad)
                Text(presenter.amountError ?? String(localized: "Leave empty to spend what the order needs."))
                    .font(.footnote)
                    .foregroundColor(presenter.amountError == nil ? .secondary : .red)
            }
            if let receipt = presenter.receipt {
                Text("Redeemed: \(formatMoney(fen: receipt.redemption.amountFen))").foregroundColor(.green)
            }
            Button("Redeem") { presenter.redeem() }.disabled(!presenter.canRedeem)
            Button("Next customer") {
                typedCode = ""
                presenter.next()
            }
        }
    }

    private func disputeRow(_ dispute: DisputeInfo) -> some View {
        VStack(alignment: .leading) {
            switch dispute.kind {
            case .doubleUse: Text("This coupon was also redeemed on another phone first.").font(.headline)
            case .overspent: Text("This coupon's balance was spent on another phone first.").font(.headline)
            }
            Text("\(formatMoney(fen: dispute.refused.amountFen)) taken off an order of \(formatMoney(fen: dispute.refused.orderTotalFen))")
                .font(.footnote)
            Text(dispute.couponId).font(.caption2).foregroundColor(.secondary)
            Button("Dealt with") { presenter.resolveDispute(dispute.id) }
        }
    }

    private static func date(_ ms: Int64) -> Date {
        Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    private static func stateName(_ state: RedemptionState) -> String {
        switch state {
        case .pending: return String(localized: "waiting to sync")
        case .confirmed: return String(localized: "confirmed")
        case .disputed: return String(localized: "disputed")
        case .rejected: return String(localized: "refused by the server")
        }
    }
}
