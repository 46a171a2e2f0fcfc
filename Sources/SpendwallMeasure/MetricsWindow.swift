import SpendwallCore

/// Scrapes of one engine's `/metrics` over a measurement window, reduced to what the economics
/// need. Pure: the caller fetches the text and reads the clock.
///
/// Busy time rule: each interval between consecutive scrapes contributes its real duration times
/// the mean of two flags, "requests were running (> 0) at the interval's start" and "… at its end".
/// An interval busy at both ends counts fully, at one end half, at neither not at all, so scrapes
/// taken at uneven spacing weigh by time, not by count. Without the running-requests gauge in every
/// scrape the busy time is unknown.
///
/// ```swift
/// var window = MetricsWindow()
/// try window.add(firstBody, at: .zero)
/// try window.add(lastBody, at: .seconds(60))
/// let result = try window.economics(endpoint: url, gpuCost: basis, compare: price)
/// print(result.renderText())
/// ```
public struct MetricsWindow: Sendable {
    private var first: EngineReading?
    private var last: EngineReading?
    /// Σ (flag at start + flag at end) × interval nanoseconds: twice the busy nanoseconds.
    private var busyHalfNanoseconds: Int128 = 0
    private var runningKnownThroughout = true

    /// Scrapes accepted so far.
    public private(set) var scrapeCount = 0

    /// An empty window.
    public init() {}

    /// Parses and adds a scrape taken at `time` (monotonic, since the measurement started).
    /// On error the window is unchanged.
    public mutating func add(_ text: String, at time: Duration) throws(MeasureError) {
        let metrics: MetricSet
        do {
            metrics = try PrometheusText.parse(text)
        } catch {
            throw MeasureError(.invalidExposition, "the /metrics response is not Prometheus text: \(error)")
        }
        try add(metrics, at: time)
    }

    /// Adds an already parsed scrape taken at `time`. On error the window is unchanged.
    public mutating func add(_ metrics: MetricSet, at time: Duration) throws(MeasureError) {
        let reading = try EngineReading(metrics: metrics, at: time)
        if let last {
            try reading.validate(after: last)
            if let before = last.runningRequests, let now = reading.runningRequests {
                let flags = Int128((before > 0 ? 1 : 0) + (now > 0 ? 1 : 0))
                busyHalfNanoseconds += flags * (reading.time - last.time).wholeNanoseconds
            } else {
                runningKnownThroughout = false
            }
        } else {
            first = reading
            runningKnownThroughout = reading.runningRequests != nil
        }
        last = reading
        scrapeCount += 1
    }

    /// The window's economics. `gpuCost` and `compare` are optional; without them the money
    /// fields are `nil`.
    public func economics(
        endpoint: String? = nil, gpuCost: GPUCostBasis?, compare: ComparePrice?, gpuTelemetry: GPUTelemetryAverage? = nil
    ) throws(MeasureError) -> EngineEconomics {
        guard let first, let last, scrapeCount >= 2 else {
            throw MeasureError(.tooFewScrapes, "a window needs at least 2 scrapes (got \(scrapeCount))")
        }
        let window = last.time - first.time
        var result = EngineEconomics(endpoint: endpoint, engine: last.engine, scrapeCount: scrapeCount, windowSeconds: window.seconds)

        if runningKnownThroughout {
            result.busySeconds = Double(busyHalfNanoseconds) / 2e9
            result.busyFraction = Double(busyHalfNanoseconds) / (2 * Double(window.wholeNanoseconds))
        }

        result.promptTokens = Self.delta(first.promptTokens, last.promptTokens)
        result.generationTokens = Self.delta(first.generationTokens, last.generationTokens)
        if let prompt = result.promptTokens, let generation = result.generationTokens {
            result.totalTokens = prompt + generation
        }
        if let total = result.totalTokens {
            result.tokensPerSecond = Double(total) / window.seconds
            if let busy = result.busySeconds, busy > 0 { result.tokensPerBusySecond = Double(total) / busy }
        }

        (result.timeToFirstTokenMetric, result.timeToFirstToken) = Self.percentiles(first.timeToFirstToken, last.timeToFirstToken)
        (result.timePerOutputTokenMetric, result.timePerOutputToken) = Self.percentiles(first.timePerOutputToken, last.timePerOutputToken)

        if let gpuCost {
            result.gpuRatePerHour = gpuCost.ratePerHour
            result.gpuRateBasis = gpuCost.basis
            result.gpuCount = gpuCost.gpuCount
            result.machineRatePerHour = gpuCost.machineRatePerHour
            let windowCost = gpuCost.cost(over: window)
            result.windowCost = windowCost
            if runningKnownThroughout {
                result.activeCost = GPUCostBasis.cost(ratePerHour: gpuCost.machineRatePerHour, nanoseconds: busyHalfNanoseconds, divisor: 2)
            }
            result.allocatedCostPerMillionTokens = Self.perMillion(windowCost, tokens: result.totalTokens)
            result.activeCostPerMillionTokens = result.activeCost.flatMap { Self.perMillion($0, tokens: result.totalTokens) }
        }

        if let compare, let prompt = result.promptTokens, let generation = result.generationTokens, let total = result.totalTokens {
            result.compareModel = compare.model
            let usage = TokenUsage(input: prompt, output: generation)
            let picodollars = CostCalculator.picodollars(usage, rates: compare.rates)
            let apiCost = CostCalculator.nanosRoundedUp(picodollars)
            result.apiCost = apiCost
            if let gpuCost {
                result.apiCostMinusWindowCost = apiCost - (result.windowCost ?? .zero)
                result.breakEven = BreakEvenAnalysis.make(
                    machineRatePerHour: gpuCost.machineRatePerHour, apiPicodollars: picodollars, tokens: total, busySeconds: result.busySeconds
                )
            }
        } else if let compare {
            result.compareModel = compare.model
        }
        result.gpuTelemetry = gpuTelemetry
        return result
    }

    /// later − earlier as whole tokens; `nil` when either is missing or the difference is not a
    /// whole non-negative number.
    private static func delta(_ earlier: Double?, _ later: Double?) -> Int64? {
        guard let earlier, let later else { return nil }
        let difference = (later - earlier).rounded()
        guard difference >= 0, let whole = Int64(exactly: difference) else { return nil }
        return whole
    }

    private static func percentiles(
        _ earlier: EngineReading.NamedHistogram?, _ later: EngineReading.NamedHistogram?
    ) -> (String?, LatencyPercentiles) {
        guard let later else { return (nil, .unknown) }
        guard let earlier, earlier.family == later.family else { return (later.family, .unknown) }
        return (later.family, later.snapshot.subtracting(earlier.snapshot).percentiles)
    }

    /// `cost × 10⁶ ÷ tokens`, rounded half up; `nil` without tokens.
    private static func perMillion(_ cost: Money, tokens: Int64?) -> Money? {
        guard let tokens, tokens > 0 else { return nil }
        return Money(nanodollars: dividedRoundingHalfUp(Int128(cost.nanodollars) * 1_000_000, by: Int128(tokens)))
    }
}
