import Foundation
import PostgresNIO
import SpendwallCore
import SpendwallStorage

/// A hot-path statement whose text never changes: only its values do.
protocol HotStatement {
    /// The statement's text, as the store's query builder writes it.
    static var sql: String { get }
}

/// Sends a ``HotStatement`` as a named prepared statement: each connection parses and plans it
/// once, then only binds values (on loopback this halves a reservation's time in the database).
/// The query is built by the same interpolation as any other, so its text and binds agree.
struct PreparedQuery<Statement: HotStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRandomAccessRow
    static var sql: String { Statement.sql }

    let bindings: PostgresBindings

    init(_ query: PostgresQuery) {
        assert(query.sql == Statement.sql, "a prepared statement's text changed with its values")
        bindings = query.binds
    }

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRandomAccessRow { row.makeRandomAccess() }
}

/// `spendwall_reserve`, whatever the hold.
enum ReserveStatement: HotStatement {
    static let sql: String = {
        let sample = HoldRecord(hold: Hold(id: "", amount: .zero, shares: []), requestID: "", keyID: "", tenantID: "", provider: .openai, model: "", createdAt: 0, expiresAt: 0)
        return (try? PostgresStore.reserveQuery(sample, enforce: true).sql) ?? ""
    }()
}

/// The settlement of one ledger row, whatever the row.
enum SettleOneStatement: HotStatement {
    static let sql = PostgresStore.settleQuery(SettleStatement.sample).sql
}

/// The settlement of a batch of ledger rows, whatever the rows.
enum SettleStatement: HotStatement {
    static let sql = PostgresStore.settleQuery([sample]).sql

    /// A row to write the statements' text from: only values change with the row.
    static let sample = LedgerEntry(
        requestID: "", holdID: "", keyID: "", tenantID: "", teamID: nil, userID: nil, tags: [], provider: .openai, model: "", endpoint: "",
        usage: .zero, rates: TokenRates(input: 0, output: 0), catalogVersion: "", cost: .zero, listCost: .zero, hold: .zero, status: .settled,
        upstreamStatus: nil, upstreamID: nil, latencyMillis: 0, startedAt: 0, finishedAt: 0, shares: [], decision: nil
    )
}

extension PostgresStore {
    /// The rows of a prepared hot-path statement, under the same timeout and error mapping as
    /// any other operation.
    func preparedRows<Statement: HotStatement>(
        _ statement: PreparedQuery<Statement>, _ action: String, duplicate: String? = nil
    ) async throws -> [PostgresRandomAccessRow] {
        try await perform(action, duplicate: duplicate) { [self] in
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await client.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }
}
