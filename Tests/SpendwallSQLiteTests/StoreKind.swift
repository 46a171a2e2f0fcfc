import Foundation
import SpendwallSQLite
import SpendwallStorage

/// The stores the conformance suite runs against.
enum StoreKind: String, CaseIterable, Sendable {
    case inMemory
    case sqlite

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
