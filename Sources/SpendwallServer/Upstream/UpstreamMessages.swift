import NIOCore
import NIOHTTP1

/// One request to a provider: always a complete body (the gateway has read and priced it).
struct UpstreamRequest: Sendable {
    var method: HTTPMethod = .POST
    /// Path and query, appended to the origin's base path.
    var target: String
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// When the response head must have arrived, if sooner than the request's deadline (the
    /// first-byte timeout of a routed request, so it can fail over).
    var firstByteDeadline: NIODeadline? = nil
}

/// A provider's response: the head as soon as it arrives, the body as it streams.
struct UpstreamResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: UpstreamBody
}

/// The response body, chunk by chunk as read from the connection, with backpressure: the
/// connection reads more only while the consumer keeps up. Abandoning it closes the connection.
struct UpstreamBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, UpstreamBodyDemand
    >

    let producer: Producer
    let demand: UpstreamBodyDemand

    func makeAsyncIterator() -> Producer.AsyncIterator { producer.makeAsyncIterator() }

    /// Ends the body now, from any thread: the reader's next `next()` throws `error` (after the
    /// chunks already buffered), and the connection closes.
    func abort(_ error: UpstreamError) {
        demand.abort(error)
    }

    /// The whole body; throws `UpstreamError` when it breaks off and `BodyTooLarge` past `limit`.
    func collect(upTo limit: Int) async throws -> ByteBuffer {
        let iterator = makeAsyncIterator()
        guard var collected = try await iterator.next() else { return ByteBuffer() }
        while let chunk = try await iterator.next() {
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw BodyTooLarge() }
            collected.writeImmutableBuffer(chunk)
        }
        guard collected.readableBytes <= limit else { throw BodyTooLarge() }
        return collected
    }

    struct BodyTooLarge: Error {}
}

/// Passes the body consumer's demand and departure back to the connection, on its event loop.
struct UpstreamBodyDemand: NIOAsyncSequenceProducerDelegate {
    let connection: NIOLoopBound<UpstreamConnection>
    /// The request this body belongs to on its connection.
    let generation: UInt64

    func produceMore() {
        let (connection, generation) = (self.connection, self.generation)
        if connection.eventLoop.inEventLoop { return connection.value.consumerWantsMore(generation: generation) }
        connection.eventLoop.execute { connection.value.consumerWantsMore(generation: generation) }
    }

    func abort(_ error: UpstreamError) {
        let (connection, generation) = (self.connection, self.generation)
        if connection.eventLoop.inEventLoop { return connection.value.abort(generation: generation, error) }
        connection.eventLoop.execute { connection.value.abort(generation: generation, error) }
    }

    func didTerminate() {
        let (connection, generation) = (self.connection, self.generation)
        if connection.eventLoop.inEventLoop { return connection.value.consumerLeft(generation: generation) }
        connection.eventLoop.execute { connection.value.consumerLeft(generation: generation) }
    }
}
