public import SpendwallCore

/// Running totals of the calls made to one model since the last reset.
public struct SimulatedUsageTotals: Sendable, Hashable, Codable {
    /// Calls recorded, whatever their outcome.
    public var calls: Int
    /// Calls answered in full.
    public var completedCalls: Int
    /// Sum of the reported usage.
    public var usage: TokenUsage

    /// Creates totals.
    public init(calls: Int = 0, completedCalls: Int = 0, usage: TokenUsage = .zero) {
        self.calls = calls
        self.completedCalls = completedCalls
        self.usage = usage
    }

    /// Adds one call.
    mutating func add(_ call: SimulatedCall) {
        calls += 1
        if call.completed { completedCalls += 1 }
        usage.input += call.usage.input
        usage.cachedInput += call.usage.cachedInput
        usage.cacheWrite += call.usage.cacheWrite
        usage.extendedCacheWrite += call.usage.extendedCacheWrite
        usage.output += call.usage.output
        usage.reasoning += call.usage.reasoning
        usage.audioInput += call.usage.audioInput
        usage.audioOutput += call.usage.audioOutput
    }
}
