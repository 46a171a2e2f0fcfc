/// Why a measurement window is refused, with a stable code.
public struct MeasureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes for the CLI and for JSON consumers.
    public enum Code: String, Sendable, Hashable {
        /// A scrape is not valid Prometheus text.
        case invalidExposition = "invalid_exposition"
        /// No vLLM, SGLang or TGI metric is present.
        case noKnownEngine = "no_known_engine"
        /// A scrape came from a different engine than the first one.
        case engineChanged = "engine_changed"
        /// A scrape's time is not after the previous scrape's.
        case timeNotIncreasing = "time_not_increasing"
        /// A tracked counter or histogram series decreased between two scrapes.
        case counterReset = "counter_reset"
        /// The engine restarted inside the window (process start time, counter creation time or
        /// configuration info changed).
        case engineRestarted = "engine_restarted"
        /// Fewer than two scrapes.
        case tooFewScrapes = "too_few_scrapes"
    }

    /// What went wrong.
    public var code: Code
    /// A human explanation naming the metric involved.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
