import GRDB
import SpendwallStorage

extension StoreError {
    /// Maps any error from a database access to a `StoreError` whose message never contains SQL,
    /// arguments or secrets.
    ///
    /// - Parameters:
    ///   - action: What was being done, e.g. `insert tenant 'acme'`.
    ///   - duplicate: The message for a UNIQUE or PRIMARY KEY violation.
    static func wrapping(_ error: any Error, action: String, duplicate: String? = nil) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else {
            return StoreError(.io, "could not \(action)")
        }
        if let duplicate,
           error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            return StoreError(.duplicate, duplicate)
        }
        return StoreError(.io, "could not \(action) (SQLite \(error.extendedResultCode))")
    }

    /// Whether the failure belongs to one operation of a batch (a constraint it broke), so the
    /// rest of the batch may still commit without it.
    static func isConfinedToOperation(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT
    }
}
