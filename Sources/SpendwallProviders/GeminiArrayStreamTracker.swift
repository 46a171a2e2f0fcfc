public import NIOCore
public import SpendwallCore

/// Follows a Gemini `streamGenerateContent` response sent without `alt=sse`: one JSON array whose
/// elements are `GenerateContentResponse` objects, streamed as they are generated.
///
/// Each element is buffered (up to ``maximumElementBytes``) until it closes, then read like an SSE
/// chunk; only the current element is kept, so memory stays bounded however long the stream is.
///
/// ```swift
/// var tracker = GeminiArrayStreamTracker()
/// for try await chunk in upstream { tracker.observe(chunk); try await writer.write(chunk) }
/// tracker.finish()
/// settle(tracker.usage)
/// ```
public struct GeminiArrayStreamTracker: Sendable {
    /// Elements larger than this are skipped (their usage is not read).
    public static let maximumElementBytes = 16 * 1024 * 1024

    private var state = StreamUsageTracker(endpoint: .geminiStreamGenerateContent)
    private var splitter = JSONArraySplitter(maximumElementBytes: maximumElementBytes)

    /// Creates a tracker at the start of a stream.
    public init() {}

    /// The last `usageMetadata` seen, normalised.
    public var usage: TokenUsage? { state.usage }
    /// The response's `responseId`.
    public var responseID: String? { state.responseID }
    /// The `modelVersion` the provider reports.
    public var model: String? { state.model }
    /// UTF-8 bytes of generated text seen so far.
    public var streamedOutputBytes: Int64 { state.streamedOutputBytes }
    /// Whether an element with a finish reason (or a blocked prompt) arrived.
    public var sawTerminalEvent: Bool { state.sawTerminalEvent }
    /// The provider's error, when an element was an error object.
    public var upstreamError: String? { state.upstreamError }
    /// Whether the array was closed (`]`) or elements were skipped for size.
    public var sawEndOfArray: Bool { splitter.sawEnd }
    /// How many elements were too large to read.
    public var skippedElements: Int { splitter.skippedElements }
    /// Bytes of the element still open at the end of what was observed (0 between elements).
    public var unfinishedElementBytes: Int { splitter.unfinishedElementBytes }
    /// The last byte outside the elements (`[`, `,`, an element's closing byte, the final `]`).
    public var lastTopLevelByte: UInt8? { splitter.lastTopLevelByte }

    /// Reads received bytes; forward them to the client unchanged.
    public mutating func observe(_ chunk: ByteBuffer) {
        var elements: [[UInt8]] = []
        chunk.withUnsafeReadableBytes { bytes in splitter.append(bytes) { elements.append($0) } }
        for element in elements {
            element.withUnsafeBytes { state.observeGemini($0) }
        }
    }

    /// Ends the stream. An unfinished element is discarded.
    public mutating func finish() {
        splitter.reset()
    }
}
