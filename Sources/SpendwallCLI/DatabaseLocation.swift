import Foundation
import Logging
import SpendwallPostgres
import SpendwallSQLite
import SpendwallStorage

/// Where the gateway keeps its data: a SQLite file (the embedded default) or a PostgreSQL URL.
enum DatabaseLocation {
    case sqlite(path: String)
    case postgres(url: String)

    /// `--database`, else the config's `database`, else `$SPENDWALL_DATABASE_URL`, else the SQLite
    /// file in `$SPENDWALL_HOME`.
    static func resolve(_ configured: String?, home: SpendwallHome, environment: [String: String] = ProcessInfo.processInfo.environment) -> DatabaseLocation {
        let given = configured ?? environment["SPENDWALL_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        guard let given else { return .sqlite(path: home.databasePath) }
        if given.hasPrefix("postgres://") || given.hasPrefix("postgresql://") { return .postgres(url: given) }
        return .sqlite(path: GatewayRuntime.expandTilde(given))
    }

    /// A URL or path safe to print: the password is hidden.
    var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url):
            guard var components = URLComponents(string: url), components.password != nil else { return url }
            components.password = "***"
            return components.string ?? "postgres://…"
        }
    }
}

extension PostgresStore {
    /// Runs `body` with a store on `url` whose connection pool runs for the call, for one-shot
    /// commands; errors only are logged.
    static func withRunning<T: Sendable>(url: String, label: String, _ body: (PostgresStore) async throws -> T) async throws -> T {
        var logger = Logger(label: label)
        logger.logLevel = .error
        let store = try PostgresStore(url: url, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }
}
