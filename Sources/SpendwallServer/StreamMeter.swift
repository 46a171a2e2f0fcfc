import NIOCore
import SpendwallCore
import SpendwallProviders

/// Watches a streamed response as it passes through: frames SSE events, tracks usage, and
/// decides what the client sees (everything, except the usage chunk the gateway asked for on the
/// client's behalf). When nothing is hidden, chunks are forwarded as received.
struct StreamMeter {
    private var framer = SSEFramer()
    private var tracker: StreamUsageTracker
    private var arrayTracker: GeminiArrayStreamTracker?
    private let hideUsageChunk: Bool

    init(endpoint: Endpoint, hideUsageChunk: Bool, jsonArray: Bool) {
        self.tracker = StreamUsageTracker(endpoint: endpoint, hideUsageChunk: hideUsageChunk)
        self.arrayTracker = jsonArray ? GeminiArrayStreamTracker() : nil
        self.hideUsageChunk = hideUsageChunk
    }

    /// Returns the bytes to send to the client for this upstream chunk.
    mutating func consume(_ chunk: ByteBuffer) -> ByteBuffer {
        if arrayTracker != nil {
            arrayTracker?.observe(chunk)
            return chunk
        }
        let events = framer.append(chunk)
        if !hideUsageChunk {
            for event in events { _ = tracker.observe(event) }
            return chunk
        }
        var outgoing = ByteBuffer()
        for event in events where tracker.observe(event) == .forward {
            var raw = event.raw
            outgoing.writeBuffer(&raw)
        }
        return outgoing
    }

    /// Returns what is left to send when the upstream body ends.
    mutating func finish() -> ByteBuffer {
        if arrayTracker != nil {
            arrayTracker?.finish()
            return ByteBuffer()
        }
        var outgoing = ByteBuffer()
        for event in framer.finish() {
            // Without hiding, these bytes already went out with their chunk.
            if tracker.observe(event) == .forward && hideUsageChunk {
                var raw = event.raw
                outgoing.writeBuffer(&raw)
            }
        }
        return outgoing
    }

    /// The latest usage the provider reported; final only when `sawTerminalEvent`.
    var usage: TokenUsage? { arrayTracker?.usage ?? tracker.usage }
    /// True once the stream's closing event arrived (`[DONE]`, `message_stop`, …).
    var sawTerminalEvent: Bool { arrayTracker?.sawTerminalEvent ?? tracker.sawTerminalEvent }
    var responseID: String? { arrayTracker?.responseID ?? tracker.responseID }
    /// The processing tier the provider reports (OpenAI only).
    var serviceTier: String? { tracker.serviceTier }
    var streamedOutputBytes: Int64 { arrayTracker?.streamedOutputBytes ?? tracker.streamedOutputBytes }
}
