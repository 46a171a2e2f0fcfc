import Foundation
import Testing

/// Telemetry export: every ledger event reaches a rotating JSON-lines file and a webhook that
/// fails at first, at least once, with ids to de-duplicate by, across a restart.
@Suite(.serialized) struct TelemetryTests {
    static func fileIDs(_ path: String) -> [String] {
        let files = [path] + (1...5).map { "\(path).\($0)" }
        return files.flatMap { file -> [String] in
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { jsonObject(String($0))?["id"] as? String }
        }
    }

    static func webhookIDs(_ receiver: WebhookReceiver) -> [String] {
        receiver.received.filter { $0.status == 200 }.flatMap { received -> [String] in
            ((try? JSONSerialization.jsonObject(with: received.body)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
    }

    @Test("every ledger row is exported to a rotating JSON-lines file and a failing-then-recovering webhook (signed), and a restart loses nothing")
    func exportsEveryEvent() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let receiver = try WebhookReceiver(failFirst: [500, 503])
        defer { receiver.close() }
        let path = scratch.root.appendingPathComponent("events/events.jsonl").path
        let config = try scratch.write("config.yaml", """
            telemetry:
              flush_interval_seconds: 0.2
              sinks:
                - name: archive
                  type: jsonl
                  path: \(path)
                  max_bytes: 2048
                  keep: 5
                - name: finops
                  type: webhook
                  url: \(receiver.url)
                  batch: 3
                  secret_env: TELEMETRY_SECRET
            """)
        let environment = ["TELEMETRY_SECRET": "s3cret"]
        var gateway = try GatewayProcess.launch(scratch, config: config, environment: environment)
        let account = try await gateway.makeAccount("tel")
        for _ in 0..<5 { #expect(try await gateway.chat(secret: account.secret, maxTokens: 10).status == 200) }
        gateway.stop()

        gateway = try GatewayProcess.launch(scratch, config: config, environment: environment)
        defer { gateway.stop() }
        for _ in 0..<3 { #expect(try await gateway.chat(secret: account.secret, maxTokens: 10).status == 200) }
        let ledger = Set(try await gateway.settled(rows: 8, tenant: account.tenant).map(\.holdID))
        #expect(ledger.count == 8)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if Set(Self.fileIDs(path)) == ledger && Set(Self.webhookIDs(receiver)).isSuperset(of: ledger) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(Set(Self.fileIDs(path)) == ledger, "the file has every event: \(Self.fileIDs(path).count) lines")
        #expect(FileManager.default.fileExists(atPath: path + ".1"), "the file was rotated past max_bytes")
        #expect(Set(Self.webhookIDs(receiver)).isSuperset(of: ledger), "the webhook got every event")
        let statuses = receiver.received.map(\.status)
        #expect(statuses.prefix(2) == [500, 503] && statuses.dropFirst(2).allSatisfy { $0 == 200 }, "retried after failing: \(statuses)")
        #expect(receiver.received.allSatisfy { $0.signatureIsValid(secret: "s3cret") })
        let line = try #require(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").last.flatMap { jsonObject(String($0)) })
        #expect(line["type"] as? String == "ledger.settled" && line["kind"] as? String == "api" && line["cost_nanodollars"] is NSNumber)
        #expect(line["key_id"] as? String == account.keyID && (line["usage"] as? [String: Any])?["output"] is NSNumber)
    }
}
