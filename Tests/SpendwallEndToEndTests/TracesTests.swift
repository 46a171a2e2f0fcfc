import Foundation
import NIOHTTP1
import Testing

/// OpenTelemetry traces over OTLP/HTTP (JSON encoding), received by a loopback collector.
@Suite(.serialized) struct TracesTests {
    @Test("with traces on, each request is a span (request id, team, model, status) with an upstream child span, exported over OTLP/HTTP")
    func exportsSpans() async throws {
        let collector = try WebhookReceiver()
        defer { collector.close() }
        let endpoint = collector.url.replacingOccurrences(of: "/hooks/spendwall", with: "/v1/traces")
        let environment = [
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json", "OTEL_BSP_SCHEDULE_DELAY": "100",
        ]
        try await withGateway(configYAML: "traces: true\n", environment: environment) { gateway, _ in
            let account = try await gateway.makeAccount("trace")
            let answer = try await gateway.chat(secret: account.secret, maxTokens: 10)
            #expect(answer.status == 200)
            let requestID = try #require(answer.headers.first(name: "x-spendwall-request-id"))
            var spans: [[String: Any]] = []
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                spans = collector.received.flatMap { received -> [[String: Any]] in
                    let object = (try? JSONSerialization.jsonObject(with: received.body)) as? [String: Any] ?? [:]
                    return (object["resourceSpans"] as? [[String: Any]] ?? []).flatMap { ($0["scopeSpans"] as? [[String: Any]] ?? []).flatMap { $0["spans"] as? [[String: Any]] ?? [] } }
                }
                if spans.contains(where: { Self.attribute($0, "spendwall.request_id") == requestID }) && spans.contains(where: { $0["name"] as? String == "spendwall.upstream" }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let request = try #require(spans.first { Self.attribute($0, "spendwall.request_id") == requestID }, "\(collector.received.count) exports")
            #expect(request["name"] as? String == "spendwall.request")
            #expect(Self.attribute(request, "spendwall.team") == account.team && Self.attribute(request, "spendwall.model") == "gpt-4o-mini")
            let upstream = try #require(spans.first { $0["name"] as? String == "spendwall.upstream" })
            #expect(upstream["traceId"] as? String == request["traceId"] as? String && upstream["parentSpanId"] as? String == request["spanId"] as? String)
            #expect(collector.received.first?.headers["content-type"]?.contains("json") == true)
        }
    }

    /// A span attribute's value as text (string or integer).
    static func attribute(_ span: [String: Any], _ key: String) -> String? {
        guard let entry = (span["attributes"] as? [[String: Any]])?.first(where: { $0["key"] as? String == key }),
              let value = entry["value"] as? [String: Any] else { return nil }
        if let text = value["stringValue"] as? String { return text }
        return value["intValue"].map { "\($0)" }
    }
}
