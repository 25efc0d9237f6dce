import BackgroundTasks
import Foundation
import SellerKit

/// Periodic background sync with BGTaskScheduler (a BGAppRefreshTask, at most about every
/// 15 minutes; iOS decides when). The identifier is listed in Info.plist under
/// BGTaskSchedulerPermittedIdentifiers.
enum BackgroundSync {
    static let identifier = "com.sellerkit.app.sync"

    /// Registers the handler; call once, before the app finishes launching. `app` waits for
    /// the database that opens in the background (nil when it could not be opened).
    static func register(app: @escaping @Sendable () async -> SellerApp?) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            guard let task = task as? BGAppRefreshTask else { return task.setTaskCompleted(success: false) }
            handle(task, app: app)
        }
    }

    /// Asks iOS for the next run; call after activation and at the end of every run.
    static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        do {
            try BGTaskScheduler.shared.submit(request)
        } catch {
            // Background refresh is off for this app, or too many requests: the seller still
            // syncs from the app.
        }
    }

    private static func handle(_ task: BGAppRefreshTask, app appProvider: @escaping @Sendable () async -> SellerApp?) {
        schedule()
        let cancel = CancelHandle()
        // iOS ends the task when its time is up: stop the sync at its next safe point
        // (what it committed stays).
        task.expirationHandler = { cancel.cancel() }
        // A detached task: opening the database and isActivated (Keychain) block, off main.
        Task.detached {
            guard let app = await appProvider(), app.isActivated() else {
                return task.setTaskCompleted(success: true)
            }
            do {
                _ = try await app.sync(listener: nil, cancel: cancel)
                task.setTaskCompleted(success: true)
            } catch {
                task.setTaskCompleted(success: false)
            }
        }
    }
}
