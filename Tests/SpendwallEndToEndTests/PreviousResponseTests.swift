import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    /// `previous_response_id` continues a conversation the provider keeps under the operator's
    /// key: the gateway admits it only for the tenant whose ledger has that response, and holds
    /// for the conversation's tokens, which the body does not carry.
    @Suite struct PreviousResponse {
        @Test("previous_response_id: the owner's tenant continues (streamed ones at once), the hold covers the stored conversation; another tenant's or an unknown id is 404 previous_response_not_found with nothing sent upstream; `conversation` is refused")
        func continuesOnlyWithinTenant() async throws {
            try await withGateway { gateway, _ in
                let acme = try await gateway.makeAccount("prev-a")
                let globex = try await gateway.makeAccount("prev-b")
                let longInput = String(repeating: "Remember this sentence for later. ", count: 200)
                let first = try await gateway.call("/v1/responses", .openai, secret: acme.secret, json: ["model": "gpt-4o-mini", "max_output_tokens": 50, "input": longInput])
                #expect(first.status == 200, "\(first.text)")
                let firstID = try #require(first.object["id"] as? String)
                let firstRow = try #require(try await gateway.ledger(tenant: acme.tenant).first { $0.upstreamID == firstID })
                let priorTokens = firstRow.usage.input + firstRow.usage.output
                #expect(priorTokens > 1_000)

                // The owner continues; its hold covers the stored conversation as well as the body.
                let follow: [String: Any] = ["model": "gpt-4o-mini", "max_output_tokens": 50, "input": "And now?", "previous_response_id": firstID]
                let second = try await gateway.call("/v1/responses", .openai, secret: acme.secret, json: follow)
                #expect(second.status == 200, "\(second.text)")
                var alone = follow
                alone["previous_response_id"] = nil
                #expect(try await gateway.call("/v1/responses", .openai, secret: acme.secret, json: alone).status == 200)
                let rows = try await gateway.settled(rows: 3, tenant: acme.tenant)
                let chained = try #require(rows.first { $0.upstreamID == second.object["id"] as? String })
                let unchained = try #require(rows.filter { $0.tenantID == acme.tenant }.first { $0.upstreamID != firstID && $0.upstreamID != chained.upstreamID })
                // gpt-4o-mini input: $0.15 per million = 150 nano-dollars per token.
                #expect(chained.hold - unchained.hold >= priorTokens * 150, "chained hold \(chained.hold), alone \(unchained.hold)")

                // Another tenant naming it, or anyone naming an unknown id: the same 404, nothing upstream.
                let callsBefore = try await gateway.simulatorCalls().count
                let foreign = try await gateway.call("/v1/responses", .openai, secret: globex.secret, json: follow)
                var unknown = follow
                unknown["previous_response_id"] = "resp_does_not_exist"
                let missing = try await gateway.call("/v1/responses", .openai, secret: globex.secret, json: unknown)
                for answer in [foreign, missing] {
                    #expect(answer.status == 404, "\(answer.text)")
                    let error = answer.object["error"] as? [String: Any] ?? [:]
                    #expect(error["code"] as? String == "previous_response_not_found")
                    #expect(error["param"] as? String == "previous_response_id")
                    #expect(error["type"] as? String == "invalid_request_error")
                }
                #expect(foreign.errorMessage == "Previous response with id '\(firstID)' not found.")
                #expect(try await gateway.simulatorCalls().count == callsBefore)

                // A streamed response is continued the moment its last event arrives.
                let streamed = try await HTTP.post(
                    gateway.dataURL + "/v1/responses", headers: Dialect.openai.authHeaders(acme.secret),
                    json: ["model": "gpt-4o-mini", "max_output_tokens": 20, "input": "stream", "stream": true]
                )
                let created = sseData(streamed.text).compactMap(jsonObject).first { $0["type"] as? String == "response.created" }
                let streamedID = try #require((created?["response"] as? [String: Any])?["id"] as? String)
                var next = follow
                next["previous_response_id"] = streamedID
                let continued = try await gateway.call("/v1/responses", .openai, secret: acme.secret, json: next)
                #expect(continued.status == 200, "\(continued.text)")

                let conversation = try await gateway.call("/v1/responses", .openai, secret: acme.secret, json: ["model": "gpt-4o-mini", "input": "x", "conversation": "conv_123"])
                #expect(conversation.status == 400)
                #expect(conversation.errorMessage?.contains("conversation") == true)
            }
        }
    }
}
