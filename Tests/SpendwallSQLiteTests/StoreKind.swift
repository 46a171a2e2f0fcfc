import Foundation
import Logging
import PostgresNIO
import SpendwallPostgres
import SpendwallSQLite
import SpendwallStorage

/// The stores the conformance suite runs against: in memory, SQLite, and PostgreSQL when
/// `SPENDWALL_TEST_POSTGRES_URL` names a server (the test script starts one; CI always has it).
enum StoreKind: String, CaseIterable, Sendable {
    case inMemory
    case sqlite
    case postgres

    static var allCases: [StoreKind] {
        PostgresTestDatabase.serverURL == nil ? [.inMemory, .sqlite] : [.inMemory, .sqlite, .postgres]
    }

    /// Runs `body` with a fresh, empty store of this kind, then closes it and removes its files.
    func withStore(_ body: (any SpendStore) async throws -> Void) async throws {
        switch self {
        case .inMemory:
            try await body(InMemoryStore())
        case .sqlite:
            try await withTemporaryDirectory { directory in
                let store = try SQLiteStore(path: directory + "/spendwall.sqlite")
                do {
                    try await body(store)
                } catch {
                    try? store.close()
                    throw error
                }
                try store.close()
            }
        case .postgres:
            try await PostgresTestDatabase.withStore(body)
        }
    }
}

/// A throwaway database on the test server, migrated, for one test.
enum PostgresTestDatabase {
    static var serverURL: String? {
        ProcessInfo.processInfo.environment["SPENDWALL_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func withStore(_ body: (any SpendStore) async throws -> Void) async throws {
        guard let serverURL, var components = URLComponents(string: serverURL) else { throw StoreError(.io, "SPENDWALL_TEST_POSTGRES_URL is not set") }
        let name = "spendwall_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await admin(serverURL, "CREATE DATABASE \(name)")
        components.path = "/" + name
        var quiet = Logger(label: "spendwall.postgres.test")
        quiet.logLevel = .error
        let store = try PostgresStore(url: components.string!, logger: quiet)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                defer { group.cancelAll() }
                try await store.migrate()
                try await body(store)
            }
        } catch {
            try? await admin(serverURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
        try await admin(serverURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one statement on the server's own database.
    static func admin(_ url: String, _ sql: String) async throws {
        guard let components = URLComponents(string: url), let host = components.host else { return }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres", password: components.password,
            database: database.isEmpty ? "postgres" : database, tls: .disable
        )
        var quiet = Logger(label: "spendwall.postgres.test")
        quiet.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
        }
    }
}

/// Runs `body` with a new empty directory, removed afterwards.
func withTemporaryDirectory(_ body: (String) async throws -> Void) async throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("spendwall-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    try await body(url.path)
}
