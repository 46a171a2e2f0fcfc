import SpendwallCore
import Synchronization

extension InMemoryStore {
    /// Adds a tenant admin token; `.duplicate` if its id or secret hash exists.
    public func insertAdminToken(_ token: AdminTokenRecord) async throws {
        try state.withLock { state in
            guard state.adminTokens[token.id] == nil, !state.adminTokens.values.contains(where: { $0.secretHash == token.secretHash }) else {
                throw StoreError(.duplicate, "an admin token with id '\(token.id)' or the same secret already exists")
            }
            state.adminTokens[token.id] = token
        }
    }

    /// Replaces the token with id `token.id`; `.notFound` if there is none.
    public func updateAdminToken(_ token: AdminTokenRecord) async throws {
        try state.withLock { state in
            guard state.adminTokens[token.id] != nil else { throw StoreError(.notFound, "no admin token with id '\(token.id)'") }
            state.adminTokens[token.id] = token
        }
    }

    /// Tenant admin tokens of one tenant (or all), oldest first.
    public func adminTokens(tenantID: String?) async throws -> [AdminTokenRecord] {
        state.withLock { state in
            Self.ordered(state.adminTokens.values.filter { tenantID == nil || $0.tenantID == tenantID }, \.createdAt, \.id)
        }
    }

    /// The newest ledger row of the tenant with this provider response id.
    public func ledgerEntry(upstreamID: String, tenantID: String) async throws -> LedgerEntry? {
        state.withLock { state in
            state.ledger.last { $0.upstreamID == upstreamID && $0.tenantID == tenantID }
        }
    }
}
