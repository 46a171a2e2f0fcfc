import SpendwallCore

/// What the GPU machine costs: an hourly rate in US dollars and what the rate covers.
///
/// ```swift
/// let basis = try GPUCostBasis(rateText: "2.49", basis: .perGPU, gpuCount: 8)
/// basis.machineRatePerHour   // $19.92
/// ```
public struct GPUCostBasis: Sendable, Hashable {
    /// What one unit of the quoted rate pays for.
    public enum RateBasis: String, Sendable, Hashable, Codable, CaseIterable {
        /// The rate is for the whole machine.
        case instance
        /// The rate is per GPU; the machine costs it times the GPU count.
        case perGPU = "per-gpu"
    }

    /// Why a rate or GPU count is refused, completing "… is …" or "… must …".
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        /// The reason.
        public var reason: String
        /// The reason.
        public var description: String { reason }
    }

    /// The quoted rate per hour.
    public var ratePerHour: Money
    /// What the quoted rate covers.
    public var basis: RateBasis
    /// GPUs in the machine.
    public var gpuCount: Int

    /// Creates a basis from an exact amount.
    public init(ratePerHour: Money, basis: RateBasis, gpuCount: Int = 1) {
        self.ratePerHour = ratePerHour
        self.basis = basis
        self.gpuCount = gpuCount
    }

    /// Parses a rate written as decimal dollars per hour (`"2.49"`, `"$0.85"`; at most nine
    /// decimals; never through floating point).
    public init(rateText: String, basis: RateBasis, gpuCount: Int = 1) throws(Invalid) {
        guard let rate = Money(dollarString: rateText) else {
            throw Invalid(reason: "the GPU rate \"\(rateText)\" is not a dollar amount such as 2.49")
        }
        guard rate.nanodollars >= 0 else { throw Invalid(reason: "the GPU rate must not be negative") }
        guard gpuCount >= 1 else { throw Invalid(reason: "the GPU count must be at least 1") }
        self.init(ratePerHour: rate, basis: basis, gpuCount: gpuCount)
    }

    /// What the whole machine costs per hour: the rate, times the GPU count for ``RateBasis/perGPU``.
    public var machineRatePerHour: Money {
        basis == .perGPU ? ratePerHour * Int64(gpuCount) : ratePerHour
    }

    /// The machine's cost over `duration`: rate × seconds ÷ 3600, computed in 128-bit integers from
    /// whole nanoseconds and rounded half up to the nano-dollar.
    public func cost(over duration: Duration) -> Money {
        Self.cost(ratePerHour: machineRatePerHour, nanoseconds: duration.wholeNanoseconds, divisor: 1)
    }

    /// `ratePerHour × nanoseconds ÷ (3600 × 10⁹ × divisor)`, rounded half up to the nano-dollar.
    static func cost(ratePerHour: Money, nanoseconds: Int128, divisor: Int128) -> Money {
        let numerator = Int128(ratePerHour.nanodollars) * nanoseconds
        return Money(nanodollars: dividedRoundingHalfUp(numerator, by: 3_600_000_000_000 * divisor))
    }
}

/// `numerator ÷ denominator` for a positive denominator, rounded half up (away from zero for
/// non-negative numerators) and clamped to `Int64`.
func dividedRoundingHalfUp(_ numerator: Int128, by denominator: Int128) -> Int64 {
    let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
    var rounded = quotient
    if remainder >= 0, remainder * 2 >= denominator { rounded += 1 }
    if remainder < 0, -remainder * 2 > denominator { rounded -= 1 }
    return Int64(clamping: rounded)
}

extension Duration {
    /// The duration in whole nanoseconds (sub-nanosecond parts dropped).
    var wholeNanoseconds: Int128 {
        let (seconds, attoseconds) = components
        return Int128(seconds) * 1_000_000_000 + Int128(attoseconds / 1_000_000_000)
    }

    /// The duration in seconds, as a floating-point number (for rates, never for money).
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
