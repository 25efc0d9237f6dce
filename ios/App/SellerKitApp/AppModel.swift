import Foundation
import SellerKit

/// Holds the process's one SellerApp (one database, one writer, one runtime) and the screens'
/// presenters.
@MainActor
final class AppModel: ObservableObject {
    let app: SellerApp
    let activation: ActivationPresenter
    let sync: SyncPresenter
    let home: HomePresenter
    let wallet: WalletPresenter
    let dashboard: DashboardPresenter

    init() {
        let support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("SellerKit", isDirectory: true)
        try? FileManager.default.createDirectory(at: support, withIntermediateDirectories: true)
        let config = SellerAppConfig(
            databasePath: support.appendingPathComponent("sellerkit.db").path,
            mediaDir: support.appendingPathComponent("media", isDirectory: true).path,
            timeZone: nil,
            // iOS has no public path to its CJK system font; storefront previews (a later
            // issue) bundle one with the app.
            fontPath: nil,
            deviceName: Self.deviceName(),
            platform: "ios",
            extraRootCaPem: nil,
            // Coupon refusals in the phone's language (English for en-*, else Chinese).
            locale: Locale.preferredLanguages.first)
        do {
            app = try SellerApp.open(config: config, secretStore: KeychainSecretStore(), logSink: OSLogSink())
        } catch {
            // Without its database the app can do nothing useful; the reason is in the crash log.
            fatalError("SellerKit could not open its database: \(error)")
        }
        activation = ActivationPresenter(app: app)
        sync = SyncPresenter(app: app)
        home = HomePresenter(app: app)
        wallet = WalletPresenter(app: app)
        dashboard = DashboardPresenter(app: app)
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
