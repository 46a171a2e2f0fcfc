import Foundation
import NIOHTTP1
import SpendwallCore
import Testing

extension EndToEnd {
    @Suite struct HappyPaths {
        /// One metered call of the happy-path matrix.
        struct Case {
            var name: String
            var path: String
            var dialect: Dialect
            var body: [String: Any]
            var stream: Bool
            var headers: [(String, String)] = []
            /// Whether the provider's answer carries an id the ledger can record.
            var hasUpstreamID = true
            /// Gemini's default stream: one JSON array written piecewise.
            var jsonArrayStream = false
            var expectsReasoning = false
        }

        static var geminiBody: [String: Any] { [
            "contents": [["role": "user", "parts": [["text": "Write a short poem about budgets."]]]],
            "generationConfig": ["maxOutputTokens": 60],
        ] }

        static var cases: [Case] { [
            Case(name: "openai chat", path: "/v1/chat/completions", dialect: .openai,
                 body: ["model": "gpt-4o-mini", "max_tokens": 60, "messages": [["role": "user", "content": "Hello there, how are you?"]]], stream: false),
            Case(name: "openai chat stream", path: "/v1/chat/completions", dialect: .openai,
                 body: ["model": "gpt-4o-mini", "max_tokens": 60, "stream": true, "messages": [["role": "user", "content": "Stream me a story."]]], stream: true),
            Case(name: "openai responses", path: "/v1/responses", dialect: .openai,
                 body: ["model": "gpt-4o-mini", "max_output_tokens": 60, "input": "Explain spending limits."], stream: false),
            Case(name: "openai responses stream", path: "/v1/responses", dialect: .openai,
                 body: ["model": "gpt-4o-mini", "max_output_tokens": 60, "stream": true, "input": "Explain holds, streaming."], stream: true),
            Case(name: "openai embeddings", path: "/v1/embeddings", dialect: .openai,
                 body: ["model": "text-embedding-3-small", "input": ["alpha beta gamma delta", "epsilon"]], stream: false, hasUpstreamID: false),
            Case(name: "anthropic messages", path: "/v1/messages", dialect: .anthropic,
                 body: ["model": "claude-haiku-4-5", "max_tokens": 60, "messages": [["role": "user", "content": "Tell me about the prompt cache, in a long sentence please."]]],
                 stream: false, headers: [("x-simulator-cached-tokens", "4"), ("x-simulator-cache-write-tokens", "3"),
                                          ("x-simulator-extended-cache-write-tokens", "2")]),
            Case(name: "anthropic messages stream", path: "/v1/messages", dialect: .anthropic,
                 body: ["model": "claude-haiku-4-5", "max_tokens": 60, "stream": true, "messages": [["role": "user", "content": "Stream about caches."]]], stream: true),
            Case(name: "gemini generateContent", path: "/v1beta/models/gemini-2.5-flash:generateContent", dialect: .gemini,
                 body: geminiBody, stream: false),
            Case(name: "gemini streamGenerateContent sse", path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", dialect: .gemini,
                 body: geminiBody, stream: true),
        ] }

