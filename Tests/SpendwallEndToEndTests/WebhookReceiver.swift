import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A local HTTP endpoint that records what is POSTed to it and answers with programmed statuses
/// (then 200): the alert webhooks' other end.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: Data
        var status: Int

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }

        /// Whether `x-spendwall-signature` is the HMAC-SHA256 of the body under `secret`.
        func signatureIsValid(secret: String) -> Bool {
            let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
            let expected = "sha256=" + code.map { String(format: "%02x", $0) }.joined()
            return headers["x-spendwall-signature"] == expected
        }
    }

    private let state = Mutex<(received: [Received], statuses: [Int])>(([], []))
    private let channel: any Channel
    var url: String { "http://127.0.0.1:\(channel.localAddress!.port!)/hooks/spendwall" }

    /// - Parameter failFirst: statuses for the first requests, e.g. `[500, 503]`; 200 after.
    init(failFirst statuses: [Int] = []) throws {
        state.withLock { $0.statuses = statuses }
        let box = ReceiverBox()
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(receiver: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        box.receiver = self
    }

    var received: [Received] { state.withLock { $0.received } }

    fileprivate func record(headers: HTTPHeaders, body: Data) -> Int {
        state.withLock { state in
            let status = state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
            var fields: [String: String] = [:]
            for (name, value) in headers { fields[name.lowercased()] = value }
            state.received.append(Received(headers: fields, body: body, status: status))
            return status
        }
    }

    /// Waits (bounded) until `count` requests arrived.
    func waitFor(_ count: Int, timeout: Double = 15) async throws -> [Received] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let now = received
            if now.count >= count { return now }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("the webhook receiver got \(received.count) requests, want \(count)")
    }

    func close() {
        try? channel.close().wait()
    }
}

private final class ReceiverBox: @unchecked Sendable {
    // Set once, right after binding, before any request can arrive.
    weak var receiver: WebhookReceiver?
}

private final class Handler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let receiver: ReceiverBox
    var head: HTTPRequestHead?
    var body = Data()

    init(receiver: ReceiverBox) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = Data()
        case .body(let chunk):
            body.append(contentsOf: chunk.readableBytesView)
        case .end:
            let status = receiver.receiver?.record(headers: head?.headers ?? [:], body: body) ?? 500
            var headers = HTTPHeaders()
            headers.add(name: "content-length", value: "0")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
