import NIOCore
import SpendwallCore
import SpendwallProviders

/// Passes a streamed answer's bytes through unchanged while following its events for usage; the
/// call is settled when the stream ends, fails or is dropped (at the reported usage, else at
/// the hold).
enum MeteredStream {
    static func wrap<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, call: Meter.Call, meter: Meter, bytes convert: @escaping @Sendable (Chunks.Element) -> ByteBuffer
    ) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let (bytes, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let pump = Task {
            var framer = SSEFramer()
            var tracker = StreamUsageTracker(endpoint: call.route.endpoint)
            var failure: (any Error)?
            do {
                for try await element in chunks {
                    let chunk = convert(element)
                    for event in framer.append(chunk) { _ = tracker.observe(event) }
                    continuation.yield(chunk)
                }
                for event in framer.finish() { _ = tracker.observe(event) }
            } catch {
                failure = error
            }
            if let usage = tracker.usage {
                _ = try? await meter.finish(call.hold, usage: usage)
            } else {
                await meter.chargeHold(call.hold)
            }
            continuation.finish(throwing: failure)
        }
        continuation.onTermination = { _ in pump.cancel() }
        return bytes
    }

    /// Settles a whole (non-streamed) answer from its body.
    static func settle(body: ByteBuffer, status: Int, call: Meter.Call, meter: Meter) async throws {
        if let usage = UsageExtractor.fromResponseBody(body, endpoint: call.route.endpoint)?.usage {
            try await meter.finish(call.hold, usage: usage)
        } else if (200..<300).contains(status) {
            // A success without usage: what was generated is unknown, so the hold is charged.
            try await meter.finish(call.hold, usage: .zero, charge: call.hold.amount)
        } else {
            await meter.release(call.hold)
        }
    }
}
