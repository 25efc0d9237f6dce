import SwiftUI
import SellerKit

/// The shop at a glance, its open conflicts, and the cards later features fill in.
struct HomeView: View {
    @ObservedObject var presenter: HomePresenter
    let onOpenSync: () -> Void
    let onOpenWallet: () -> Void
    let onOpenChecklist: () -> Void
    let onOpenDashboard: () -> Void
    let onOpenStorefront: () -> Void

    var body: some View {
        List {
            if let status = presenter.status {
                Section {
                    Text(status.shopName ?? String(localized: "My shop")).font(.title2)
                    if let tier = status.tier { Text(Self.tierName(tier)) }
                    Text("\(status.products) products, \(status.orders) orders")
                    if status.pendingOutbox > 0 { Text("\(status.pendingOutbox) changes waiting to be sent") }
                    if let ms = status.lastSyncMs {
                        Text("Last sync: \(Date(timeIntervalSince1970: Double(ms) / 1000), style: .relative)")
                    }
                    if let failure = status.lastSyncError { Text(failure).foregroundColor(.red) }
                    Button("Sync", action: onOpenSync)
                }
            }
            if let error = presenter.error { ErrorSection(error: error) }
            if !presenter.conflicts.isEmpty {
                Section("Conflicts to review") {
                    ForEach(presenter.conflicts, id: \.id) { conflict in
                        VStack(alignment: .leading) {
                            Text("\(conflict.kind) \(conflict.entityId): \(conflict.outcome)").font(.headline)
                            Text(conflict.reason).font(.footnote)
                        }
                    }
                }
            }
            // Every feature card opens its screen.
            Section {
                ForEach(presenter.cards) { card in
                    VStack(alignment: .leading) {
                        Text(Self.title(card)).font(.headline)
                        if card == .wallet {
                            Button("Scan a coupon", action: onOpenWallet)
                        } else if card == .checklist {
                            Button("Open the checklist", action: onOpenChecklist)
                        } else if card == .analytics {
                            Button("Open the dashboard", action: onOpenDashboard)
                        } else if card == .storefront {
                            Button("Open the storefront", action: onOpenStorefront)
                        }
                    }
                }
            }
        }
        .onAppear { presenter.refresh() }
        .refreshable { presenter.refresh() }
    }

    private static func title(_ card: FeatureCard) -> String {
        switch card {
        case .checklist: return String(localized: "Store setup checklist")
        case .analytics: return String(localized: "Sales analytics")
        case .wallet: return String(localized: "Coupon wallet")
        case .storefront: return String(localized: "Mobile storefront")
        }
    }

    private static func tierName(_ tier: Tier) -> String {
        switch tier {
        case .basic: return String(localized: "Basic package")
        case .standard: return String(localized: "Standard package")
        case .premium: return String(localized: "Premium package")
        }
    }
}
