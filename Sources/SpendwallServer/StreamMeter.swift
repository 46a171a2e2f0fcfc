import NIOCore
import SpendwallCore
import SpendwallProviders

/// Watches a streamed response as it passes through: frames SSE events, tracks usage, and
/// decides what the client sees (everything, except the usage chunk the gateway asked for on the
/// client's behalf).
///
/// Only whole events (whole elements of a Gemini JSON-array stream) go out: the bytes of one not
/// yet complete wait for the rest, so a stream the gateway cuts can always end with a well-formed
/// error event. When a chunk holds whole events and nothing is hidden, it is forwarded as
/// received.
struct StreamMeter {
    private var framer = SSEFramer()
    private var tracker: StreamUsageTracker
    private var arrayTracker: GeminiArrayStreamTracker?
    /// JSON-array bytes received but not sent: the start of an element still open.
    private var heldBack = ByteBuffer()
    private let hideUsageChunk: Bool
    private let endpoint: Endpoint
    /// Events sent to the client so far.
    private(set) var eventsSent = 0

    init(endpoint: Endpoint, hideUsageChunk: Bool, jsonArray: Bool) {
        self.tracker = StreamUsageTracker(endpoint: endpoint, hideUsageChunk: hideUsageChunk)
        self.arrayTracker = jsonArray ? GeminiArrayStreamTracker() : nil
        self.hideUsageChunk = hideUsageChunk
        self.endpoint = endpoint
    }

    /// Returns the bytes to send to the client for this upstream chunk.
    mutating func consume(_ chunk: ByteBuffer) -> ByteBuffer {
        if arrayTracker != nil {
            return consumeArray(chunk)
        }
        let completesWholeEvents = !framer.hasPendingBytes
        let events = framer.append(chunk)
        if !hideUsageChunk && completesWholeEvents && !framer.hasPendingBytes {
            for event in events { _ = tracker.observe(event) }
            eventsSent += events.count
            return chunk
        }
        var outgoing = ByteBuffer()
        for event in events where tracker.observe(event) == .forward || !hideUsageChunk {
            var raw = event.raw
            outgoing.writeBuffer(&raw)
            eventsSent += 1
        }
        return outgoing
    }

    private mutating func consumeArray(_ chunk: ByteBuffer) -> ByteBuffer {
        arrayTracker!.observe(chunk)
        let open = arrayTracker!.unfinishedElementBytes
        if heldBack.readableBytes == 0 && open == 0 { return chunk }
        heldBack.writeImmutableBuffer(chunk)
        let ready = heldBack.readSlice(length: max(0, heldBack.readableBytes - open)) ?? ByteBuffer()
        heldBack.discardReadBytes()
        return ready
    }

    /// Returns what is left to send when the upstream body ends.
    mutating func finish() -> ByteBuffer {
        if arrayTracker != nil {
            arrayTracker?.finish()
            defer { heldBack = ByteBuffer() }
            return heldBack
        }
        var outgoing = ByteBuffer()
        for event in framer.finish() where tracker.observe(event) == .forward || !hideUsageChunk {
            var raw = event.raw
            outgoing.writeBuffer(&raw)
            eventsSent += 1
        }
        return outgoing
    }

    /// The bytes that end a stream the gateway cuts: its error event (for a JSON array, the
    /// error element and the closing `]`). Bytes of an unfinished event are dropped.
    mutating func cut(status: Int, type: String, message: String, extra: [String: String]) -> ByteBuffer {
        guard let arrayTracker else {
            _ = framer.finish()
            eventsSent += 1
            return StreamErrorEvent.make(
                endpoint: endpoint, status: status, type: type, message: message, extra: extra, sequenceNumber: eventsSent - 1
            )
        }
        heldBack = ByteBuffer()
        var element = StreamErrorEvent.arrayElement(status: status, type: type, message: message, extra: extra)
        var outgoing = ByteBuffer()
        switch arrayTracker.lastTopLevelByte {
        case nil: outgoing.writeString("[")
        case UInt8(ascii: "["), UInt8(ascii: ","): break
        case UInt8(ascii: "]") where arrayTracker.sawEndOfArray: return outgoing  // already complete
        default: outgoing.writeString(",")
        }
        outgoing.writeBuffer(&element)
        outgoing.writeString("]")
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
