import SwiftUI
import SellerKit

@main
struct SellerKitApp: App {
    @StateObject private var model: AppModel

    init() {
        let model = AppModel()
        _model = StateObject(wrappedValue: model)
        // BGTaskScheduler wants its handlers registered before launch completes; the handler
        // waits for the database, which opens in the background (AppModel).
        BackgroundSync.register(app: { await model.awaitApp() })
    }

    var body: some Scene {
        WindowGroup {
            RootView(model: model)
        }
    }
}
