import SpendwallCore

/// When the GPU machine costs the same as the API for the same tokens.
///
/// The API would bill the window's tokens at its input and output rates. At the measured
/// prompt:generation mix, one token costs the API `apiCost ÷ tokens` on average, so the machine
/// pays for itself at `machineRatePerHour ÷ that` tokens per hour. The machine can serve at most
/// its measured capacity, tokens per busy second × 3600, so break-even utilization is
/// needed ÷ capacity: reachable when at most 1.
public struct BreakEvenAnalysis: Sendable, Hashable {
    /// Tokens per hour at which GPU cost equals API cost; `nil` without tokens or when the API is free.
    public var neededTokensPerHour: Double?
    /// Tokens per hour the machine served while busy, × 3600; `nil` without busy time.
    public var capacityTokensPerHour: Double?
    /// needed ÷ capacity clamped to 0…1; `nil` when either is unknown.
    public var utilization: Double?
    /// True when needed ≤ capacity; `nil` when either is unknown.
    public var isReachable: Bool?

    /// Creates an analysis from its parts.
    public init(neededTokensPerHour: Double?, capacityTokensPerHour: Double?, utilization: Double?, isReachable: Bool?) {
        self.neededTokensPerHour = neededTokensPerHour
        self.capacityTokensPerHour = capacityTokensPerHour
        self.utilization = utilization
        self.isReachable = isReachable
    }

    /// Computes the analysis for a machine rate, the API cost of the window's tokens (in exact
    /// pico-dollars), the tokens, and the busy time (`nil` when unknown, 0 when never busy).
    public static func make(machineRatePerHour: Money, apiPicodollars: Int64, tokens: Int64, busySeconds: Double?) -> BreakEvenAnalysis {
        var needed: Double?
        if tokens > 0, apiPicodollars > 0 {
            let picodollarsPerToken = Double(apiPicodollars) / Double(tokens)
            needed = Double(machineRatePerHour.nanodollars) * 1_000 / picodollarsPerToken
        }
        var capacity: Double?
        if let busySeconds, busySeconds > 0 {
            capacity = Double(tokens) / busySeconds * 3_600
        }
        guard let capacity, capacity > 0 else {
            return BreakEvenAnalysis(neededTokensPerHour: needed, capacityTokensPerHour: capacity, utilization: nil, isReachable: nil)
        }
        if tokens > 0, apiPicodollars == 0 {
            // A free API is never beaten by a paid machine.
            return BreakEvenAnalysis(neededTokensPerHour: nil, capacityTokensPerHour: capacity, utilization: 1, isReachable: machineRatePerHour.nanodollars == 0)
        }
        guard let needed else {
            return BreakEvenAnalysis(neededTokensPerHour: nil, capacityTokensPerHour: capacity, utilization: nil, isReachable: nil)
        }
        let ratio = needed / capacity
        return BreakEvenAnalysis(
            neededTokensPerHour: needed, capacityTokensPerHour: capacity,
            utilization: min(max(ratio, 0), 1), isReachable: ratio <= 1
        )
    }
}
