import SpendwallCore
import SpendwallStorage
import Synchronization

/// The streams being relayed right now, by the scopes they belong to, so a kill switch can end
/// them at once instead of letting them run to their end.
///
/// A relay registers with a `cut` action (end the upstream body; the relay then sends its final
/// error event and settles) and unregisters when it is done. Blocking a scope calls the action of
/// every registered stream of that scope, outside the lock.
public final class LiveStreams: Sendable {
    public struct Registration: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private struct Entry {
        var tenantID: String
        var scopes: [Scope]
        var cut: @Sendable (BlockRecord) -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Registers a stream of `key`'s tenant, team, user and key.
    public func register(key: KeyRecord, cut: @escaping @Sendable (BlockRecord) -> Void) -> Registration {
        let entry = Entry(tenantID: key.tenantID, scopes: Directory.blockableScopes(of: key), cut: cut)
        return state.withLock { state in
            state.nextID += 1
            state.entries[state.nextID] = entry
            return Registration(id: state.nextID)
        }
    }

    public func unregister(_ registration: Registration) {
        _ = state.withLock { $0.entries.removeValue(forKey: registration.id) }
    }

    /// Cuts every registered stream the block covers; returns how many.
    @discardableResult
    public func cut(covering block: BlockRecord) -> Int {
        let cuts = state.withLock { state in
            state.entries.values.filter { $0.tenantID == block.tenantID && $0.scopes.contains(block.scope) }.map(\.cut)
        }
        for cut in cuts { cut(block) }
        return cuts.count
    }

    /// Streams being relayed now.
    public var count: Int { state.withLock { $0.entries.count } }
}
