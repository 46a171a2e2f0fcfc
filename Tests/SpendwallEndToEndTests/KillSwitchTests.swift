import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// The kill switch: block a key, user, team or tenant at once; new requests are refused, live
    /// streams end within a second, and every block and unblock is in the audit log.
    @Suite struct KillSwitch {
        /// Streams that last several seconds: 8 to 64 content chunks, 400 ms apart.
        static let slowStreams = """
            simulator:
              first_byte_delay_ms: 0
              inter_chunk_delay_ms: 400
            """

        static func blockBody(_ scope: String, _ id: String, reason: String, actor: String = "alice@ops") -> [String: Any] {
            ["scope": scope, "id": id, "reason": reason, "actor": actor]
        }

        @Test("a blocked key, team or tenant gets 403 key_blocked with the reason in every dialect; unblocking restores it; the audit log keeps who, when and why")
        func blockRefusesAndUnblockRestores() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("kill")
                try await gateway.admin(.POST, "/teams", json: ["tenant": account.tenant, "id": "team-other", "name": "Other"])
                let other = try await gateway.makeKey(tenant: account.tenant, team: "team-other", name: "other")

                let blocked = try await gateway.admin(.POST, "/blocks", json: Self.blockBody("team", account.team, reason: "runaway agent loop"))
                #expect(blocked.status == 201)
                #expect(blocked.object["streams_cut"] as? Int == 0)

                let calls: [(String, Dialect, [String: Any])] = [
                    ("/v1/chat/completions", .openai, ["model": "gpt-4o-mini", "max_tokens": 20, "messages": [["role": "user", "content": "x"]]]),
                    ("/v1/messages", .anthropic, ["model": "claude-haiku-4-5", "max_tokens": 20, "messages": [["role": "user", "content": "x"]]]),
                    ("/v1beta/models/gemini-2.5-flash:generateContent", .gemini, HappyPaths.geminiBody),
                ]
                for (path, dialect, body) in calls {
                    let refused = try await gateway.call(path, dialect, secret: account.secret, json: body)
                    #expect(refused.status == 403, "\(path): \(refused.status) \(refused.text)")
                    let error = try #require(refused.object["error"] as? [String: Any], "\(path): \(refused.text)")
                    let type = dialect == .gemini
                        ? ((error["details"] as? [[String: Any]])?.first?["reason"] as? String)
                        : error["type"] as? String
                    #expect(type == "key_blocked", "\(path): \(refused.text)")
                    #expect((error["message"] as? String)?.contains("runaway agent loop") == true, "\(path): the reason is missing: \(refused.text)")
                }
                let models = try await HTTP.request(.GET, gateway.dataURL + "/v1/models", headers: Dialect.openai.authHeaders(account.secret))
                #expect(models.status == 403)
                // Another team of the same tenant is not affected.
                #expect(try await gateway.chat(secret: other.secret).status == 200)

                // Blocking twice is a conflict that names the block in force; unknown scopes and
                // tags are refused; a reason is required.
                let twice = try await HTTP.request(.POST, gateway.adminURL + "/admin/v1/blocks", headers: gateway.adminHeaders + [("content-type", "application/json")],
                                                   body: try JSONSerialization.data(withJSONObject: Self.blockBody("team", account.team, reason: "again")))
                #expect(twice.status == 409 && twice.text.contains("runaway agent loop"), "\(twice.status) \(twice.text)")
                for (body, status) in [
                    (Self.blockBody("team", "no-such-team", reason: "x"), 404),
                    (Self.blockBody("tag", "feature:search", reason: "x"), 400),
                    (Self.blockBody("key", account.keyID, reason: "   "), 400),
                ] {
                    let result = try await HTTP.request(.POST, gateway.adminURL + "/admin/v1/blocks", headers: gateway.adminHeaders + [("content-type", "application/json")],
                                                        body: try JSONSerialization.data(withJSONObject: body))
                    #expect(result.status == status, "\(body): \(result.status) \(result.text)")
                }

                try await gateway.admin(.POST, "/unblocks", json: Self.blockBody("team", account.team, reason: "loop fixed", actor: "bob@ops"))
                #expect(try await gateway.chat(secret: account.secret).status == 200)
                let notBlocked = try await HTTP.request(.POST, gateway.adminURL + "/admin/v1/unblocks", headers: gateway.adminHeaders + [("content-type", "application/json")],
                                                        body: try JSONSerialization.data(withJSONObject: Self.blockBody("team", account.team, reason: "x")))
                #expect(notBlocked.status == 404)

                // A tenant block stops every key of the tenant; a key block only that key.
                try await gateway.admin(.POST, "/blocks", json: Self.blockBody("tenant", account.tenant, reason: "invoice dispute"))
                #expect(try await gateway.chat(secret: other.secret).status == 403)
                let list = try await gateway.admin(.GET, "/blocks?tenant=\(account.tenant)").json as? [[String: Any]] ?? []
                #expect(list.count == 1 && list.first?["reason"] as? String == "invoice dispute", "\(list)")
                try await gateway.admin(.POST, "/unblocks", json: Self.blockBody("tenant", account.tenant, reason: "paid"))
                try await gateway.admin(.POST, "/blocks", json: Self.blockBody("key", other.id, reason: "key leaked"))
                #expect(try await gateway.chat(secret: other.secret).status == 403)
                #expect(try await gateway.chat(secret: account.secret).status == 200)

                let audit = try await gateway.admin(.GET, "/audit?tenant=\(account.tenant)").json as? [[String: Any]] ?? []
                let lines = audit.map { entry -> String in
                    let scope = entry["scope"] as? [String: Any] ?? [:]
                    return "\(entry["action"] ?? "") \(scope["kind"] ?? ""):\(scope["id"] ?? "") by \(entry["actor"] ?? ""): \(entry["reason"] ?? "")"
                }
                #expect(lines == [
                    "block key:\(other.id) by alice@ops: key leaked",
                    "unblock tenant:\(account.tenant) by alice@ops: paid",
                    "block tenant:\(account.tenant) by alice@ops: invoice dispute",
                    "unblock team:\(account.team) by bob@ops: loop fixed",
                    "block team:\(account.team) by alice@ops: runaway agent loop",
                ], "\(lines)")
                #expect(audit.allSatisfy { ($0["at"] as? Int ?? 0) > 0 })

                // Refused requests cost nothing and leave no row: only the three that ran.
                let rows = try await gateway.settled(rows: 3)
                #expect(rows.count == 3 && rows.allSatisfy { $0.status == "settled" })
            }
        }

        @Test("blocking a team ends its live streams within one second in every dialect, with a final error event, charged for what was streamed")
        func blockEndsLiveStreams() async throws {
            try await withGateway(configYAML: Self.slowStreams) { gateway, _ in
                let account = try await gateway.makeAccount("cut")
                let streams: [(name: String, path: String, dialect: Dialect, body: [String: Any])] = [
                    ("chat", "/v1/chat/completions", .openai, ["model": "gpt-4o-mini", "max_tokens": 300, "stream": true, "messages": [["role": "user", "content": "Tell me a long story."]]]),
                    ("responses", "/v1/responses", .openai, ["model": "gpt-4o-mini", "max_output_tokens": 300, "stream": true, "input": "Tell me a long story."]),
                    ("anthropic", "/v1/messages", .anthropic, ["model": "claude-haiku-4-5", "max_tokens": 300, "stream": true, "messages": [["role": "user", "content": "Tell me a long story."]]]),
                    ("gemini sse", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", .gemini, ["contents": [["role": "user", "parts": [["text": "Tell me a long story."]]]], "generationConfig": ["maxOutputTokens": 300]]),
                    ("gemini array", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", .gemini, ["contents": [["role": "user", "parts": [["text": "Tell me a long story."]]]], "generationConfig": ["maxOutputTokens": 300]]),
                ]
                let started = Locked(0)
                let results = try await withThrowingTaskGroup(of: (Int, PartialResult, ContinuousClock.Instant).self) { group in
                    for (index, stream) in streams.enumerated() {
                        let url = gateway.dataURL + stream.path
                        let headers = stream.dialect.authHeaders(account.secret)
                        let body = try JSONSerialization.data(withJSONObject: stream.body)
                        group.addTask {
                            let result = try await HTTP.streamTolerant(
                                url, headers: headers, json: try JSONSerialization.jsonObject(with: body),
                                onHead: { _ in started.withLock { $0 += 1 } }
                            )
                            return (index, result, ContinuousClock.now)
                        }
                    }
                    // Let every stream get going (a few chunks each), then pull the switch.
                    let deadline = ContinuousClock.now + .seconds(10)
                    while started.value < streams.count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                    try await Task.sleep(for: .milliseconds(900))
                    #expect(try await gateway.admin(.GET, "/status").object["live_streams"] as? Int == streams.count)
                    let blockedAt = ContinuousClock.now
                    let blocked = try await gateway.admin(.POST, "/blocks", json: Self.blockBody("team", account.team, reason: "runaway agent loop"))
                    #expect(blocked.object["streams_cut"] as? Int == streams.count, "\(blocked.text)")
                    var results: [(Int, PartialResult, Duration)] = []
                    for try await (index, result, ended) in group { results.append((index, result, ended - blockedAt)) }
                    return results.sorted { $0.0 < $1.0 }
                }

                var ids: [String] = []
                for (index, result, afterBlock) in results {
                    let name = streams[index].name
                    #expect(result.status == 200, "\(name)")
                    #expect(afterBlock < .seconds(1), "\(name) ended \(afterBlock) after the block")
                    #expect(result.error == nil, "\(name): the stream should end cleanly after its error event: \(result.error ?? "")")
                    ids.append(try #require(result.headers.requestID, "\(name)"))
                    let text = result.text
                    switch name {
                    case "chat":
                        let last = try #require(sseData(text).last.flatMap(jsonObject), "\(name): \(text)")
                        #expect((last["error"] as? [String: Any])?["type"] as? String == "key_blocked", "\(name): \(text.suffix(400))")
                        #expect(!text.contains("[DONE]"))
                        #expect(sseData(text).count > 2, "\(name): content should have streamed before the cut")
                    case "responses":
                        #expect(text.hasSuffix("\n\n"))
                        let lastEvent = try #require(text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.last)
                        #expect(lastEvent.hasPrefix("event: error\n"), "\(name): \(lastEvent)")
                        let data = try #require(sseData(lastEvent).first.flatMap(jsonObject))
                        #expect(data["type"] as? String == "error" && data["code"] as? String == "key_blocked", "\(name): \(lastEvent)")
                        #expect((data["sequence_number"] as? Int ?? 0) > 1)
                    case "anthropic":
                        let lastEvent = try #require(text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.last)
                        #expect(lastEvent.hasPrefix("event: error\n"), "\(name): \(lastEvent)")
                        let data = try #require(sseData(lastEvent).first.flatMap(jsonObject))
                        #expect((data["error"] as? [String: Any])?["type"] as? String == "key_blocked", "\(name): \(lastEvent)")
                        #expect(!text.contains("message_stop"))
                    case "gemini sse":
                        let last = try #require(sseData(text).last.flatMap(jsonObject), "\(name): \(text)")
                        #expect((last["error"] as? [String: Any])?["status"] as? String == "PERMISSION_DENIED", "\(name): \(text.suffix(400))")
                    default:
                        // Still one well-formed JSON array, its last element the error.
                        let array = try #require((try? JSONSerialization.jsonObject(with: result.body)) as? [[String: Any]], "\(name): not a JSON array: \(text.suffix(400))")
                        #expect(array.count > 1)
                        #expect((array.last?["error"] as? [String: Any])?["status"] as? String == "PERMISSION_DENIED")
                    }
                }

                let rows = try await gateway.settled(rows: streams.count)
                let calls = try await gateway.simulatorCalls(atLeast: streams.count)
                for (index, id) in ids.enumerated() {
                    let name = streams[index].name
                    let row = try #require(rows.first { $0.requestID == id }, "\(name): no ledger row")
                    #expect(row.status == "killed", "\(name): \(row.status)")
                    #expect(row.cost > 0 && row.cost <= row.hold, "\(name): cost \(row.cost) hold \(row.hold)")
                    // Never less than what the provider produced before the cut.
                    let call = try #require(calls.first { $0.id == row.upstreamID }, "\(name): no simulator call")
                    #expect(call.completed == false, "\(name): the upstream stream should have been closed")
                    var delivered = row
                    delivered.usage = Usage(call.usage)
                    #expect(row.cost >= delivered.recomputedCost, "\(name): charged \(row.cost), the provider sent \(Usage(call.usage))")
                }
                // New requests are refused while the block holds.
                #expect(try await gateway.chat(secret: account.secret, stream: true).status == 403)
            }
        }

        @Test("spendwall kill, blocks, audit and unblock drive the running gateway")
        func killCommands() async throws {
            try await withGateway { gateway, scratch in
                let account = try await gateway.makeAccount("cli")
                let kill = try SpendwallCommand.run(["kill", "key", account.keyID, "--reason", "leaked in a log", "--by", "carol"], home: scratch.home)
                #expect(kill.exitCode == 0, "\(kill.stderr)")
                #expect(kill.stdout.contains("blocked key \(account.keyID)"))
                #expect(try await gateway.chat(secret: account.secret).status == 403)

                let again = try SpendwallCommand.run(["kill", "key", account.keyID, "--reason", "again"], home: scratch.home)
                #expect(again.exitCode != 0 && again.stderr.contains("already blocked"), "\(again.stderr)")
                let noReason = try SpendwallCommand.run(["kill", "team", account.team], home: scratch.home)
                #expect(noReason.exitCode == 64 || noReason.exitCode == 2, "exit \(noReason.exitCode): \(noReason.stderr)")
                let tag = try SpendwallCommand.run(["kill", "tag", "feature:x", "--reason", "x"], home: scratch.home)
                #expect(tag.exitCode != 0)

                let blocks = try SpendwallCommand.run(["blocks", "--json"], home: scratch.home)
                let list = try #require((try? JSONSerialization.jsonObject(with: Data(blocks.stdout.utf8))) as? [[String: Any]], "\(blocks.stdout)")
                #expect(list.count == 1 && list.first?["actor"] as? String == "carol", "\(list)")

                let unblock = try SpendwallCommand.run(["unblock", "key", account.keyID, "--reason", "rotated"], home: scratch.home)
                #expect(unblock.exitCode == 0, "\(unblock.stderr)")
                #expect(try await gateway.chat(secret: account.secret).status == 200)

                let audit = try SpendwallCommand.run(["audit"], home: scratch.home)
                #expect(audit.exitCode == 0)
                let lines = audit.stdout.split(separator: "\n")
                let table = audit.stdout
                #expect(lines.count == 3, "\(table)")
                #expect(lines.dropFirst().first?.contains("unblock") == true && lines.dropFirst().first?.contains("rotated") == true, "\(table)")
                #expect(lines.last?.contains("carol") == true && lines.last?.contains("leaked in a log") == true, "\(table)")
                // Without --by, the audit log names the shell's user@host.
                #expect(lines.dropFirst().first?.contains("@") == true, "\(table)")
            }
        }
    }
}
