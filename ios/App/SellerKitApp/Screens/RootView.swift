import SwiftUI

/// The start: a splash while the database opens (in the background), then the screens.
struct RootView: View {
    @ObservedObject var model: AppModel

    var body: some View {
        switch model.startup {
        case .opening:
            // The database opens on a background task; the main thread draws this.
            VStack(spacing: 24) {
                Text("SellerKit").font(.largeTitle)
                ProgressView()
            }
        case .failed(let error):
            VStack(alignment: .leading, spacing: 4) {
                Text(error.headline).font(.headline)
                if !error.reason.isEmpty { Text(error.reason).font(.footnote) }
            }
            .foregroundColor(.red)
            .padding()
        case .ready(let screens, let activated):
            ScreensView(screens: screens, activated: activated)
        }
    }
}

/// The app's screens; small enough that a switch is all the navigation it needs.
struct ScreensView: View {
    enum Screen { case activation, home, sync, wallet, checklist, dashboard, storefront }

    let screens: AppModel.Screens
    @ObservedObject private var activation: ActivationPresenter
    @State private var screen: Screen

    init(screens: AppModel.Screens, activated: Bool) {
        self.screens = screens
        _activation = ObservedObject(wrappedValue: screens.activation)
        _screen = State(initialValue: activated ? .home : .activation)
    }

    var body: some View {
        Group {
            switch screen {
            case .activation: ActivationView(presenter: screens.activation)
            case .sync: SyncView(presenter: screens.sync, onDone: { screen = .home })
            case .home:
                HomeView(
                    presenter: screens.home, onOpenSync: { screen = .sync }, onOpenWallet: { screen = .wallet },
                    onOpenChecklist: { screen = .checklist }, onOpenDashboard: { screen = .dashboard },
                    onOpenStorefront: { screen = .storefront })
            case .wallet: WalletView(presenter: screens.wallet, onBack: { screen = .home })
            case .checklist: ChecklistView(presenter: screens.checklist, onBack: { screen = .home })
            case .dashboard: DashboardView(presenter: screens.dashboard, onBack: { screen = .home })
            case .storefront: StorefrontView(presenter: screens.storefront, onBack: { screen = .home })
            }
        }
        .onChange(of: activation.activated != nil) { activated in
            guard activated, screen == .activation else { return }
            BackgroundSync.schedule()
            screen = .sync
            // A fresh device has nothing yet: its first sync brings the shop.
            Task { await screens.sync.start() }
        }
    }
}
