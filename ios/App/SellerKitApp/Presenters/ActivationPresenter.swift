import Foundation
import SellerKit

/// The activation screen: server address and the code from the service card.
@MainActor
final class ActivationPresenter: ObservableObject {
    @Published var serverUrl = ""
    @Published var code = ""
    @Published private(set) var busy = false
    @Published private(set) var error: UiError?
    /// Set once the server accepted the code: the app moves on.
    @Published private(set) var activated: ActivationInfo?

    private let app: SellerApp

    init(app: SellerApp) {
        self.app = app
    }

    var canSubmit: Bool {
        !busy && !serverUrl.trimmingCharacters(in: .whitespaces).isEmpty
            && !code.trimmingCharacters(in: .whitespaces).isEmpty
    }

    func submit() async {
        guard canSubmit else { return }
        busy = true
        error = nil
        defer { busy = false }
        do {
            activated = try await app.activate(
                serverUrl: serverUrl.trimmingCharacters(in: .whitespaces),
                code: code.trimmingCharacters(in: .whitespaces))
        } catch {
            self.error = UiError(error)
        }
    }
}
