import Foundation
import NIOHTTP1
import SpendwallCore
import Testing

extension EndToEnd {
    @Suite struct BadInput {
        struct Expectation {
            var name: String
            var status: Int
            var type: String?
            var result: HTTPResult
            /// Text the error message must contain.
            var mentions: String?
        }

        @Test("bad requests get a 4xx with a clear message, never a 5xx, and nothing is charged or forwarded")
        func badRequestsAreRefusedCleanly() async throws {
            try await withGateway(configYAML: "max_body_bytes: 1000\n") { gateway, _ in
                let account = try await gateway.makeAccount("bad", key: ["allowed_models": ["gpt-4o-mini", "gpt-4o"], "allowed_tags": ["feature:search"]])
                let revoked = try await gateway.makeKey(tenant: account.tenant, team: account.team, name: "revoked")
                try await gateway.admin(.POST, "/keys/\(revoked.id)/revoke")
                let chatURL = gateway.dataURL + "/v1/chat/completions"
                let auth = Dialect.openai.authHeaders(account.secret)
                let open = try await gateway.makeKey(tenant: account.tenant, team: account.team, name: "open")
                let messages: [[String: Any]] = [["role": "user", "content": "hi"]]

                var checks: [Expectation] = []
                func check(_ name: String, _ status: Int, _ type: String?, mentions: String? = nil, _ result: HTTPResult) {
                    checks.append(Expectation(name: name, status: status, type: type, result: result, mentions: mentions))
                }
                check("malformed JSON", 400, nil, try await HTTP.post(chatURL, headers: auth, raw: #"{"model": "gpt-4o-mini", "messages": ["#))
                check("not an object", 400, nil, try await HTTP.post(chatURL, headers: auth, raw: #"["gpt-4o-mini"]"#))
                check("model not a string", 400, nil, try await HTTP.post(chatURL, headers: auth, json: ["model": 42, "messages": messages]))
                check("no model", 400, nil, try await HTTP.post(chatURL, headers: auth, json: ["messages": messages]))
                check("max_tokens -5", 400, nil, try await HTTP.post(chatURL, headers: auth, json: ["model": "gpt-4o-mini", "messages": messages, "max_tokens": -5]))
                check("max_tokens 0", 400, nil, try await HTTP.post(chatURL, headers: auth, json: ["model": "gpt-4o-mini", "messages": messages, "max_tokens": 0]))
                check("max_tokens 1e9", 400, nil, try await HTTP.post(chatURL, headers: auth, json: ["model": "gpt-4o-mini", "messages": messages, "max_tokens": 1_000_000_000]))
                check("max_tokens as a string", 400, nil, try await HTTP.post(chatURL, headers: auth, json: ["model": "gpt-4o-mini", "messages": messages, "max_tokens": "12"]))
                check("n 0", 400, nil, try await HTTP.post(chatURL, headers: auth, json: ["model": "gpt-4o-mini", "messages": messages, "n": 0]))
                check("unknown model", 400, "model_not_priced", mentions: "not-a-real-model",
                      try await HTTP.post(chatURL, headers: Dialect.openai.authHeaders(open.secret), json: ["model": "not-a-real-model", "messages": messages]))
                let big = String(repeating: "x", count: 5000)
                check("body over the limit", 413, nil, try await HTTP.post(chatURL, headers: auth, json: ["model": "gpt-4o-mini", "messages": [["role": "user", "content": big]]]))
                check("missing key", 401, "invalid_api_key", try await HTTP.post(chatURL, json: ["model": "gpt-4o-mini", "messages": messages]))
                check("garbage key", 401, "invalid_api_key", try await HTTP.post(chatURL, headers: [("authorization", "Bearer not-a-key")], json: ["model": "gpt-4o-mini", "messages": messages]))
                check("unknown sw- key", 401, "invalid_api_key", try await HTTP.post(chatURL, headers: [("authorization", "Bearer sw-" + String(repeating: "A", count: 43))], json: ["model": "gpt-4o-mini", "messages": messages]))
                check("revoked key", 401, "invalid_api_key", try await HTTP.post(chatURL, headers: Dialect.openai.authHeaders(revoked.secret), json: ["model": "gpt-4o-mini", "messages": messages]))
                check("key in the Gemini header", 401, "invalid_api_key", mentions: "Authorization",
                      try await HTTP.post(chatURL, headers: [("x-goog-api-key", account.secret)], json: ["model": "gpt-4o-mini", "messages": messages]))
                check("model not allowed", 403, "model_not_allowed", mentions: "gpt-4o-mini",
                      try await HTTP.post(chatURL, headers: auth, json: ["model": "gpt-4.1", "messages": messages]))
                check("feature not allowed", 403, "tag_not_allowed", mentions: "feature:billing",
                      try await HTTP.post(chatURL, headers: auth + [("x-spendwall-feature", "billing")], json: ["model": "gpt-4o-mini", "messages": messages]))
                check("anthropic max_tokens -1", 400, nil, try await gateway.call("/v1/messages", .anthropic, secret: account.secret, json: [
                    "model": "claude-haiku-4-5", "max_tokens": -1, "messages": messages,
                ]))
                check("gemini unknown model", 400, "model_not_priced", try await gateway.call("/v1beta/models/gemini-nope:generateContent", .gemini, secret: open.secret, json: [
                    "contents": [["parts": [["text": "hi"]]]],
                ]))

                for item in checks {
                    let result = item.result
                    #expect(result.status == item.status, "\(item.name): \(result.status) \(result.text.prefix(300))")
                    #expect(result.status < 500, "\(item.name): server error \(result.status)")
                    let message = result.errorMessage ?? ""
                    #expect(message.count >= 10, "\(item.name): no clear message: \(result.text.prefix(300))")
                    if let type = item.type {
                        let found = result.openAIErrorType ?? (result.object["error"] as? [String: Any]).flatMap { (($0["details"] as? [[String: Any]])?.first?["reason"]) as? String }
                        #expect(found == type, "\(item.name): type \(String(describing: found)), want \(type)")
                    }
                    if let mentions = item.mentions {
                        #expect(message.contains(mentions), "\(item.name): the message does not mention \(mentions): \(message)")
                    }
                }

                // Nothing was charged, held or forwarded.
                #expect(try await gateway.status().openHolds == 0)
                #expect(try await gateway.ledger().isEmpty, "a refused request left a ledger row")
                #expect(try await gateway.simulatorCalls().isEmpty, "a refused request reached the provider")

                // The same key still works for a valid request, with an allowed feature tag.
                let good = try await gateway.chat(secret: account.secret, headers: [("x-spendwall-feature", "search")])
                #expect(good.status == 200, "\(good.text)")
                let rows = try await gateway.settled(rows: 1)
                #expect(rows.count == 1)
            }
        }
    }
}