        @Test("every endpoint, streamed and not: 200, one ledger row per call with the simulator's exact usage and a recomputable cost")
        func everyEndpointIsMeteredExactly() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("happy")
                try await Self.runMatrix(Self.cases, gateway: gateway, account: account)
            }
        }

        /// Sends every case, then checks each one's ledger row against the simulator's record.
        static func runMatrix(_ cases: [Case], gateway: GatewayProcess, account: Account) async throws {
            let rowsBefore = try await gateway.ledger().count
            let callsBefore = try await gateway.simulatorCalls().count
            var requestIDs: [(Case, String)] = []
            for item in cases {
                let path = item.path.replacingOccurrences(of: "{KEY}", with: account.secret)
                let auth = item.path.contains("{KEY}") ? [] : item.dialect.authHeaders(account.secret)
                let result = try await HTTP.post(gateway.dataURL + path, headers: auth + item.headers, json: item.body)
                #expect(result.status == 200, "\(item.name): \(result.status) \(result.text.prefix(300))")
                if item.jsonArrayStream {
                    let array = result.json as? [[String: Any]]
                    #expect(array?.isEmpty == false, "\(item.name): not a JSON array stream: \(result.text.prefix(200))")
                } else if item.stream {
                    let events = sseData(result.text).filter { $0 != "[DONE]" }
                    #expect(!events.isEmpty, "\(item.name): no SSE events")
                    for event in events {
                        #expect(jsonObject(event) != nil, "\(item.name): SSE data is not JSON: \(event.prefix(200))")
                    }
                } else {
                    #expect(result.json is [String: Any], "\(item.name): body is not a JSON object")
                }
                let requestID = try #require(result.headers.requestID, "\(item.name): no x-spendwall-request-id")
                requestIDs.append((item, requestID))
            }

            let rows = try await gateway.settled(rows: rowsBefore + cases.count)
            let calls = Array(try await gateway.simulatorCalls(atLeast: callsBefore + cases.count).dropFirst(callsBefore))
            #expect(rows.count == rowsBefore + cases.count)
            #expect(calls.count == cases.count)
            #expect(Set(rows.map(\.requestID)).count == rows.count, "duplicate ledger rows")
            for call in calls {
                #expect(call.sawSpendwallKey == false, "the virtual key leaked upstream on \(call.endpoint)")
                #expect(call.authorizationOK, "\(call.endpoint) reached the simulator without the upstream key")
                #expect(call.completed, "\(call.endpoint) was not completed")
            }
            for (item, requestID) in requestIDs {
                let row = try #require(rows.first { $0.requestID == requestID }, "\(item.name): no ledger row for \(requestID)")
                let call: SimCall
                if item.hasUpstreamID {
                    let upstreamID = try #require(row.upstreamID, "\(item.name): ledger row has no upstream_id")
                    call = try #require(calls.first { $0.id == upstreamID }, "\(item.name): no simulator call \(upstreamID)")
                } else {
                    call = try #require(calls.first { $0.endpoint == "openai.embeddings" })
                }
                #expect(call.stream == item.stream, "\(item.name)")
                #expect(row.status == "settled", "\(item.name): status \(row.status)")
                #expect(row.usage == Usage(call.usage), "\(item.name): ledger \(row.usage) vs simulator \(Usage(call.usage))")
                #expect(row.usage.input + row.usage.cachedInput + row.usage.cacheWrite > 0, "\(item.name): no input tokens")
                #expect(row.cost == row.recomputedCost, "\(item.name): cost \(row.cost) vs recomputed \(row.recomputedCost)")
                #expect(row.cost > 0 && row.cost <= row.hold, "\(item.name): cost \(row.cost) hold \(row.hold)")
                #expect(row.listCost == row.cost, "\(item.name)")
                if item.headers.contains(where: { $0.0 == "x-simulator-cached-tokens" }) {
                    #expect(row.usage.cachedInput == 4, "\(item.name): \(row.usage)")
                }
                if item.headers.contains(where: { $0.0 == "x-simulator-cache-write-tokens" }) {
                    #expect(row.usage.cacheWrite == 3, "\(item.name): \(row.usage)")
                }
                if item.headers.contains(where: { $0.0 == "x-simulator-extended-cache-write-tokens" }) {
                    // 1-hour cache writes are billed at their own rate, above the 5-minute one.
                    #expect(row.usage.extendedCacheWrite == 2, "\(item.name): \(row.usage)")
                    let extendedRate = try #require(row.rates.extendedCacheWrite, "\(item.name): no 1-hour cache-write rate")
                    #expect(extendedRate > (row.rates.cacheWrite ?? row.rates.input), "\(item.name): \(extendedRate)")
                }
                if item.expectsReasoning {
                    #expect(row.usage.reasoning > 0, "\(item.name): no reasoning tokens recorded")
                }
            }
            // The spend report agrees with the ledger.
            let total = rows.filter { $0.tenantID == account.tenant }.reduce(Int64(0)) { $0 + $1.cost }
            let spend = try await gateway.admin(.GET, "/spend?group_by=tenant").json as? [[String: Any]] ?? []
            let reported = spend.first { $0["group"] as? String == account.tenant }?["cost"] as? Int64
            #expect(reported == total, "spend report \(String(describing: reported)) vs ledger sum \(total)")
        }

        @Test("chat stream without stream_options: usage chunk hidden from the client, exact usage in the ledger; with include_usage it is shown")
        func streamUsageInjection() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("stream")

                let hidden = try await gateway.chat(secret: account.secret, stream: true)
                #expect(hidden.status == 200)
                let hiddenEvents = sseData(hidden.text)
                #expect(hiddenEvents.last == "[DONE]")
                let hiddenChunks = hiddenEvents.filter { $0 != "[DONE]" }.compactMap(jsonObject)
                #expect(hiddenChunks.count >= 2)
                for chunk in hiddenChunks {
                    let choices = chunk["choices"] as? [Any]
                    #expect(choices?.isEmpty == false, "the client saw a chunk without choices: \(chunk)")
                    #expect(chunk["usage"] == nil || chunk["usage"] is NSNull, "the client saw usage it did not ask for: \(chunk)")
                }
                let hiddenID = try #require(hidden.headers.requestID)

                let shown = try await gateway.chat(secret: account.secret, stream: true, extra: ["stream_options": ["include_usage": true]])
                #expect(shown.status == 200)
                let shownChunks = sseData(shown.text).filter { $0 != "[DONE]" }.compactMap(jsonObject)
                let usageChunk = try #require(shownChunks.first { ($0["choices"] as? [Any])?.isEmpty == true }, "no usage chunk although include_usage was set")
                let usage = try #require(usageChunk["usage"] as? [String: Any])
                let shownID = try #require(shown.headers.requestID)

                let rows = try await gateway.settled(rows: 2)
                let calls = try await gateway.simulatorCalls(atLeast: 2)
                let hiddenRow = try #require(rows.first { $0.requestID == hiddenID })
                let hiddenCall = try #require(calls.first { $0.id == hiddenRow.upstreamID })
                #expect(hiddenRow.status == "settled")
                #expect(hiddenRow.usage == Usage(hiddenCall.usage))
                #expect(hiddenRow.usage.output > 0)

                let shownRow = try #require(rows.first { $0.requestID == shownID })
                #expect(shownRow.status == "settled")
                #expect((usage["completion_tokens"] as? Int).map(Int64.init) == shownRow.usage.output + shownRow.usage.reasoning)
                #expect((usage["prompt_tokens"] as? Int).map(Int64.init) == shownRow.usage.input + shownRow.usage.cachedInput)
            }
        }

        @Test("a request without an output cap is forwarded with the default cap, and the hold prices exactly that cap")
        func defaultOutputCapIsWrittenIn() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("cap")
                let capped = try await gateway.makeKey(tenant: account.tenant, team: account.team, name: "five", extra: ["default_max_output_tokens": 5])

                // Raw bodies, so the byte count the hold is computed from is known here.
                let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Please write a long essay about spending controls."}]}"#
                let plain = try await HTTP.post(gateway.dataURL + "/v1/chat/completions", headers: Dialect.openai.authHeaders(account.secret), raw: body)
                #expect(plain.status == 200, "\(plain.text)")
                let five = try await HTTP.post(gateway.dataURL + "/v1/chat/completions", headers: Dialect.openai.authHeaders(capped.secret), raw: body)
                #expect(five.status == 200, "\(five.text)")

                let rows = try await gateway.settled(rows: 2)
                let calls = try await gateway.simulatorCalls(atLeast: 2)
                // gpt-4o-mini: 150000 pico-$/input token (the highest input-side rate), 600000 per output token;
                // input bound = body bytes + 64 framing tokens.
                func expectedHold(cap: Int64) -> Int64 {
                    let picos = Int64(body.utf8.count + 64) * 150_000 + cap * 600_000
                    return (picos + 999) / 1000
                }
                let plainRow = try #require(rows.first { $0.requestID == plain.headers.requestID })
                #expect(plainRow.hold == expectedHold(cap: 4096), "hold \(plainRow.hold) does not price the default cap of 4096")
                let plainCall = try #require(calls.first { $0.id == plainRow.upstreamID })
                #expect(plainCall.usage.output + plainCall.usage.reasoning <= 4096)

                let fiveRow = try #require(rows.first { $0.requestID == five.headers.requestID })
                #expect(fiveRow.hold == expectedHold(cap: 5), "hold \(fiveRow.hold) does not price the key's cap of 5")
                let fiveCall = try #require(calls.first { $0.id == fiveRow.upstreamID })
                // The simulator answers 8 to 64 words when uncapped: ≤ 5 proves the cap reached it.
                #expect(fiveCall.usage.output + fiveCall.usage.reasoning <= 5, "the simulator produced \(fiveCall.usage.output) tokens")
                #expect(fiveRow.usage == Usage(fiveCall.usage))
            }
        }

        @Test("GET /v1/models lists exactly the models a restricted key may use")
        func modelListIsFilteredByKey() async throws {
            try await withGateway { gateway, _ in
                let account = try await gateway.makeAccount("models", key: ["allowed_models": ["gpt-4o-mini"]])
                let result = try await HTTP.request(.GET, gateway.dataURL + "/v1/models", headers: Dialect.openai.authHeaders(account.secret))
                #expect(result.status == 200)
                let ids = (result.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(ids == ["gpt-4o-mini"], "\(ids)")

                let open = try await gateway.makeKey(tenant: account.tenant, team: nil, name: "open")
                let all = try await HTTP.request(.GET, gateway.dataURL + "/v1/models", headers: Dialect.openai.authHeaders(open.secret))
                let allIDs = (all.object["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(allIDs.contains("gpt-4o-mini") && allIDs.contains("gpt-4o") && allIDs.count > 10)

                let anonymous = try await HTTP.request(.GET, gateway.dataURL + "/v1/models")
                #expect(anonymous.status == 401)
            }
        }
    }
}
