public import SpendwallCore

/// Settings of a ``SimulatedProvider``; every field has a default.
///
/// ```swift
/// var config = SimulatorConfig()
/// config.interChunkDelay = .milliseconds(20)          // a slow, visible stream for the demo
/// config.expectedKeys = [.openai: "sk-upstream-test"]  // insist on the real upstream key
/// let simulator = SimulatedProvider(config: config)
/// ```
public struct SimulatorConfig: Sendable {
    /// Time to wait before answering any model call (before the response head). `.zero` never sleeps.
    public var firstByteDelay: Duration
    /// Time to wait between two streamed chunks. `.zero` never sleeps, and then consecutive
    /// chunks are coalesced into fewer socket writes (each chunk stays its own SSE event).
    public var interChunkDelay: Duration
    /// API keys each dialect must present (OpenAI `Authorization: Bearer`, Anthropic `x-api-key`,
    /// Gemini `x-goog-api-key` or `?key=`); a dialect missing from the map, or `nil`, accepts any key.
    /// Secret: never logged.
    public var expectedKeys: [ProviderKind: String]?
    /// Model-name prefixes that also report hidden reasoning tokens (half the visible output).
    public var reasoningModelPrefixes: [String]
    /// The longest a `hang` fault holds a request before answering 504.
    public var hangLimit: Duration
    /// Records kept in the call log; the oldest are dropped beyond this (the totals keep counting).
    public var callLogLimit: Int
    /// Largest request body accepted, in bytes.
    public var maxRequestBytes: Int

    /// Creates a configuration; every argument has a default.
    public init(
        firstByteDelay: Duration = .zero,
        interChunkDelay: Duration = .zero,
        expectedKeys: [ProviderKind: String]? = nil,
        reasoningModelPrefixes: [String] = ["o1", "o3", "o4", "gpt-5"],
        hangLimit: Duration = .seconds(60),
        callLogLimit: Int = 100_000,
        maxRequestBytes: Int = 32 * 1024 * 1024
    ) {
        self.firstByteDelay = firstByteDelay
        self.interChunkDelay = interChunkDelay
        self.expectedKeys = expectedKeys
        self.reasoningModelPrefixes = reasoningModelPrefixes
        self.hangLimit = hangLimit
        self.callLogLimit = callLogLimit
        self.maxRequestBytes = maxRequestBytes
    }

    /// Whether `model` reports reasoning tokens.
    func reportsReasoning(_ model: String) -> Bool {
        reasoningModelPrefixes.contains { model.hasPrefix($0) }
    }
}
