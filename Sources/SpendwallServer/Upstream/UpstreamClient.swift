import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The gateway's HTTP/1.1 client to providers: keep-alive connections pooled per origin,
/// preferring one on the caller's event loop, so a request is usually forwarded on the loop it
/// arrived on, with no thread hop and no header or body conversion beyond the HTTP/1.1 codec.
/// TLS for `https` origins.
final class UpstreamClient: Sendable {
    fileprivate struct IdleConnection: Sendable {
        var channel: any Channel
        var connection: NIOLoopBound<UpstreamConnection>
        var since: NIODeadline
    }

    private struct State {
        /// Idle connections per origin, the most recently used last.
        var idle: [UpstreamOrigin: [IdleConnection]] = [:]
        var isShutDown = false
    }

    private let group: any EventLoopGroup
    private let state = Mutex(State())
    private let tlsContext: NIOSSLContext?
    private let connectTimeout: TimeAmount
    /// Idle connections older than this are closed instead of reused (providers close theirs).
    private let idleTimeout: TimeAmount
    /// Idle connections kept per origin.
    private let maxIdle: Int

    init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, connectTimeout: TimeAmount = .seconds(10),
        idleTimeout: TimeAmount = .seconds(30), maxIdle: Int = 1024
    ) throws {
        self.group = group
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxIdle = maxIdle
        self.tlsContext = try NIOSSLContext(configuration: .makeClientConfiguration())
    }

    /// Sends `request` to `origin` and returns once the response head has arrived.
    ///
    /// - Throws: `UpstreamError`; its `mayHaveBeenSent` says whether the provider could have
    ///   received (and billed) the request.
    func execute(_ request: UpstreamRequest, to origin: UpstreamOrigin, deadline: NIODeadline) async throws -> UpstreamResponse {
        let connection = try await lease(origin, preferring: MultiThreadedEventLoopGroup.currentEventLoop, deadline: deadline)
        let loop = connection.eventLoop
        let promise = loop.makePromise(of: UpstreamResponse.self)
        if loop.inEventLoop {
            connection.value.send(request, deadline: deadline, promise: promise)
        } else {
            loop.execute { connection.value.send(request, deadline: deadline, promise: promise) }
        }
        return try await promise.futureResult.get()
    }

    /// Closes every idle connection; requests in flight finish on theirs, which then close.
    func shutdown() async {
        let idle = state.withLock { state -> [IdleConnection] in
            state.isShutDown = true
            defer { state.idle = [:] }
            return state.idle.values.flatMap { $0 }
        }
        for connection in idle { try? await connection.channel.close() }
    }

    // MARK: Pool

    /// An idle connection to `origin` (on `loop` if one is, else on any loop), or a new one.
    private func lease(
        _ origin: UpstreamOrigin, preferring loop: (any EventLoop)?, deadline: NIODeadline
    ) async throws -> NIOLoopBound<UpstreamConnection> {
        let now = NIODeadline.now()
        var stale: [IdleConnection] = []
        let reused = try state.withLock { state -> IdleConnection? in
            guard !state.isShutDown else { throw UpstreamError(.shutDown, mayHaveBeenSent: false, "the gateway is shutting down") }
            // Mutated in place: no copy of the idle list per request.
            return state.idle[origin]?.takeReusable(preferring: loop, now: now, idleTimeout: idleTimeout, stale: &stale)
        }
        for connection in stale { connection.channel.close(promise: nil) }
        if let reused { return reused.connection }
        return try await connect(origin, on: loop ?? group.next(), deadline: deadline)
    }

    private func checkIn(_ channel: any Channel, _ connection: NIOLoopBound<UpstreamConnection>, origin: UpstreamOrigin) {
        let kept = state.withLock { state -> Bool in
            guard !state.isShutDown, state.idle[origin, default: []].count < maxIdle else { return false }
            state.idle[origin, default: []].append(IdleConnection(channel: channel, connection: connection, since: .now()))
            return true
        }
        if !kept { channel.close(promise: nil) }
    }

    private func connect(
        _ origin: UpstreamOrigin, on loop: any EventLoop, deadline: NIODeadline
    ) async throws -> NIOLoopBound<UpstreamConnection> {
        let tlsContext = origin.usesTLS ? self.tlsContext : nil
        let timeout = min(connectTimeout, max(.milliseconds(1), deadline - .now()))
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    do {
                        let pipeline = channel.pipeline.syncOperations
                        if let tlsContext {
                            // SNI carries host names only, never IP addresses.
                            let isAddress = (try? SocketAddress(ipAddress: origin.host, port: origin.port)) != nil
                            let serverName = isAddress ? nil : origin.host
                            try pipeline.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                        }
                        try pipeline.addHTTPClientHandlers(leftOverBytesStrategy: .fireError)
                        try pipeline.addHandler(UpstreamConnection(origin: origin))
                        return channel.eventLoop.makeSucceededVoidFuture()
                    } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                }
                .connect(host: origin.host, port: origin.port)
                .get()
        } catch {
            throw UpstreamError(.connectFailed, mayHaveBeenSent: false, "could not connect to \(origin): \(error)")
        }
        let setUp: EventLoopFuture<NIOLoopBound<UpstreamConnection>> = channel.eventLoop.submit {
            let connection = try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self)
            let bound = NIOLoopBound(connection, eventLoop: channel.eventLoop)
            connection.checkIn = { [weak self] in self?.checkIn(channel, bound, origin: origin) }
            return bound
        }
        do {
            return try await setUp.get()
        } catch {
            channel.close(promise: nil)
            throw UpstreamError(.connectFailed, mayHaveBeenSent: false, "could not set up the connection to \(origin): \(error)")
        }
    }
}

extension [UpstreamClient.IdleConnection] {
    /// Removes and returns a live connection, on `loop` if one is, else the most recently used;
    /// connections idle past `idleTimeout` (the oldest, at the front) or closed by the provider
    /// are moved to `stale`.
    fileprivate mutating func takeReusable(
        preferring loop: (any EventLoop)?, now: NIODeadline, idleTimeout: TimeAmount, stale: inout [UpstreamClient.IdleConnection]
    ) -> UpstreamClient.IdleConnection? {
        while let oldest = first, now - oldest.since >= idleTimeout { stale.append(removeFirst()) }
        while let index = loop.flatMap({ loop in lastIndex { $0.channel.eventLoop === loop } }) ?? indices.last {
            let candidate = remove(at: index)
            if candidate.channel.isActive { return candidate }
            stale.append(candidate)
        }
        return nil
    }
}
