import Foundation
import Security
import SellerKitCore

/// The core's secret store (the device token) in the iOS Keychain: generic passwords of one
/// service, readable after the first unlock so that background sync works while the phone
/// is locked, and never migrated to another device (the token belongs to this one).
public final class KeychainSecretStore: SecretStore {
    private let service: String

    /// - Parameter service: the Keychain service name; one per app.
    public init(service: String = "com.sellerkit.secrets") {
        self.service = service
    }

    public func get(key: String) throws -> String? {
        var query = baseQuery(key)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let data = item as? Data, let value = String(data: data, encoding: .utf8) else {
                throw SellerKitError.Storage(reason: "the Keychain item '\(key)' is damaged")
            }
            return value
        case errSecItemNotFound:
            return nil
        default:
            throw Self.failure("read", key, status)
        }
    }

    public func set(key: String, value: String) throws {
        let data = Data(value.utf8)
        let update: [String: Any] = [kSecValueData as String: data]
        let status = SecItemUpdate(baseQuery(key) as CFDictionary, update as CFDictionary)
        switch status {
        case errSecSuccess:
            return
        case errSecItemNotFound:
            var add = baseQuery(key)
            add[kSecValueData as String] = data
            add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
            let added = SecItemAdd(add as CFDictionary, nil)
            guard added == errSecSuccess else { throw Self.failure("save", key, added) }
        default:
            throw Self.failure("save", key, status)
        }
    }

    public func delete(key: String) throws {
        let status = SecItemDelete(baseQuery(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw Self.failure("delete", key, status)
        }
    }

    private func baseQuery(_ key: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: key,
        ]
    }

    private static func failure(_ action: String, _ key: String, _ status: OSStatus) -> SellerKitError {
        let message = SecCopyErrorMessageString(status, nil) as String? ?? "OSStatus \(status)"
        return SellerKitError.Storage(reason: "the Keychain could not \(action) '\(key)': \(message)")
    }
}
