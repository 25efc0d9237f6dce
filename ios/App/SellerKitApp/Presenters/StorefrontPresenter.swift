import Foundation
import SellerKit

/// A listing's findings, for the findings list.
struct ProductFindings: Identifiable {
    let id: String
    let findings: [LintFinding]
}

/// The mobile storefront: lint findings with their fixes, the phone preview, edits of a listing
/// and of the shop (saved on the phone at once, sent with the next sync), and the conflicts of
/// those edits with keep / reapply. A form starts from the current values: `openProduct` /
/// `openShop` read them (off the main thread) into `listing` / `shop`. Mirrors the Android
/// app's StorefrontPresenter; every finding, fix and error reason comes from the core in the
/// seller's language.
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
    /// The listing whose form is open, with its current values (unsynced edits included); nil until read.
    @Published private(set) var listing: ListingInfo?
    /// The shop profile's current values, for its form; nil until read, or before the first sync.
    @Published private(set) var shop: ShopInfo?
    /// The open form's current values are being read.
    @Published private(set) var formLoading = false
    @Published var error: UiError?

    private let app: SellerApp
    /// The listing the seller opened last: a slower read of an earlier one must not replace it.
    private var openProductId: String?

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

    /// Opens listing `productId`'s form: its current values are read into `listing`. An unknown
    /// listing (deleted by a sync) shows as `invalidInput` with the core's reason.
    func openProduct(_ productId: String) async {
        openProductId = productId
        if listing?.id != productId { listing = nil }
        formLoading = true
        do {
            let read = try await offMain { app in try app.listing(productId: productId) }
            guard openProductId == productId else { return }
            listing = read
            formLoading = false
        } catch {
            guard openProductId == productId else { return }
            formLoading = false
            self.error = UiError(error)
        }
    }

    /// Closes the listing's form.
    func closeProduct() {
        openProductId = nil
        listing = nil
        formLoading = false
    }

    /// Opens the shop's form: the profile's current values are read into `shop` (nil before the first sync).
    func openShop() async {
        formLoading = true
        defer { formLoading = false }
        do {
            shop = try await offMain { app in try app.shop() }
        } catch {
            self.error = UiError(error)
        }
    }

    /// Shows `page` on `device` in the preview.
    func show(page: StorefrontPage, device: PreviewDevice? = nil) async {
        self.page = page
        if let device { self.device = device }
        await draw()
    }

    /// Saves an edit of a listing; a refused value shows as `invalidInput` with the core's reason.
    /// A form may send every field: the core queues only the ones whose value changed.
    func editProduct(_ productId: String, _ edit: ProductEdit) async {
        await save({ app in try app.editProduct(productId: productId, edit: edit) }) { presenter, saved in
            if presenter.openProductId == saved.id { presenter.listing = saved }
        }
    }

    /// Saves an edit of the shop profile, as `editProduct`.
    func editShop(_ edit: ShopEdit) async {
        await save({ app in try app.editShop(edit: edit) }) { presenter, saved in presenter.shop = saved }
    }

    /// Settles a conflict by keeping the server's values.
    func keepServer(_ conflictId: Int64) async {
        await settle(conflictId) { app in try app.keepServer(conflictId: conflictId) }
    }

    /// Settles a conflict by applying the seller's edit again (sent with the next sync).
    func reapply(_ conflictId: Int64) async {
        await settle(conflictId) { app in try app.reapply(conflictId: conflictId) }
    }

    private func save<T: Sendable>(
        _ call: @escaping (SellerApp) throws -> T,
        _ saved: (StorefrontPresenter, T) -> Void
    ) async {
        guard !saving else { return }
        saving = true
        defer { saving = false }
        do {
            let value = try await offMain(call)
            saved(self, value)
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

    /// Runs a blocking core call (SQLite) off the main thread and returns its value.
    private func offMain<T: Sendable>(_ call: @escaping (SellerApp) throws -> T) async throws -> T {
        let app = self.app
        return try await Task.detached(priority: .userInitiated) { try call(app) }.value
    }

    /// Reads the findings, the conflicts and the values of the open forms (a sync or a settled
    /// conflict may have changed them). An open listing that is gone shows the core's reason.
    private func reload() {
        do {
            lint = try app.lint()
            conflicts = try app.storefrontConflicts()
            if shop != nil { shop = try app.shop() }
        } catch {
            self.error = UiError(error)
        }
        guard let open = listing?.id else { return }
        do {
            listing = try app.listing(productId: open)
        } catch {
            listing = nil
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
