/// One piece of a simulated stream: a whole SSE event (or JSON-array element).
struct StreamFrame: Sendable {
    /// How a frame counts toward the `break-after` / `end-after` faults.
    enum Role: Sendable {
        /// Framing (`message_start`, role chunks, …): sent whatever the fault.
        case framing
        /// A content chunk: counts toward the fault's K.
        case content
        /// A final event (finish reason, usage, `[DONE]`, …): a cut stream never sends it.
        case final
    }

    var text: String
    var role: Role
    /// Visible output words this frame carries.
    var words: Int

    init(_ text: String, role: Role, words: Int = 0) {
        self.text = text
        self.role = role
        self.words = words
    }
}

/// A dialect's stream, produced frame by frame as it is written.
protocol StreamScript: Sendable {
    /// The next frame, or nil at the end of the stream.
    mutating func nextFrame() -> StreamFrame?
}
