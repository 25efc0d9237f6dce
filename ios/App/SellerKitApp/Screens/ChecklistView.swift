import SwiftUI
import SellerKit

/// The store-setup checklist: progress and the next task on top, then the tasks by category.
/// Manual tasks in the seller's package have a checkbox; the others follow the shop's data.
struct ChecklistView: View {
    @ObservedObject var presenter: ChecklistPresenter
    let onBack: () -> Void

    var body: some View {
        List {
            Section {
                Button("Back", action: onBack)
                if let overview = presenter.overview {
                    Text("\(Int(overview.done)) of \(Int(overview.total)) done")
                    ProgressView(value: presenter.progress)
                    Text("About \(Int(overview.remainingMinutes)) minutes left").font(.footnote)
                }
            }
            if let next = presenter.next {
                Section("Next step") {
                    Text(next.title).font(.headline)
                    Text(next.help).font(.footnote)
                }
            }
            if let error = presenter.error { ErrorSection(error: error) }
            ForEach(presenter.sections) { section in
                Section(Self.title(section.category)) {
                    ForEach(section.tasks, id: \.id) { task in
                        TaskRow(task: task,
                                canToggle: presenter.canToggle(task),
                                busy: presenter.busyTaskId == task.id,
                                onToggle: { presenter.toggle(task) })
                    }
                }
            }
        }
        .navigationTitle(String(localized: "Store setup checklist"))
        .onAppear { presenter.refresh() }
        .refreshable { presenter.refresh() }
    }

    private static func title(_ category: ChecklistCategory) -> String {
        switch category {
        case .setup: return String(localized: "Shop basics")
        case .mobile: return String(localized: "Fit for phones")
        case .marketing: return String(localized: "Marketing")
        case .legal: return String(localized: "Legal guidance")
        }
    }
}

private struct TaskRow: View {
    let task: ChecklistTask
    let canToggle: Bool
    let busy: Bool
    let onToggle: () -> Void
    @State private var expanded = false

    var body: some View {
        HStack(alignment: .top) {
            if canToggle {
                Button(action: onToggle) {
                    Image(systemName: task.state == .done ? "checkmark.square.fill" : "square")
                }
                .buttonStyle(.borderless)
                .disabled(busy)
            }
            VStack(alignment: .leading) {
                Text(task.title).font(.headline)
                Text(task.stateLabel + countText).font(.footnote).foregroundColor(color)
                if expanded { Text(task.help).font(.footnote) }
            }
        }
        .contentShape(Rectangle())
        .onTapGesture { expanded.toggle() }
    }

    private var countText: String {
        guard let current = task.countCurrent, let target = task.countTarget else { return "" }
        return " · \(current)/\(target)"
    }

    private var color: Color {
        switch task.state {
        case .done: return .accentColor
        case .ready: return .primary
        case .locked, .notInTier: return .secondary
        }
    }
}
