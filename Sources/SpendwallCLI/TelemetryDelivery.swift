import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SpendwallEngine

/// How the CLI's gateway delivers telemetry batches: JSON-lines files, and webhooks that get a
/// JSON array of events (signed with HMAC-SHA256 when the sink names a secret).
enum TelemetryDelivery {
    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    static func make(environment: [String: String]) -> TelemetryExporter.Deliver {
        { sink, lines in
            switch sink.type {
            case .jsonl:
                try JSONLinesSink.append(lines, to: sink.path ?? "", maxBytes: sink.maxBytes, keep: sink.keep)
            case .webhook:
                let body = Array(("[" + lines.joined(separator: ",") + "]").utf8)
                var request = HTTPClientRequest(url: sink.url ?? "")
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                if let name = sink.secretEnv, let secret = environment[name], !secret.isEmpty {
                    request.headers.add(name: WebhookSignature.headerName, value: WebhookSignature.sign(body: body, secret: secret))
                }
                request.body = .bytes(ByteBuffer(bytes: body))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                _ = try? await response.body.collect(upTo: 1024 * 1024)
                guard (200..<300).contains(response.status.code) else {
                    throw Refused(description: "\(sink.url ?? "") answered \(response.status.code)")
                }
            }
        }
    }
}
