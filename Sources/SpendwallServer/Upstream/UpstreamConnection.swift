import NIOCore
import NIOHTTP1
import NIOSSL

/// One keep-alive HTTP/1.1 connection to a provider, carrying one request at a time.
///
/// It lives in the channel pipeline and is only touched on its event loop. The response body is
/// handed out as it is read, with backpressure: while the consumer is behind, the connection
/// stops reading from the socket. A connection goes back to the pool only after a complete
/// response that allows keep-alive; anything else (a timeout, a consumer that left early, a
/// broken or malformed response) closes it.
final class UpstreamConnection: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        case idle
        case awaitingHead(EventLoopPromise<UpstreamResponse>)
        case streaming(UpstreamBody.Producer.Source, keepAlive: Bool)
        /// The body's consumer left before the end: the rest is discarded and the connection closed.
        case abandoned
        case closed
    }

    let origin: UpstreamOrigin
    /// Puts this connection back in the pool once a response completed with keep-alive.
    var checkIn: (() -> Void)?
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var deadline: Scheduled<Void>?
    /// The request's whole deadline while the timer runs to its sooner first-byte deadline.
    private var deadlineAfterHead: NIODeadline?
    /// Bumped per request, so a late signal from a finished body never touches the next one.
    private var generation: UInt64 = 0
    private var consumerIsBehind = false
    private var readIsPending = false
    /// Why the connection closed while no request was in flight (a failed TLS handshake), for
    /// the request that was about to use it. Nothing was sent on it.
    private var closedBy: UpstreamError?

    init(origin: UpstreamOrigin) {
        self.origin = origin
    }

    var isReusable: Bool {
        if case .idle = state, let context, context.channel.isActive { return true }
        return false
    }

    // MARK: Sending

    /// Writes the request and completes `promise` with the response head (or the failure).
    func send(_ request: UpstreamRequest, deadline: NIODeadline, promise: EventLoopPromise<UpstreamResponse>) {
        guard isReusable, let context else {
            promise.fail(closedBy ?? UpstreamError(.connectionClosed, mayHaveBeenSent: false, "the pooled connection closed before use"))
            return
        }
        generation &+= 1
        state = .awaitingHead(promise)
        // The previous body may have ended while its consumer was behind, with a read held back:
        // release it, or this response would never be read.
        consumerIsBehind = false
        if readIsPending {
            readIsPending = false
            context.read()
        }
        let firstByte = request.firstByteDeadline.map { min($0, deadline) } ?? deadline
        deadlineAfterHead = firstByte < deadline ? deadline : nil
        scheduleTimeout(firstByte, on: context.eventLoop)

        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: origin.basePath + request.target, headers: request.headers)
        head.headers.replaceOrAdd(name: "host", value: origin.hostHeader)
        head.headers.replaceOrAdd(name: "content-length", value: String(request.body.readableBytes))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // Interim 1xx answers (100 Continue) precede the real one.
            if head.status.code < 200 { return }
            guard case .awaitingHead(let promise) = state else {
                return fail(UpstreamError(.invalidResponse, mayHaveBeenSent: true, "a response arrived with no request waiting"))
            }
            let demand = UpstreamBodyDemand(connection: NIOLoopBound(self, eventLoop: context.eventLoop), generation: generation)
            let body = UpstreamBody.Producer.makeSequence(
                backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8), finishOnDeinit: false, delegate: demand
            )
            if let whole = deadlineAfterHead {
                deadlineAfterHead = nil
                deadline?.cancel()
                scheduleTimeout(whole, on: context.eventLoop)
            }
            state = .streaming(body.source, keepAlive: head.isKeepAlive)
            promise.succeed(UpstreamResponse(status: head.status, headers: head.headers, body: UpstreamBody(producer: body.sequence, demand: demand)))
        case .body(let chunk):
            guard case .streaming(let source, _) = state else { return }
            if source.yield(chunk) == .stopProducing { consumerIsBehind = true }
        case .end:
            deadline?.cancel()
            deadline = nil
            switch state {
            case .streaming(let source, let keepAlive):
                // Back in the pool before the consumer learns the body ended, so its next request
                // (possibly on another thread) finds this connection.
                if keepAlive {
                    state = .idle
                    checkIn?()
                } else {
                    close(context)
                }
                source.finish()
            case .abandoned:
                close(context)
            case .idle, .awaitingHead, .closed:
                break
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(UpstreamError(.connectionClosed, mayHaveBeenSent: true, "the provider closed the connection before the response was complete"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed TLS handshake happens before the request leaves (NIOSSL holds writes until then).
        if let tlsError = error as? NIOSSLError, case .handshakeFailed = tlsError {
            return fail(UpstreamError(.connectFailed, mayHaveBeenSent: false, "TLS handshake with \(origin) failed: \(error)"))
        }
        let code: UpstreamError.Code
        switch error as? HTTPParserError {
        case .invalidEOFState?: code = .connectionClosed  // the connection ended inside a response
        case .some: code = .invalidResponse
        case nil: code = .connectionClosed
        }
        fail(UpstreamError(code, mayHaveBeenSent: true, "\(error)"))
    }

    /// Holds socket reads while the body's consumer is behind.
    func read(context: ChannelHandlerContext) {
        if consumerIsBehind {
            readIsPending = true
        } else {
            context.read()
        }
    }

    // MARK: Signals from the body consumer and the clock

    func consumerWantsMore(generation: UInt64) {
        guard generation == self.generation else { return }
        consumerIsBehind = false
        if readIsPending, let context {
            readIsPending = false
            context.read()
        }
    }

    func consumerLeft(generation: UInt64) {
        guard generation == self.generation, case .streaming = state else { return }
        state = .abandoned
        consumerIsBehind = false
        if let context { close(context) }
    }

    /// Ends the body being streamed with `error` and closes the connection (the kill switch cut
    /// the stream). The consumer's next read throws `error`.
    func abort(generation: UInt64, _ error: UpstreamError) {
        guard generation == self.generation, case .streaming = state else { return }
        fail(error)
    }

    private func scheduleTimeout(_ at: NIODeadline, on loop: any EventLoop) {
        let bound = NIOLoopBound(self, eventLoop: loop)
        deadline = loop.scheduleTask(deadline: at) { bound.value.timedOut() }
    }

    private func timedOut() {
        deadline = nil
        fail(UpstreamError(.timedOut, mayHaveBeenSent: true, "the provider did not answer before the deadline"))
    }

    // MARK: Ending

    /// Ends the request in flight (if any) with `error` and closes the connection.
    private func fail(_ error: UpstreamError) {
        deadline?.cancel()
        deadline = nil
        let previous = state
        state = .closed
        checkIn = nil
        switch previous {
        case .awaitingHead(let promise): promise.fail(error)
        case .streaming(let source, _): source.finish(error)
        case .idle:
            var unsent = error
            unsent.mayHaveBeenSent = false
            closedBy = closedBy ?? unsent
        case .abandoned, .closed: break
        }
        if let context, context.channel.isActive { context.close(promise: nil) }
    }

    private func close(_ context: ChannelHandlerContext) {
        state = .closed
        checkIn = nil
        context.close(promise: nil)
    }
}
