import SwiftUI

/// The app's screens; small enough that a switch is all the navigation it needs.
struct RootView: View {
    enum Screen { case activation, home, sync, wallet, dashboard }

    @ObservedObject var model: AppModel
    @ObservedObject private var activation: ActivationPresenter
    @State private var screen: Screen

    init(model: AppModel) {
        self.model = model
        _activation = ObservedObject(wrappedValue: model.activation)
        _screen = State(initialValue: model.app.isActivated() ? .home : .activation)
    }

    var body: some View {
        Group {
            switch screen {
            case .activation: ActivationView(presenter: model.activation)
            case .sync: SyncView(presenter: model.sync, onDone: { screen = .home })
            case .home:
                HomeView(
                    presenter: model.home, onOpenSync: { screen = .sync }, onOpenWallet: { screen = .wallet },
                    onOpenDashboard: { screen = .dashboard })
            case .wallet: WalletView(presenter: model.wallet, onBack: { screen = .home })
            case .dashboard: DashboardView(presenter: model.dashboard, onBack: { screen = .home })
            }
        }
        .onChange(of: activation.activated != nil) { activated in
            guard activated, screen == .activation else { return }
            BackgroundSync.schedule()
            screen = .sync
            // A fresh device has nothing yet: its first sync brings the shop.
            Task { await model.sync.start() }
        }
    }
}
