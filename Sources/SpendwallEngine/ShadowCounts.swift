import Synchronization

/// How often each rule in shadow mode would have refused a request, by rule name
/// (`budget:team-research-monthly`, `requests_per_minute@team:research`), since start.
public final class ShadowCounts: Sendable {
    private let counts = Mutex<[String: Int64]>([:])

    public init() {}

    func record(_ rule: String) {
        counts.withLock { $0[rule, default: 0] += 1 }
    }

    /// The counts so far.
    public var snapshot: [String: Int64] { counts.withLock { $0 } }
}
