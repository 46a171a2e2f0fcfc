import SpendwallCore
import SpendwallStorage
import Testing

/// Store queries that tenant isolation rests on: tenant admin tokens, and finding a response in
/// the ledger only within the caller's tenant.
@Suite("Tenant-bound store queries")
struct TenantBoundStoreTests {
    @Test("admin tokens round-trip per tenant, revoke through update, and refuse a second copy of a secret", arguments: StoreKind.allCases)
    func adminTokens(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var acme = AdminTokenRecord(id: "adm_1", name: "finops", tenantID: "acme", secretHash: "hash-1", hint: "swa-…0001", createdAt: 5)
            let globex = AdminTokenRecord(id: "adm_2", name: "ops", tenantID: "globex", secretHash: "hash-2", hint: "swa-…0002", createdAt: 6)
            try await store.insertAdminToken(globex)
            try await store.insertAdminToken(acme)
            #expect(try await store.adminTokens(tenantID: "acme") == [acme])
            #expect(try await store.adminTokens(tenantID: nil) == [acme, globex])
            #expect(try await store.adminTokens(tenantID: "initech").isEmpty)

            let copy = AdminTokenRecord(id: "adm_3", name: "copy", tenantID: "globex", secretHash: "hash-1", hint: "x", createdAt: 7)
            let duplicate = await #expect(throws: StoreError.self) { try await store.insertAdminToken(copy) }
            #expect(duplicate?.code == .duplicate)

            acme.revokedAt = 9
            try await store.updateAdminToken(acme)
            #expect(try await store.adminTokens(tenantID: "acme").first?.isActive == false)
            var missing = acme
            missing.id = "adm_nope"
            missing.secretHash = "hash-9"
            let notFound = await #expect(throws: StoreError.self) { try await store.updateAdminToken(missing) }
            #expect(notFound?.code == .notFound)
        }
    }

    @Test("a response is found by its provider id only in its own tenant's ledger", arguments: StoreKind.allCases)
    func responseByUpstreamID(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let first = Fixtures.hold("h1", tenant: "acme")
            let second = Fixtures.hold("h2", tenant: "acme", createdAt: 200)
            let foreign = Fixtures.hold("h3", tenant: "globex")
            for hold in [first, second, foreign] { try await store.recordHold(hold) }
            var older = Fixtures.entry(for: first, cost: .microdollars(10))
            older.upstreamID = "resp_shared"
            var newer = Fixtures.entry(for: second, cost: .microdollars(20), startedAt: 200)
            newer.upstreamID = "resp_shared"
            newer.usage = TokenUsage(input: 900, output: 80)
            var theirs = Fixtures.entry(for: foreign, cost: .microdollars(30))
            theirs.upstreamID = "resp_globex"
            for entry in [older, newer, theirs] { try await store.settle(entry) }

            #expect(try await store.ledgerEntry(upstreamID: "resp_shared", tenantID: "acme") == newer)
            #expect(try await store.ledgerEntry(upstreamID: "resp_globex", tenantID: "globex") == theirs)
            #expect(try await store.ledgerEntry(upstreamID: "resp_globex", tenantID: "acme") == nil)
            #expect(try await store.ledgerEntry(upstreamID: "resp_shared", tenantID: "globex") == nil)
            #expect(try await store.ledgerEntry(upstreamID: "resp_unknown", tenantID: "acme") == nil)
        }
    }
}
