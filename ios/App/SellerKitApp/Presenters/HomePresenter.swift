import Foundation
import SellerKit

/// The home screen's feature cards; each later issue replaces its placeholder.
enum FeatureCard: CaseIterable, Identifiable {
    case checklist, analytics, wallet, storefront
    var id: Self { self }
}

/// The shop at a glance, from quick local reads of the core's database.
@MainActor
final class HomePresenter: ObservableObject {
    @Published private(set) var status: AppStatus?
    @Published private(set) var conflicts: [ConflictInfo] = []
    @Published private(set) var error: UiError?
    let cards = FeatureCard.allCases

    private let app: SellerApp

    init(app: SellerApp) {
        self.app = app
    }

    func refresh() {
        do {
            status = try app.status()
            conflicts = try app.conflicts()
            error = nil
        } catch {
            self.error = UiError(error)
        }
    }
}
