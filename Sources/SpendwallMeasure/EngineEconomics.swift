import SpendwallCore

/// The economics of a self-hosted inference engine over one measured window, as read from its
/// `/metrics` endpoint. Every quantity the engine does not expose, or that cannot be computed, is
/// `nil` (JSON `null`), never zero.
///
/// Money is exact (nano-dollars); rates and latencies are floating point.
public struct EngineEconomics: Sendable, Hashable {
    /// The endpoint measured, as the caller named it.
    public var endpoint: String?
    /// The engine detected from the metric names.
    public var engine: InferenceEngine
    /// Scrapes in the window.
    public var scrapeCount: Int
    /// From the first scrape to the last, seconds.
    public var windowSeconds: Double

    /// Seconds with requests running, by the rule in ``MetricsWindow``; `nil` without the gauge.
    public var busySeconds: Double?
    /// busySeconds ÷ windowSeconds.
    public var busyFraction: Double?

    /// Prompt tokens processed in the window.
    public var promptTokens: Int64?
    /// Tokens generated in the window.
    public var generationTokens: Int64?
    /// Prompt plus generated; `nil` when either is unknown.
    public var totalTokens: Int64?
    /// totalTokens ÷ windowSeconds.
    public var tokensPerSecond: Double?
    /// totalTokens ÷ busySeconds: the measured capacity.
    public var tokensPerBusySecond: Double?

    /// The histogram family the TTFT percentiles come from.
    public var timeToFirstTokenMetric: String?
    /// Time to first token over the window, seconds.
    public var timeToFirstToken: LatencyPercentiles
    /// The histogram family the time-per-output-token percentiles come from.
    public var timePerOutputTokenMetric: String?
    /// Time per output token over the window, seconds.
    public var timePerOutputToken: LatencyPercentiles

    /// The GPU rate as quoted.
    public var gpuRatePerHour: Money?
    /// What the quoted rate covers.
    public var gpuRateBasis: GPUCostBasis.RateBasis?
    /// GPUs in the machine.
    public var gpuCount: Int?
    /// What the whole machine costs per hour.
    public var machineRatePerHour: Money?
    /// The machine's cost over the whole window, idle time included.
    public var windowCost: Money?
    /// The machine's cost over the busy time only.
    public var activeCost: Money?
    /// windowCost per million tokens served (allocated cost).
    public var allocatedCostPerMillionTokens: Money?
    /// activeCost per million tokens served.
    public var activeCostPerMillionTokens: Money?

    /// The API model compared with.
    public var compareModel: String?
    /// What the API would have billed for the window's tokens (rounded up to the nano-dollar).
    public var apiCost: Money?
    /// apiCost − windowCost: positive when the machine was cheaper over this window.
    public var apiCostMinusWindowCost: Money?
    /// When the machine costs the same as the API.
    public var breakEven: BreakEvenAnalysis?

    /// GPU telemetry averaged over the window, if the caller read it.
    public var gpuTelemetry: GPUTelemetryAverage?

    /// Creates a result with only the window's identity; the rest unknown.
    public init(endpoint: String?, engine: InferenceEngine, scrapeCount: Int, windowSeconds: Double) {
        self.endpoint = endpoint
        self.engine = engine
        self.scrapeCount = scrapeCount
        self.windowSeconds = windowSeconds
        self.timeToFirstToken = .unknown
        self.timePerOutputToken = .unknown
    }
}
