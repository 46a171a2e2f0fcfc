import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A tiny HTTP/1.1 server on a loopback port for the upstream client's tests. The path picks
/// the behaviour:
/// - `/ok`: 200 with body `hello`, keep-alive;
/// - `/close`: 200 with `connection: close`, then closes;
/// - `/hang`: never answers;
/// - `/big`: 200 with `chunkCount` chunks of 16 KiB, each filled with its index;
/// - `/cut`: a head and a first chunk, then the connection drops.
final class TestUpstream: Sendable {
    static let chunkSize = 16 * 1024
    static let chunkCount = 64

    let channel: any Channel
    private let accepted: Counter
    private let requests: Counter

    /// Connections the server has accepted so far.
    var acceptedConnections: Int { accepted.value.withLock { $0 } }
    /// Request heads the server has read so far.
    var receivedRequests: Int { requests.value.withLock { $0 } }
    var port: Int { channel.localAddress?.port ?? 0 }

    /// - Parameter tls: when given, the server speaks TLS with it.
    init(tls: NIOSSLContext? = nil) async throws {
        let accepted = Counter()
        let requests = Counter()
        self.accepted = accepted
        self.requests = requests
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.value.withLock { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(requests: requests))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    final class Counter: Sendable {
        let value = Mutex(0)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private var path = ""
        private let requests: Counter

        init(requests: Counter) {
            self.requests = requests
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                path = head.uri
                requests.value.withLock { $0 += 1 }
            case .body: break
            case .end: respond(context)
            }
        }

        private func respond(_ context: ChannelHandlerContext) {
            switch path {
            case "/ok":
                write(context, headers: ["content-length": "5"], body: [ByteBuffer(string: "hello")])
            case "/close":
                write(context, headers: ["content-length": "5", "connection": "close"], body: [ByteBuffer(string: "hello")])
                context.close(promise: nil)
            case "/big":
                let chunks = (0..<TestUpstream.chunkCount).map { ByteBuffer(repeating: UInt8($0), count: TestUpstream.chunkSize) }
                write(context, headers: ["content-length": String(TestUpstream.chunkSize * TestUpstream.chunkCount)], body: chunks)
            case "/cut":
                let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-length": "1000"])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "partial")))), promise: nil)
                context.close(promise: nil)
            default:
                break  // "/hang": no answer
            }
        }

        private func write(_ context: ChannelHandlerContext, headers: HTTPHeaders, body: [ByteBuffer]) {
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            for chunk in body { context.write(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
