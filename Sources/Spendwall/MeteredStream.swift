import NIOCore
import SpendwallCore
import SpendwallProviders

/// Passes a streamed answer's bytes through unchanged while following its events for usage; the
/// call is settled when the stream ends, fails or is dropped (at the reported usage, else at
/// the hold).
enum MeteredStream {
    /// What a metered stream carries: each chunk with the events it completed, then how the call
    /// was settled.
    enum Item: Sendable {
        case chunk(ByteBuffer, events: [SSEEvent])
        case settled(usage: TokenUsage?, cost: Money)
    }

    /// Follows a streamed answer's events for usage and settles the call when the stream ends,
    /// fails or is dropped (at the reported usage, else at the hold).
    static func items<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, call: Meter.Call, meter: Meter, bytes convert: @escaping @Sendable (Chunks.Element) -> ByteBuffer
    ) -> AsyncThrowingStream<Item, any Error> {
        let (items, continuation) = AsyncThrowingStream<Item, any Error>.makeStream()
        let pump = Task {
            var framer = SSEFramer()
            var tracker = StreamUsageTracker(endpoint: call.route.endpoint)
            var failure: (any Error)?
            do {
                for try await element in chunks {
                    let chunk = convert(element)
                    let events = framer.append(chunk)
                    for event in events { _ = tracker.observe(event) }
                    continuation.yield(.chunk(chunk, events: events))
                }
                let rest = framer.finish()
                for event in rest { _ = tracker.observe(event) }
                if !rest.isEmpty { continuation.yield(.chunk(ByteBuffer(), events: rest)) }
            } catch {
                failure = error
            }
            let cost: Money
            if let usage = tracker.usage {
                cost = (try? await meter.finish(call.hold, usage: usage)) ?? .zero
            } else {
                cost = (try? await meter.finish(call.hold, usage: .zero, charge: call.hold.amount)) ?? .zero
            }
            continuation.yield(.settled(usage: tracker.usage, cost: cost))
            continuation.finish(throwing: failure)
        }
        continuation.onTermination = { _ in pump.cancel() }
        return items
    }

    /// The answer's bytes unchanged, metered as ``items(_:call:meter:bytes:)`` meters them.
    static func wrap<Chunks: AsyncSequence & Sendable>(
        _ chunks: Chunks, call: Meter.Call, meter: Meter, bytes convert: @escaping @Sendable (Chunks.Element) -> ByteBuffer
    ) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let items = items(chunks, call: call, meter: meter, bytes: convert)
        let (bytes, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let relay = Task {
            do {
                for try await item in items {
                    if case .chunk(let chunk, _) = item, chunk.readableBytes > 0 { continuation.yield(chunk) }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in relay.cancel() }
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
