import SpendwallCore
import SpendwallStorage

// The kill switch: block a tenant, team, user or key at once, and lift the block. Both are
// written with their audit entry in one transaction, then take effect in the directory (new
// requests are refused) and on the live streams of the scope (they are cut).
extension ControlPlane {
    /// What blocking did.
    public struct Blocked: Sendable, Codable {
        public var block: BlockRecord
        /// Streams of the scope that were being relayed and have been cut.
        public var streamsCut: Int
    }

    /// Blocks a scope: new requests get 403 `key_blocked` with the reason, and its streams in
    /// flight end now. `.conflict` if it is already blocked.
    public func block(_ scope: Scope, reason: String, actor: String) async throws -> Blocked {
        let (reason, actor) = try Self.auditFields(reason: reason, actor: actor)
        let tenantID = try await tenant(of: scope, purpose: "a kill switch blocks")
        let now = clock.nowMillis()
        let block = BlockRecord(tenantID: tenantID, scope: scope, reason: reason, actor: actor, blockedAt: now)
        let audit = AuditEntry(at: now, actor: actor, action: .block, tenantID: tenantID, scope: scope, reason: reason)
        do {
            try await store.insertBlock(block, audit: audit)
        } catch let error as StoreError where error.code == .duplicate {
            let existing = try await store.blocks(tenantID: tenantID).first { $0.scope == scope }
            let since = existing.map { " since \(ISOTime.format(millis: $0.blockedAt)) by \($0.actor): \($0.reason)" } ?? ""
            throw ConfigurationError(.conflict, "\(scope) is already blocked\(since)")
        }
        // Refuse new requests first, then cut the streams: a stream registered after the cut
        // checks the directory, which by then holds the block.
        try await reload()
        return Blocked(block: block, streamsCut: liveStreams.cut(covering: block))
    }

    /// Lifts a block; `.notFound` if the scope is not blocked. Returns the audit entry.
    public func unblock(_ scope: Scope, reason: String, actor: String) async throws -> AuditEntry {
        let (reason, actor) = try Self.auditFields(reason: reason, actor: actor)
        let tenantID = try await tenant(of: scope, purpose: "a kill switch blocks")
        let audit = AuditEntry(at: clock.nowMillis(), actor: actor, action: .unblock, tenantID: tenantID, scope: scope, reason: reason)
        do {
            try await store.deleteBlock(tenantID: tenantID, scope: scope, audit: audit)
        } catch let error as StoreError where error.code == .notFound {
            throw ConfigurationError(.notFound, "\(scope) is not blocked")
        }
        try await reload()
        return audit
    }

    /// The audit log needs a reason and an actor: both trimmed, 1–500 characters.
    private static func auditFields(reason: String, actor: String) throws(ConfigurationError) -> (String, String) {
        let reason = reason.trimmingWhitespace
        let actor = actor.trimmingWhitespace
        guard !reason.isEmpty, reason.count <= 500 else {
            throw ConfigurationError(.invalidValue, "a reason is required (1–500 characters): it goes into the audit log")
        }
        guard !actor.isEmpty, actor.count <= 200 else {
            throw ConfigurationError(.invalidValue, "who is acting is required (1–200 characters): it goes into the audit log")
        }
        return (reason, actor)
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
