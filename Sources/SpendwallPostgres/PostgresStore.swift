import Foundation
import Logging
import PostgresNIO
import SpendwallCore
import SpendwallStorage
import Synchronization

/// The PostgreSQL store: the same `SpendStore` as SQLite, for gateway replicas that share one
/// database. Its connection pool runs in ``run()``, which the owner runs for as long as it uses
/// the store (a `swift-service-lifecycle` service, or a task in tests).
public final class PostgresStore: SpendStore, Sendable {
    let client: PostgresClient
    let logger: Logger
    /// How long an operation may wait for the database before it fails.
    let operationTimeout: Duration
    /// Budget windows known to exist (``createWindows(_:)``).
    let knownWindows = Mutex(Set<HoldShare>())

    /// - Parameter url: `postgres://user[:password]@host[:port]/database[?sslmode=disable|require]`.
    /// - Parameter operationTimeout: how long an operation may wait for the database (a
    ///   connection, then its answer) before it fails with `.io`.
    public init(url: String, operationTimeout: Duration = .seconds(3), logger: Logger = Logger(label: "spendwall.postgres")) throws {
        self.client = PostgresClient(configuration: try Self.configuration(url: url), backgroundLogger: logger)
        self.logger = logger
        self.operationTimeout = operationTimeout
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async {
        await client.run()
    }

    /// Parses a `postgres://` URL.
    static func configuration(url text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme?.lowercased() ?? ""),
              let host = url.host, !host.isEmpty else {
            throw StoreError(.io, "'\(text)' is not a postgres://user:password@host:port/database URL")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let mode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw StoreError(.io, "sslmode '\(mode)' is not disable, prefer or require")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: database.isEmpty ? nil : database, tls: tls
        )
        configuration.options.maximumConnections = 32
        // The pool arms a timer task (a Dispatch timer) each time a connection goes idle, for its
        // keep-alive ping and for its idle timeout: two per query on the reservation path.
        // Keep-alive pings are off: a connection the server closed is noticed by its socket, and
        // a query that fails fails closed and its settlement is retried. (Minimum connections,
        // which would skip the idle timer, kept the pool from recovering after an outage.)
        configuration.options.keepAliveBehavior = nil
        // Reuse each prepared statement's plan (here and inside `spendwall_reserve`): with array
        // parameters PostgreSQL otherwise re-plans the reservation's joins on every call, which
        // was a quarter of the database's CPU per request.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan")]
        return configuration
    }

    // MARK: Helpers

    /// Runs `body`, mapping database errors to `StoreError` (a unique violation to `.duplicate`).
    ///
    /// Unless `waitsIndefinitely`, an operation that has no answer within ``operationTimeout``
    /// (the database is down: the pool would wait for a connection for ever) fails with `.io`,
    /// so that callers fail closed in bounded time.
    func perform<T: Sendable>(
        _ action: String, duplicate: String? = nil, waitsIndefinitely: Bool = false, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            if waitsIndefinitely { return try await body() }
            let timeout = operationTimeout
            return try await Deadline.run(within: timeout, body) {
                StoreError(.io, "\(action): PostgreSQL did not answer within \(timeout)")
            }
        } catch let error as PostgresTransactionError {
            // What failed inside the transaction (rolled back) decides, as it would outside one.
            let cause = error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? error
            if cause is PostgresTransactionError { throw StoreError(.io, "\(action): \(String(reflecting: cause))") }
            return try await perform(action, duplicate: duplicate, waitsIndefinitely: true) { throw cause }
        } catch let error as StoreError {
            throw error
        } catch let error as PSQLError {
            if error.serverInfo?[.sqlState] == "23505" {
                throw StoreError(.duplicate, duplicate ?? "\(action): a row with that key exists")
            }
            throw StoreError(.io, "\(action): \(String(reflecting: error))")
        } catch {
            throw StoreError(.io, "\(action): \(error)")
        }
    }

    /// Rows of a query, each read by column name.
    func rows(_ query: PostgresQuery, _ action: String, duplicate: String? = nil) async throws -> [PostgresRandomAccessRow] {
        try await perform(action, duplicate: duplicate) { [self] in
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await client.query(query, logger: logger) { rows.append(row.makeRandomAccess()) }
            return rows
        }
    }

    /// Runs a statement and returns how many rows it returned: write `RETURNING 1` to count the
    /// rows a statement changed.
    @discardableResult
    static func execute(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await connection.query(query, logger: logger) { count += 1 }
        return count
    }

    @discardableResult
    func execute(_ query: PostgresQuery, _ action: String, duplicate: String? = nil) async throws -> Int {
        try await perform(action, duplicate: duplicate) { [self] in
            try await client.withConnection { connection in try await Self.execute(query, on: connection, logger: logger) }
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, json text: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError(.io, "a stored JSON value does not decode as \(T.self): \(error)")
        }
    }
}

extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        do {
            return try self[name].decode(T.self)
        } catch {
            throw StoreError(.io, "column \(name) does not read as \(T.self): \(error)")
        }
    }

    func enumeration<T: RawRepresentable<String>>(_ name: String) throws -> T {
        let raw: String = try value(name)
        guard let value = T(rawValue: raw) else { throw StoreError(.io, "column \(name) holds an unknown value '\(raw)'") }
        return value
    }

    func money(_ name: String) throws -> Money { Money(nanodollars: try value(name, as: Int64.self)) }
}
