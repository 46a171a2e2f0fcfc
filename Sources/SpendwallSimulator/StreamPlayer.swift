import Hummingbird
import NIOCore

/// Thrown inside a response body to drop the connection mid-stream (the `break-after` fault).
struct SimulatedStreamBreak: Error {}

/// Writes a ``StreamScript`` as a streaming response body: paced by the configured delays, cut by
/// faults, and recorded in the call log just before its last bytes go out (so a client that has
/// read the whole stream always finds the call logged).
struct StreamPlayer: Sendable {
    var interChunkDelay: Duration
    var fault: SimulatorFault?
    /// Records the call: (completed, visible words sent) → log index.
    var record: @Sendable (_ completed: Bool, _ wordsSent: Int) -> Int
    /// Marks a call recorded as completed as broken after all.
    var markBroken: @Sendable (_ index: Int) -> Void

    /// Coalesced writes are flushed once this many bytes are pending.
    private static let flushThreshold = 16 * 1024

    func body(_ script: some StreamScript) -> ResponseBody {
        ResponseBody { writer in
            var script = script
            var pending = ByteBuffer()
            // Words count as sent once written: a client that leaves during a pause never got
            // (and a real provider stops before generating) the frame still pending.
            var pendingWords = 0
            var contentSent = 0
            var wordsSent = 0
            let paced = interChunkDelay != .zero
            let cutAfter = fault?.contentChunkLimit
            var recorded = false
            do {
                while let frame = script.nextFrame() {
                    if let cutAfter, frame.role == .final || (frame.role == .content && contentSent >= cutAfter) {
                        if pending.readableBytes > 0 { try await writer.write(pending) }
                        wordsSent += pendingWords
                        _ = record(false, wordsSent)
                        recorded = true
                        if case .breakAfter = fault { throw SimulatedStreamBreak() }
                        try await writer.finish(nil)
                        return
                    }
                    // Hold back the newest frame so the call is logged before the last one is written.
                    if paced, pending.readableBytes > 0 {
                        try await writer.write(pending)
                        pending.clear()
                        wordsSent += pendingWords
                        pendingWords = 0
                        try await Task.sleep(for: interChunkDelay)
                    } else if pending.readableBytes >= Self.flushThreshold {
                        try await writer.write(pending)
                        pending.clear()
                        wordsSent += pendingWords
                        pendingWords = 0
                    }
                    pending.writeString(frame.text)
                    pendingWords += frame.words
                    if frame.role == .content { contentSent += 1 }
                }
                let index = record(true, wordsSent + pendingWords)
                recorded = true
                do {
                    if pending.readableBytes > 0 { try await writer.write(pending) }
                    try await writer.finish(nil)
                } catch {
                    markBroken(index)
                    throw error
                }
            } catch {
                // The client went away (or the server is shutting down) mid-stream.
                if !recorded { _ = record(false, wordsSent) }
                throw error
            }
        }
    }
}
