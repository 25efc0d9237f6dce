import Foundation
import SellerKit

/// The range chips, in display order (the core's spellings).
let dashboardRanges = ["today", "yesterday", "7d", "30d", "90d", "365d", "month", "last-month"]

/// The sales dashboard: the core's figures for the chosen range (a quick local read).
@MainActor
final class DashboardPresenter: ObservableObject {
    @Published private(set) var range = "30d"
    @Published private(set) var dashboard: DashboardInfo?
    @Published private(set) var error: UiError?

    private let app: SellerApp

    init(app: SellerApp) {
        self.app = app
    }

    func select(_ range: String) {
        self.range = range
        refresh()
    }

    func refresh() {
        do {
            dashboard = try app.dashboard(range: range)
            error = nil
        } catch {
            self.error = UiError(error)
        }
    }

    /// `2738` bps as `27.38%`.
    static func bps(_ value: Int64) -> String {
        let sign = value < 0 ? "-" : ""
        let abs = Swift.abs(value)
        return "\(sign)\(abs / 100).\(String(format: "%02lld", abs % 100))%"
    }

    /// A figure's value in its unit; "—" when undefined (no orders: no average, no share).
    static func value(_ figure: DashboardFigure, _ v: Int64?) -> String {
        guard let v else { return "—" }
        switch figure.unit {
        case .money: return formatMoney(fen: v)
        case .share: return bps(v)
        case .count: return String(v)
        }
    }

    /// The change: relative for money and counts, in points for shares; "—" when undefined.
    static func change(_ figure: DashboardFigure) -> String {
        if figure.unit == .share, let d = figure.delta {
            return (d >= 0 ? "+" : "-") + String(bps(Swift.abs(d)).dropLast()) + " " + String(localized: "pts")
        }
        guard let r = figure.relativeBps else { return "—" }
        return (r >= 0 ? "+" : "") + bps(Int64(r))
    }
}
