import SpendwallCore
import SpendwallStorage
import Synchronization

/// What one request's handling learned that its span, metrics and refusal record need: the
/// upstream's share of its time (measured by the exchange), who and what it was for once known,
/// and why it was refused. One lock for all of it.
final class RequestFacts: Sendable {
    struct Caller: Sendable {
        var key: KeyRecord
        var tags: [String]
        var model: String
        var provider: ProviderKind
    }

    private struct State {
        var upstream: Duration?
        var caller: Caller?
        var refusal: String?
    }

    private let state = Mutex(State())

    func identify(key: KeyRecord, tags: [String], model: String, provider: ProviderKind) {
        state.withLock { $0.caller = Caller(key: key, tags: tags, model: model, provider: provider) }
    }

    var identified: Caller? { state.withLock { $0.caller } }

    func refused(_ reason: String) { state.withLock { $0.refusal = reason } }

    var refusal: String? { state.withLock { $0.refusal } }

    /// Adds time spent waiting for the upstream.
    func add(_ duration: Duration) {
        state.withLock { $0.upstream = ($0.upstream ?? .zero) + duration }
    }

    /// The upstream's share; nil when the request never went upstream.
    var total: Duration? { state.withLock { $0.upstream } }
}
