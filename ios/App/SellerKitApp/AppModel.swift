import Foundation
import SellerKit

/// Holds the process's one SellerApp (one database, one writer, one runtime) and the screens'
/// presenters. The database opens on a background task (migrations and the integrity check
/// block for seconds on a slow phone), never on the main thread; `startup` is `.opening`
/// meanwhile and the root view shows a splash. Mirrors the Android app's StartupPresenter.
@MainActor
final class AppModel: ObservableObject {
    /// Where the start stands.
    enum Startup {
        case opening
        case ready(Screens, activated: Bool)
        case failed(UiError)
    }

    /// The screens' presenters over the opened app.
    @MainActor
    final class Screens {
        let app: SellerApp
        let activation: ActivationPresenter
        let sync: SyncPresenter
        let home: HomePresenter
        let wallet: WalletPresenter
        let checklist: ChecklistPresenter
        let dashboard: DashboardPresenter
        let storefront: StorefrontPresenter

        init(app: SellerApp) {
            self.app = app
            activation = ActivationPresenter(app: app)
            sync = SyncPresenter(app: app)
            home = HomePresenter(app: app)
            wallet = WalletPresenter(app: app)
            checklist = ChecklistPresenter(app: app)
            dashboard = DashboardPresenter(app: app)
            storefront = StorefrontPresenter(app: app)
        }
    }

    @Published private(set) var startup: Startup = .opening
    /// Opening the database and reading `isActivated` (database and Keychain), off the
    /// main thread.
    private let opening: Task<Result<(SellerApp, Bool), Error>, Never>

    init() {
        let config = Self.config()
        opening = Task.detached(priority: .userInitiated) {
            do {
                let app = try SellerApp.open(config: config, secretStore: KeychainSecretStore(), logSink: OSLogSink())
                return .success((app, app.isActivated()))
            } catch {
                return .failure(error)
            }
        }
        Task { [weak self, opening] in
            let result = await opening.value
            guard let self else { return }
            switch result {
            case .success(let (app, activated)):
                self.startup = .ready(Screens(app: app), activated: activated)
                if activated { BackgroundSync.schedule() }
            case .failure(let error):
                self.startup = .failed(UiError(error))
            }
        }
    }

    /// The opened app, for background work; nil when the database could not be opened.
    nonisolated func awaitApp() async -> SellerApp? {
        if case .success(let (app, _)) = await opening.value { return app }
        return nil
    }

    private static func config() -> SellerAppConfig {
        let support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("SellerKit", isDirectory: true)
        try? FileManager.default.createDirectory(at: support, withIntermediateDirectories: true)
        return SellerAppConfig(
            databasePath: support.appendingPathComponent("sellerkit.db").path,
            mediaDir: support.appendingPathComponent("media", isDirectory: true).path,
            timeZone: nil,
            // Storefront previews draw Chinese text from a font file: the one bundled with the
            // app (PreviewFont.ttf), else a CJK system font where this iOS keeps one.
            fontPath: previewFontPath(),
            deviceName: deviceName(),
            platform: "ios",
            extraRootCaPem: nil,
            // Every reason the core words in the phone's language (English for en-*, else Chinese).
            locale: Locale.preferredLanguages.first)
    }

    /// A CJK font file for storefront previews, or nil (the preview then says so).
    private static func previewFontPath() -> String? {
        if let bundled = Bundle.main.path(forResource: "PreviewFont", ofType: "ttf") { return bundled }
        let system = [
            "/System/Library/Fonts/LanguageSupport/PingFang.ttc",
            "/System/Library/Fonts/Core/PingFang.ttc",
            "/System/Library/Fonts/CoreAddition/STHeiti-Light.ttc",
        ]
        return system.first { FileManager.default.isReadableFile(atPath: $0) }
    }

    private static func deviceName() -> String {
        var info = utsname()
        uname(&info)
        let model = withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return "Apple \(model)"
    }
}
