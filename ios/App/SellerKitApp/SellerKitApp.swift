import SwiftUI
import SellerKit

@main
struct SellerKitApp: App {
    @StateObject private var model: AppModel

    init() {
        let model = AppModel()
        _model = StateObject(wrappedValue: model)
        // BGTaskScheduler wants its handlers registered before launch completes.
        BackgroundSync.register(app: model.app)
        if model.app.isActivated() { BackgroundSync.schedule() }
    }

    var body: some Scene {
        WindowGroup {
            RootView(model: model)
        }
    }
}
