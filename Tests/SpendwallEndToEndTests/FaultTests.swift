import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SpendwallCore
import Testing

extension EndToEnd {
    @Suite struct Faults {
        static let slowStreams = """
            simulator:
              first_byte_delay_ms: 0
              inter_chunk_delay_ms: 50
            """

        @Test("an upstream stream that breaks off: the client keeps the partial stream, the row is estimated, 0 < cost <= hold")
        func brokenUpstreamStreamIsEstimated() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("broken")
                let partial = try await HTTP.streamTolerant(
                    gateway.dataURL + "/v1/chat/completions",
                    headers: Dialect.openai.authHeaders(account.secret) + [("x-simulator-fault", "break-after=3")],
                    json: ["model": "gpt-4o-mini", "max_tokens": 60, "stream": true, "messages": [["role": "user", "content": "Break, please."]]]
                )
                #expect(partial.status == 200)
                let events = sseData(partial.text)
                #expect(!events.contains("[DONE]"), "a broken stream must not look complete")
                let contents = events.compactMap(jsonObject).compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }.filter { !$0.isEmpty }
                #expect(contents.count == 3, "the client should see the 3 chunks sent before the break: \(events)")

                let rows = try await gateway.settled(rows: 1)
                let row = try #require(rows.first)
                #expect(row.status == "estimated")
                #expect(row.cost > 0, "a broken stream was charged nothing")
                #expect(row.cost <= row.hold)
                let call = try #require(try await gateway.simulatorCalls(atLeast: 1).first)
                #expect(call.completed == false)
                #expect(call.fault == "break-after=3")
                #expect(call.sawSpendwallKey == false)
            }
        }

        @Test("streams cut in every dialect (break-after, end-after) are estimated: 0 < cost <= hold, one row each")
        func cutStreamsInEveryDialect() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("cuts")
                let cases: [(String, Dialect, [String: Any], String)] = [
                    ("/v1/chat/completions", .openai, ["model": "gpt-4o-mini", "max_tokens": 60, "stream": true, "messages": [["role": "user", "content": "cut"]]], "end-after=2"),
                    ("/v1/responses", .openai, ["model": "gpt-4o-mini", "max_output_tokens": 60, "stream": true, "input": "cut"], "break-after=2"),
                    ("/v1/messages", .anthropic, ["model": "claude-haiku-4-5", "max_tokens": 60, "stream": true, "messages": [["role": "user", "content": "cut"]]], "break-after=2"),
                    ("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", .gemini, HappyPaths.geminiBody, "break-after=2"),
                    ("/v1beta/models/gemini-2.5-flash:streamGenerateContent", .gemini, HappyPaths.geminiBody, "break-after=2"),
                ]
                var ids: [String] = []
                for (path, dialect, body, fault) in cases {
                    let partial = try await HTTP.streamTolerant(
                        gateway.dataURL + path, headers: dialect.authHeaders(account.secret) + [("x-simulator-fault", fault)], json: body
                    )
                    #expect(partial.status == 200, "\(path) \(fault)")
                    #expect(!partial.body.isEmpty, "\(path) \(fault): the client got nothing")
                    ids.append(try #require(partial.headers.requestID))
                }
                let rows = try await gateway.settled(rows: cases.count)
                let calls = try await gateway.simulatorCalls(atLeast: cases.count)
                #expect(rows.count == cases.count)
                for (id, item) in zip(ids, cases) {
                    let row = try #require(rows.first { $0.requestID == id })
                    // Gemini repeats the cumulative usage in every chunk, so the last one seen may
                    // stand; every other dialect reports usage only at the end of a stream.
                    if !item.0.contains("gemini") {
                        #expect(row.status == "estimated", "\(item.0) \(item.3): a stream without its final usage was recorded as \(row.status) with \(row.usage)")
                    }
                    #expect(row.cost > 0 && row.cost <= row.hold, "\(item.0) \(item.3): cost \(row.cost) hold \(row.hold)")
                    // Never charge less than what the provider produced before the cut (the
                    // simulator logs the tokens it actually sent).
                    let call = try #require(calls.first { $0.id == row.upstreamID }, "\(item.0): no simulator call for \(String(describing: row.upstreamID))")
                    #expect(call.completed == false)
                    var delivered = row
                    delivered.usage = Usage(call.usage)
                    #expect(row.cost >= delivered.recomputedCost,
                            "\(item.0) \(item.3): charged \(row.cost) for \(row.usage), but the provider sent \(Usage(call.usage)) worth \(delivered.recomputedCost)")
                }
            }
        }

        @Test("an upstream that hangs past upstream_timeout_seconds: 504, the hold is settled, not left open")
        func hangingUpstreamTimesOut() async throws {
            try await withGateway(configYAML: "upstream_timeout_seconds: 1\n") { gateway, _ in
                let account = try await gateway.makeAccount("hang")
                // An audio model: its hold prices output at the audio rate, above what the bounds
                // cost as text, so charging the hold is visible.
                let result = try await gateway.chat(secret: account.secret, extra: ["model": "gpt-audio"], headers: [("x-simulator-fault", "hang")])
                #expect(result.status == 504, "\(result.status) \(result.text)")
                #expect(result.openAIErrorType == "upstream_timeout")
                let row = try #require(try await gateway.settled(rows: 1).first)
                #expect(row.status == "estimated")
                // The provider may have generated (and billed) everything: the whole hold is charged.
                #expect(row.cost == row.hold && row.hold > row.recomputedCost, "cost \(row.cost) hold \(row.hold) bounds \(row.recomputedCost)")
            }
        }

        @Test("an upstream 500: the client gets the 500 with a body, the row is upstream_error and costs nothing")
        func upstreamErrorIsFree() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("err")
                for (path, dialect, body) in [
                    ("/v1/chat/completions", Dialect.openai, ["model": "gpt-4o-mini", "max_tokens": 20, "messages": [["role": "user", "content": "x"]]] as [String: Any]),
                    ("/v1/messages", Dialect.anthropic, ["model": "claude-haiku-4-5", "max_tokens": 20, "stream": true, "messages": [["role": "user", "content": "x"]]] as [String: Any]),
                ] {
                    let result = try await gateway.call(path, dialect, secret: account.secret, json: body, headers: [("x-simulator-fault", "status=500")])
                    #expect(result.status == 500, "\(path)")
                    #expect(!result.body.isEmpty && result.json != nil, "\(path): the error body was not relayed: \(result.text)")
                }
                let rows = try await gateway.settled(rows: 2)
                #expect(rows.count == 2)
                for row in rows {
                    #expect(row.status == "upstream_error")
                    #expect(row.upstreamStatus == 500)
                    #expect(row.cost == 0)
                }
                let budgetless = try await gateway.admin(.GET, "/spend?group_by=status").json as? [[String: Any]] ?? []
                #expect(budgetless.first { $0["group"] as? String == "upstream_error" }?["cost"] as? Int64 == 0)
            }
        }

        @Test("a client that goes away mid-stream is still settled: no open hold, exactly one ledger row", arguments: ["openai", "anthropic"])
        func clientDisconnectIsSettled(dialect: String) async throws {
            try await withGateway(configYAML: Self.slowStreams) { gateway, _ in
                let account = try await gateway.makeAccount("gone")
                let anthropic = dialect == "anthropic"
                let url = gateway.dataURL + (anthropic ? "/v1/messages" : "/v1/chat/completions")
                let headers = (anthropic ? Dialect.anthropic : Dialect.openai).authHeaders(account.secret)
                let model = anthropic ? "claude-haiku-4-5" : "gpt-4o-mini"
                let gotFirst = Locked(false)
                let client = Task {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "content-type", value: "application/json")
                    for (name, value) in headers { request.headers.add(name: name, value: value) }
                    request.body = .bytes(ByteBuffer(string: #"{"model":"\#(model)","max_tokens":60,"stream":true,"messages":[{"role":"user","content":"long and slow"}]}"#))
                    let response = try await HTTP.client.execute(request, timeout: .seconds(30))
                    for try await _ in response.body {
                        gotFirst.withLock { $0 = true }
                        // Wait here until cancelled.
                        try await Task.sleep(for: .seconds(20))
                    }
                }
                let deadline = Date().addingTimeInterval(5)
                while !gotFirst.value && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(gotFirst.value, "the stream never started")
                #expect(try await gateway.status().openHolds == 1)
                client.cancel()
                _ = try? await client.value

                let rows = try await gateway.settled(rows: 1, timeout: 5)
                #expect(rows.count == 1)
                let row = try #require(rows.first)
                #expect(row.cost <= row.hold)
                // The final usage never arrived: the charge is an estimate, not the provider's word.
                #expect(row.status == "estimated", "a stream the client left was recorded as \(row.status) with \(row.usage)")
                #expect(try await gateway.status().openHolds == 0)
                // Still exactly one row a little later (no double settlement when the upstream ends).
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await gateway.ledger().count == 1)
            }
        }
    }
}
