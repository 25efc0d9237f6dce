import Foundation
import SellerKit

/// One category's tasks, in the recommended order.
struct ChecklistSection: Identifiable {
    let category: ChecklistCategory
    let tasks: [ChecklistTask]
    var id: ChecklistCategory { category }
}

/// The store-setup checklist: states, progress and the next task from the core, and ticks of
/// manual tasks. Mirrors the Android app's ChecklistPresenter; every word of a task comes from
/// the core in the seller's language.
@MainActor
final class ChecklistPresenter: ObservableObject {
    @Published private(set) var overview: ChecklistOverview?
    @Published private(set) var sections: [ChecklistSection] = []
    @Published private(set) var next: ChecklistTask?
    @Published private(set) var busyTaskId: String?
    @Published var error: UiError?

    private let app: SellerApp

    init(app: SellerApp) {
        self.app = app
    }

    /// Progress as a fraction for a progress bar (0 to 1).
    var progress: Double { Double(overview?.progressBps ?? 0) / 10_000 }

    /// Re-reads the checklist (when the screen shows, after each sync).
    func refresh() {
        do {
            show(try app.checklist())
            error = nil
        } catch {
            self.error = UiError(error)
        }
    }

    /// Whether the screen offers a checkbox: manual tasks in the seller's package.
    func canToggle(_ task: ChecklistTask) -> Bool {
        if case .notInTier = task.state { return false }
        return task.manual
    }

    /// Ticks a manual task that is not done, unticks one that is; a refusal (a locked task)
    /// shows as `checklistRefused` with the core's reason.
    func toggle(_ task: ChecklistTask) {
        guard canToggle(task), busyTaskId == nil else { return }
        busyTaskId = task.id
        defer { busyTaskId = nil }
        do {
            if task.state == .done {
                _ = try app.untickChecklistTask(taskId: task.id)
            } else {
                _ = try app.tickChecklistTask(taskId: task.id)
            }
            show(try app.checklist())
            error = nil
        } catch {
            self.error = UiError(error)
        }
    }

    private func show(_ overview: ChecklistOverview) {
        self.overview = overview
        let order: [ChecklistCategory] = [.setup, .mobile, .marketing, .legal]
        sections = order.compactMap { category in
            let tasks = overview.tasks.filter { $0.category == category }
            return tasks.isEmpty ? nil : ChecklistSection(category: category, tasks: tasks)
        }
        next = overview.tasks.first { $0.id == overview.nextTaskId }
    }
}
