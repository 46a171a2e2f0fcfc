public import NIOCore

/// One server-sent event, with the exact bytes it arrived as.
public struct SSEEvent: Sendable, Hashable {
    /// The event's bytes as received, through its terminating blank line. Forwarding every event's
    /// `raw` in order reproduces the upstream stream byte for byte.
    public var raw: ByteBuffer
    /// The `event:` field, if any (`message_start`, `response.completed`).
    public var event: String?
    /// The `data:` lines joined by `"\n"`; empty for comments and keep-alives.
    public var data: String
    /// False only for trailing bytes that `SSEFramer.finish()` returned without a terminating
    /// blank line (the stream was cut, or the server omitted it).
    public var isComplete: Bool

    /// Creates an event.
    public init(raw: ByteBuffer, event: String? = nil, data: String = "", isComplete: Bool = true) {
        self.raw = raw
        self.event = event
        self.data = data
        self.isComplete = isComplete
    }

    /// True for an event that carries neither data nor a name, such as a `: keep-alive` comment.
    public var isKeepAlive: Bool { event == nil && data.isEmpty }
}
