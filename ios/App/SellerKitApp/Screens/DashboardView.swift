import Charts
import SellerKit
import SwiftUI

/// The sales dashboard: range, freshness, the trend against the previous period and the
/// mobile share (Swift Charts, from the core's series), every figure, best sellers.
struct DashboardView: View {
    @ObservedObject var presenter: DashboardPresenter
    let onBack: () -> Void

    var body: some View {
        List {
            Section {
                Button("Back to my shop", action: onBack)
                Picker("Range", selection: Binding(get: { presenter.range }, set: { presenter.select($0) })) {
                    ForEach(dashboardRanges, id: \.self) { Text(Self.rangeName($0)).tag($0) }
                }
                if let board = presenter.dashboard {
                    if let ms = board.lastSyncMs {
                        Text("Last sync: \(Date(timeIntervalSince1970: Double(ms) / 1000), style: .relative)")
                    }
                    if board.pendingChanges > 0 { Text("\(board.pendingChanges) changes waiting to be sent") }
                }
                if let error = presenter.error { Text(error.reason).foregroundColor(.red) }
            }
            if let board = presenter.dashboard {
                // Swift Charts needs iOS 16; on iOS 15 the figures and lists still show.
                if #available(iOS 16.0, *) {
                    DashboardCharts(board: board)
                }
                Section {
                    ForEach(board.figures, id: \.id) { f in
                        HStack {
                            Text(f.label)
                            Spacer()
                            Text(DashboardPresenter.value(f, f.current)).bold()
                            Text(DashboardPresenter.change(f)).foregroundColor((f.delta ?? 0) < 0 ? .red : .green)
                        }
                    }
                }
                Section("Best sellers by net sales") {
                    ForEach(board.topByNetSales, id: \.key) { p in
                        HStack {
                            Text(p.title).lineLimit(1)
                            Spacer()
                            Text(formatMoney(fen: p.netSalesFen))
                        }
                    }
                }
            }
        }
        .onAppear { presenter.refresh() }
        .refreshable { presenter.refresh() }
    }

    private static func rangeName(_ range: String) -> String {
        switch range {
        case "today": return String(localized: "Today")
        case "yesterday": return String(localized: "Yesterday")
        case "7d": return String(localized: "7 days")
        case "30d": return String(localized: "30 days")
        case "90d": return String(localized: "90 days")
        case "365d": return String(localized: "365 days")
        case "month": return String(localized: "This month")
        default: return String(localized: "Last month")
        }
    }
}

/// The trend against the previous period and the mobile share, drawn by Swift Charts.
@available(iOS 16.0, *)
private struct DashboardCharts: View {
    let board: DashboardInfo

    private struct Point: Identifiable {
        let id: String
        let index: Int
        let fen: Int64
        let series: String
    }

    var body: some View {
        Section("Net sales: this period and the previous one") {
            Chart(points(board)) { p in
                LineMark(x: .value("Point", p.index), y: .value("Net sales", Double(p.fen) / 100))
                    .foregroundStyle(by: .value("Period", p.series))
            }
            .frame(height: 180)
        }
        Section("Mobile share of orders") {
            Chart(Array(board.series.current.enumerated()), id: \.offset) { i, p in
                if let share = p.mobileShareBps {
                    LineMark(x: .value("Point", i), y: .value("Mobile share", Double(share) / 100))
                }
            }
            .frame(height: 120)
        }
    }

    private func points(_ board: DashboardInfo) -> [Point] {
        let now = String(localized: "This period")
        let before = String(localized: "Previous period")
        return board.series.current.enumerated().map { Point(id: "c\($0.offset)", index: $0.offset, fen: $0.element.netSalesFen, series: now) }
            + board.series.previous.enumerated().map { Point(id: "p\($0.offset)", index: $0.offset, fen: $0.element.netSalesFen, series: before) }
    }

}
