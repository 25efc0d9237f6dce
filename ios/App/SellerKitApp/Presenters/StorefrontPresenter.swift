import Foundation
import SellerKit

/// A listing's findings, for the findings list.
struct ProductFindings: Identifiable {
    let id: String
    let findings: [LintFinding]
}

/// The mobile storefront: lint findings with their fixes, the phone preview, edits of a listing
/// and of the shop (saved on the phone at once, sent with the next sync), and the conflicts of
/// those edits with keep / reapply. Mirrors the Android app's StorefrontPresenter; every
/// finding, fix and error reason comes from the core in the seller's language.
@MainActor
final class StorefrontPresenter: ObservableObject {
    @Published private(set) var lint: LintOverview?
    @Published private(set) var conflicts: [StorefrontConflict] = []
    @Published private(set) var page: StorefrontPage = .home
    @Published private(set) var device: PreviewDevice = .bundled
    @Published private(set) var preview: PreviewImage?
    @Published private(set) var previewLoading = false
    @Published private(set) var saving = false
    /// Increases with every saved edit, so a form can close itself.
    @Published private(set) var savedCount = 0
    @Published private(set) var busyConflictId: Int64?
    @Published var error: UiError?

    private let app: SellerApp

    init(app: SellerApp) {
        self.app = app
    }

    /// Findings of the shop profile.
    var shopFindings: [LintFinding] { lint?.findings.filter { $0.productId == nil } ?? [] }

    /// Findings of one listing.
    func findings(of productId: String) -> [LintFinding] {
        lint?.findings.filter { $0.productId == productId } ?? []
    }

    /// Listings with findings, those with errors first.
    var productsWithFindings: [ProductFindings] {
        var order: [String] = []
        var byId: [String: [LintFinding]] = [:]
        for f in lint?.findings ?? [] {
            guard let id = f.productId else { continue }
            if byId[id] == nil { order.append(id) }
            byId[id, default: []].append(f)
        }
        func rank(_ s: LintSeverity) -> Int {
            switch s {
            case .error: return 0
            case .warning: return 1
            case .info: return 2
            }
        }
        return order
            .map { id in ProductFindings(id: id, findings: byId[id, default: []].sorted { rank($0.severity) < rank($1.severity) }) }
            .sorted { rank($0.findings.first?.severity ?? .info) < rank($1.findings.first?.severity ?? .info) }
    }

    /// Reads the findings and conflicts and draws the preview (when the screen shows, after a sync).
    func refresh() async {
        reload()
        await draw()
    }

    /// Shows `page` on `device` in the preview.
    func show(page: StorefrontPage, device: PreviewDevice? = nil) async {
        self.page = page
        if let device { self.device = device }
        await draw()
    }

    /// Saves an edit of a listing; a refused value shows as `invalidInput` with the core's reason.
    func editProduct(_ productId: String, _ edit: ProductEdit) async {
        await save { app in _ = try app.editProduct(productId: productId, edit: edit) }
    }

    /// Saves an edit of the shop profile.
    func editShop(_ edit: ShopEdit) async {
        await save { app in _ = try app.editShop(edit: edit) }
    }

    /// Settles a conflict by keeping the server's values.
    func keepServer(_ conflictId: Int64) async {
        await settle(conflictId) { app in try app.keepServer(conflictId: conflictId) }
    }

    /// Settles a conflict by applying the seller's edit again (sent with the next sync).
    func reapply(_ conflictId: Int64) async {
        await settle(conflictId) { app in try app.reapply(conflictId: conflictId) }
    }

    private func save(_ call: @escaping (SellerApp) throws -> Void) async {
        guard !saving else { return }
        saving = true
        defer { saving = false }
        do {
            try await offMain(call)
            error = nil
            savedCount += 1
        } catch {
            self.error = UiError(error)
            return
        }
        reload()
        await draw()
    }

    private func settle(_ conflictId: Int64, _ call: @escaping (SellerApp) throws -> Void) async {
        guard busyConflictId == nil else { return }
        busyConflictId = conflictId
        defer { busyConflictId = nil }
        do {
            try await offMain(call)
            error = nil
        } catch {
            self.error = UiError(error)
            return
        }
        reload()
        await draw()
    }

    /// Runs a blocking core call (SQLite) off the main thread.
    private func offMain(_ call: @escaping (SellerApp) throws -> Void) async throws {
        let app = self.app
        try await Task.detached(priority: .userInitiated) { try call(app) }.value
    }

    private func reload() {
        do {
            lint = try app.lint()
            conflicts = try app.storefrontConflicts()
        } catch {
            self.error = UiError(error)
        }
    }

    /// Draws the current page; a failure (no shop yet, no font) shows as the error.
    private func draw() async {
        let page = self.page
        let device = self.device
        previewLoading = true
        defer { previewLoading = false }
        do {
            let image = try await app.preview(page: page, device: device)
            // A newer request may have changed the page meanwhile: keep only the current one.
            if self.page == page && self.device == device { preview = image }
        } catch {
            preview = nil
            self.error = UiError(error)
        }
    }
}
