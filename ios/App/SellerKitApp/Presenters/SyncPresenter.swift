import Foundation
import SellerKit

/// How far one phase got; `total` is nil while the core cannot know it yet.
struct PhaseProgress: Equatable {
    let done: UInt64
    let total: UInt64?

    /// 0...1 for a determinate bar, nil for an indeterminate one.
    var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, Double(done) / Double(total))
    }
}

/// The sync screen: start, progress per phase, cancel, and how the last sync ended.
@MainActor
final class SyncPresenter: ObservableObject {
    @Published private(set) var running = false
    @Published private(set) var cancelling = false
    @Published private(set) var progress: [SyncPhase: PhaseProgress] = [:]
    @Published private(set) var phase: SyncPhase?
    @Published private(set) var lastSummary: SyncSummary?
    @Published private(set) var lastSyncMs: Int64?
    @Published private(set) var error: UiError?
    @Published private(set) var cancelled = false

    private let app: SellerApp
    private var handle: CancelHandle?

    init(app: SellerApp) {
        self.app = app
    }

    func refresh() {
        do {
            lastSyncMs = try app.status().lastSyncMs
        } catch {
            self.error = UiError(error)
        }
    }

    func start() async {
        guard !running else { return }
        let handle = CancelHandle()
        self.handle = handle
        running = true
        cancelling = false
        cancelled = false
        error = nil
        progress = [:]
        phase = nil
        defer {
            running = false
            cancelling = false
            phase = nil
            self.handle = nil
            refresh()
        }
        do {
            lastSummary = try await app.sync(listener: Listener(presenter: self), cancel: handle)
        } catch SellerKitError.Cancelled {
            cancelled = true
        } catch {
            self.error = UiError(error)
        }
    }

    func cancel() {
        guard let handle else { return }
        cancelling = true
        handle.cancel()
    }

    fileprivate func onProgress(_ update: SyncProgress) {
        phase = update.phase
        progress[update.phase] = PhaseProgress(done: update.done, total: update.total)
    }

    /// Receives the core's callbacks on its threads and hops to the main actor.
    private final class Listener: SyncListener, @unchecked Sendable {
        weak var presenter: SyncPresenter?

        init(presenter: SyncPresenter) {
            self.presenter = presenter
        }

        func onProgress(progress: SyncProgress) {
            let presenter = self.presenter
            Task { @MainActor in presenter?.onProgress(progress) }
        }

        // The outcome comes from sync()'s result or error.
        func onEvent(event: SyncEvent) {}
    }
}
