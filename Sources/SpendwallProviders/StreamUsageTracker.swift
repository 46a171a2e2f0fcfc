public import SpendwallCore

/// Follows a streamed (SSE) response and collects its usage, id and progress, one event at a time.
///
/// ```swift
/// var tracker = StreamUsageTracker(endpoint: .openaiChatCompletions, hideUsageChunk: !peek.clientRequestedStreamUsage)
/// for event in framer.append(chunk) where tracker.observe(event) == .forward {
///     try await writer.write(event.raw)
/// }
/// // at the end: tracker.usage (settle), or tracker.streamedOutputBytes (estimate a broken stream)
/// ```
public struct StreamUsageTracker: Sendable {
    /// The endpoint whose stream this is.
    public let endpoint: Endpoint
    /// Whether the OpenAI chat usage chunk (`choices: []` with `usage`) is dropped, because the
    /// gateway injected `include_usage` and the client did not ask for it.
    public let hideUsageChunk: Bool

    /// The final usage once the stream reported it (Anthropic: `message_start` input and cache
    /// counts combined with the latest cumulative `message_delta` output; Gemini: the last
    /// `usageMetadata`). Nil until then.
    public internal(set) var usage: TokenUsage?
    /// The provider's response id (`chatcmpl-…`, `resp_…`, `msg_…`, Gemini `responseId`).
    public internal(set) var responseID: String?
    /// The model the provider reports (`model`, Gemini `modelVersion`).
    public internal(set) var model: String?
    /// The processing tier OpenAI reports (`service_tier` on chat chunks and Responses events).
    public internal(set) var serviceTier: String?
    /// UTF-8 bytes of generated text, refusals, reasoning and tool-call argument deltas seen so far,
    /// for estimating the output of a stream that broke before its usage arrived.
    public internal(set) var streamedOutputBytes: Int64 = 0
    /// Whether the stream's terminal event arrived: `[DONE]`, `message_stop`, `response.completed`
    /// (or `.incomplete` / `.failed`), or a Gemini chunk with a finish reason.
    public internal(set) var sawTerminalEvent = false
    /// The provider's error, as `type: message`, when the stream carried an error event.
    public internal(set) var upstreamError: String?

    /// Anthropic counts so far (`message_start` updated by each `message_delta`).
    var anthropicUsage: AnthropicUsage?

    /// Creates a tracker for a stream from `endpoint`.
    ///
    /// - Parameter hideUsageChunk: drop the OpenAI chat usage chunk (only meaningful for
    ///   `.openaiChatCompletions`).
    public init(endpoint: Endpoint, hideUsageChunk: Bool = false) {
        self.endpoint = endpoint
        self.hideUsageChunk = hideUsageChunk && endpoint == .openaiChatCompletions
    }

    /// Reads one event and says whether to forward it. Events that are not JSON, or not of a known
    /// shape, are forwarded untouched.
    public mutating func observe(_ event: SSEEvent) -> StreamDisposition {
        guard !event.data.isEmpty else { return .forward }
        switch endpoint {
        case .openaiChatCompletions:
            return observeChatCompletions(event)
        case .openaiResponses:
            observeResponses(event)
        case .anthropicMessages:
            observeAnthropic(event)
        case .geminiStreamGenerateContent, .geminiGenerateContent:
            observeGemini(event.data)
        case .openaiEmbeddings, .anthropicCountTokens:
            break
        }
        return .forward
    }

    /// The decoded UTF-8 length of the string `fields` of the object `member` of an event's JSON
    /// data (0 when it is not JSON or lacks them), read without decoding the event.
    static func deltaByteCount(_ data: String, member: String?, fields: [String]) -> Int {
        var data = data
        return data.withUTF8 { bytes in
            guard let root = JSONNode.object(UnsafeRawBufferPointer(bytes)) else { return 0 }
            guard let object = member.map({ root[$0] }) ?? root else { return 0 }
            return fields.reduce(0) { $0 + (object[$1]?.stringByteCount ?? 0) }
        }
    }

    mutating func addStreamedBytes(_ count: Int) {
        streamedOutputBytes = streamedOutputBytes.saturatingAdding(Int64(count))
    }
}
