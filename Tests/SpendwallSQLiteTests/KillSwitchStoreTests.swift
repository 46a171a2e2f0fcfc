import GRDB
import SpendwallCore
@testable import SpendwallSQLite
import SpendwallStorage
import Testing

extension StoreConformance {
    @Test("blocks are set and lifted with their audit entries; a second block or a missing unblock writes nothing", arguments: StoreKind.allCases)
    func blocksAndAudit(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let team = BlockRecord(tenantID: "acme", scope: .team("research"), reason: "runaway loop", actor: "alice", blockedAt: 10)
            let key = BlockRecord(tenantID: "globex", scope: .key("key_1"), reason: "leaked", actor: "bob", blockedAt: 11)
            try await store.insertBlock(team, audit: AuditEntry(at: 10, actor: "alice", action: .block, tenantID: "acme", scope: team.scope, reason: team.reason))
            try await store.insertBlock(key, audit: AuditEntry(at: 11, actor: "bob", action: .block, tenantID: "globex", scope: key.scope, reason: key.reason))
            #expect(try await store.blocks(tenantID: nil) == [team, key])
            #expect(try await store.blocks(tenantID: "acme") == [team])

            let again = await #expect(throws: StoreError.self) {
                try await store.insertBlock(team, audit: AuditEntry(at: 12, actor: "carol", action: .block, tenantID: "acme", scope: team.scope, reason: "again"))
            }
            #expect(again?.code == .duplicate)
            let missing = await #expect(throws: StoreError.self) {
                try await store.deleteBlock(tenantID: "acme", scope: .user("nobody"), audit: AuditEntry(at: 13, actor: "carol", action: .unblock, tenantID: "acme", scope: .user("nobody"), reason: "x"))
            }
            #expect(missing?.code == .notFound)
            // The same scope id in another tenant is another scope.
            await #expect(throws: StoreError.self) {
                try await store.deleteBlock(tenantID: "globex", scope: team.scope, audit: AuditEntry(at: 13, actor: "carol", action: .unblock, tenantID: "globex", scope: team.scope, reason: "x"))
            }

            try await store.deleteBlock(tenantID: "acme", scope: team.scope, audit: AuditEntry(at: 14, actor: "alice", action: .unblock, tenantID: "acme", scope: team.scope, reason: "fixed"))
            #expect(try await store.blocks(tenantID: nil) == [key])

            let log = try await store.auditLog(tenantID: nil, limit: 10)
            #expect(log.map(\.action) == [.unblock, .block, .block], "refused attempts must not be logged")
            #expect(log.map(\.at) == [14, 11, 10])
            #expect(log.map(\.sequence) == [3, 2, 1])
            #expect(log.first?.reason == "fixed" && log.first?.actor == "alice" && log.first?.scope == .team("research"))
            #expect(try await store.auditLog(tenantID: "acme", limit: 10).map(\.sequence) == [3, 1])
            #expect(try await store.auditLog(tenantID: nil, limit: 1).map(\.sequence) == [3])
        }
    }
}

extension SQLiteStoreTests {
    @Test("the audit log is append-only in the database itself: UPDATE and DELETE are refused")
    func auditLogIsAppendOnly() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/spendwall.sqlite")
            defer { try? store.close() }
            let block = BlockRecord(tenantID: "acme", scope: .tenant("acme"), reason: "incident", actor: "alice", blockedAt: 1)
            try await store.insertBlock(block, audit: AuditEntry(at: 1, actor: "alice", action: .block, tenantID: "acme", scope: block.scope, reason: block.reason))
            for statement in ["UPDATE audit_log SET reason = 'nothing happened'", "DELETE FROM audit_log"] {
                await #expect(throws: DatabaseError.self, "\(statement)") {
                    try await store.pool.write { db in try db.execute(sql: statement) }
                }
            }
            #expect(try await store.auditLog(tenantID: nil, limit: 10).map(\.reason) == ["incident"])
        }
    }
}
