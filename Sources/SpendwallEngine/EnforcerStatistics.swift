/// Counters the enforcer keeps since start.
public struct EnforcerStatistics: Sendable, Hashable, Codable {
    public var reserved: Int64 = 0
    public var refused: Int64 = 0
    public var settled: Int64 = 0
    public var estimated: Int64 = 0
    public var expired: Int64 = 0
    /// Settlements whose price-table cost beat the hold: a pricing bound bug.
    public var overHold: Int64 = 0
    public var storageFailures: Int64 = 0
    /// Requests admitted without the shared store while it could not be reached (fail-open).
    public var admittedFailOpen: Int64 = 0
    /// Requests answered from the response cache.
    public var cacheHits: Int64 = 0

    public init() {}
}
