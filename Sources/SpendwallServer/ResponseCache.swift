import Crypto
import Foundation
import NIOCore
import SpendwallCore
import SpendwallProviders
import Synchronization

/// The exact response cache: successful non-streaming answers, keyed by the tenant, the scope
/// whose policy turned caching on, the endpoint and the forwarded request normalized (JSON with
/// sorted keys and no insignificant whitespace), kept for the policy's TTL. In memory, per
/// gateway process, at most `capacityBytes` of answers (the oldest entries go first).
final class ResponseCache: Sendable {
    struct Entry: Sendable {
        var body: ByteBuffer
        var contentType: String
        var usage: TokenUsage
        /// What the answer cost when it was generated: what each hit saves.
        var cost: Money
        var upstreamID: String?
        var expiresAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Keys oldest first, for eviction.
        var order: [String] = []
        var bytes = 0
    }

    private let state = Mutex(State())
    let capacityBytes: Int

    init(capacityBytes: Int = 64 * 1024 * 1024) {
        self.capacityBytes = capacityBytes
    }

    /// The key of a request, or nil when its body is not a JSON object.
    static func key(tenantID: String, scope: Scope, endpoint: Endpoint, pathModel: String?, body: ByteBuffer) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let normalized = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        var hash = SHA256()
        for part in [tenantID, scope.description, endpoint.rawValue, pathModel ?? ""] {
            hash.update(data: Data(part.utf8))
            hash.update(data: [0])
        }
        hash.update(data: normalized)
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    func lookup(_ key: String) -> Entry? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard entry.expiresAt > now else {
                state.entries[key] = nil
                state.bytes -= entry.body.readableBytes
                return nil
            }
            return entry
        }
    }

    func store(_ entry: Entry, key: String) {
        guard entry.body.readableBytes <= capacityBytes / 4 else { return }
        state.withLock { state in
            if let old = state.entries.updateValue(entry, forKey: key) {
                state.bytes -= old.body.readableBytes
            } else {
                state.order.append(key)
            }
            state.bytes += entry.body.readableBytes
            while state.bytes > capacityBytes, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                if let evicted = state.entries.removeValue(forKey: oldest) { state.bytes -= evicted.body.readableBytes }
            }
            // Keys of entries dropped on expiry stay in `order` until they reach the front.
            if state.order.count > 4 * max(1, state.entries.count) + 1024 {
                state.order.removeAll { state.entries[$0] == nil }
            }
        }
    }
}

/// Where one request's answer is cached: its key, for how long.
struct CacheSlot: Sendable {
    var key: String
    var ttl: Duration
}
