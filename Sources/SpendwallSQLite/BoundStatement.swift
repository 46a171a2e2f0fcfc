import GRDB
import GRDBSQLite

/// Runs one of the hot path's cached statements through SQLite's C API: binds each value in
/// place and steps it to the end.
///
/// GRDB's `execute(arguments:)` boxes every argument as a `DatabaseValue` in an array and checks
/// it against the statement first; for the ledger row's 38 columns, at thousands of rows a
/// second, that was a measurable share of the gateway's CPU. The statements run here are used
/// nowhere else, so GRDB's own record of their bound arguments is never relied on.
struct BoundStatement {
    private let statement: Statement
    private var index: Int32 = 1

    /// Resets `statement` for new values.
    init(_ statement: Statement) throws {
        self.statement = statement
        let code = sqlite3_reset(statement.sqliteStatement)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "reset failed", sql: statement.sql) }
    }

    /// SQLite copies what is bound (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: Int64) {
        sqlite3_bind_int64(statement.sqliteStatement, index, value)
        index += 1
    }

    mutating func bind(_ value: Int64?) {
        if let value { bind(value) } else { bindNull() }
    }

    mutating func bind(_ value: Int?) {
        if let value { bind(Int64(value)) } else { bindNull() }
    }

    mutating func bind(_ value: String) {
        sqlite3_bind_text(statement.sqliteStatement, index, value, -1, Self.transient)
        index += 1
    }

    mutating func bind(_ value: String?) {
        if let value { bind(value) } else { bindNull() }
    }

    private mutating func bindNull() {
        sqlite3_bind_null(statement.sqliteStatement, index)
        index += 1
    }

    /// Steps the statement to its end; every parameter must have been bound.
    func run(_ db: Database) throws {
        precondition(index - 1 == sqlite3_bind_parameter_count(statement.sqliteStatement), "every parameter of \(statement.sql) must be bound")
        while true {
            switch sqlite3_step(statement.sqliteStatement) {
            case SQLITE_DONE: return
            case SQLITE_ROW: continue
            case let code:
                let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
                sqlite3_reset(statement.sqliteStatement)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
            }
        }
    }
}
