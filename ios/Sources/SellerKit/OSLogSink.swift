import Foundation
import os
import SellerKitCore

/// The core's log records, to the unified log (Console.app, `log stream`), subsystem
/// `com.sellerkit` by default, with the record's target (the Rust module) as category.
public final class OSLogSink: LogSink, @unchecked Sendable {
    private let subsystem: String
    private let lock = NSLock()
    private var loggers: [String: Logger] = [:]

    public init(subsystem: String = "com.sellerkit") {
        self.subsystem = subsystem
    }

    public func log(record: LogRecord) {
        let logger = logger(for: record.target)
        // Default privacy: messages may name the shop's data, so the unified log shows them
        // to a debugger and redacts them in logs collected from the field.
        switch record.level {
        case .error: logger.error("\(record.message)")
        case .warn: logger.warning("\(record.message)")
        case .info: logger.info("\(record.message)")
        case .debug: logger.debug("\(record.message)")
        case .trace: logger.trace("\(record.message)")
        }
    }

    // Called from the core's threads: the cache is guarded by `lock` (hence @unchecked).
    private func logger(for category: String) -> Logger {
        lock.lock()
        defer { lock.unlock() }
        if let cached = loggers[category] { return cached }
        let made = Logger(subsystem: subsystem, category: category)
        loggers[category] = made
        return made
    }
}
