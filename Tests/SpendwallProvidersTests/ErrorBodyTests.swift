import Foundation
import NIOCore
import SpendwallCore
import SpendwallProviders
import Testing

@Suite struct ErrorBodyTests {
    let extra = ["budget": "team \"ml\"", "limit": "$100.00"]

    @Test func openai() throws {
        let body = ErrorBody.make(provider: .openai, status: 402, type: "budget_exceeded", message: "Budget \"ml\" is spent.\n", extra: extra)
        let error = try #require(jsonObject(body)?["error"] as? NSDictionary)
        #expect(error["message"] as? String == "Budget \"ml\" is spent.\n")
        #expect(error["type"] as? String == "budget_exceeded")
        #expect(error["code"] as? String == "budget_exceeded")
        #expect(error["param"] is NSNull)
        #expect(error["budget"] as? String == "team \"ml\"")
        #expect(error["limit"] as? String == "$100.00")
        #expect(jsonObject(body)?.count == 1)
    }

    @Test func anthropic() throws {
        let body = ErrorBody.make(provider: .anthropic, status: 429, type: "rate_limited", message: "Slow down", extra: extra)
        let root = try #require(jsonObject(body))
        #expect(root["type"] as? String == "error")
        let error = try #require(root["error"] as? NSDictionary)
        #expect(error["type"] as? String == "rate_limited")
        #expect(error["message"] as? String == "Slow down")
        #expect(error["budget"] as? String == "team \"ml\"")
    }

    @Test func gemini() throws {
        let body = ErrorBody.make(provider: .gemini, status: 403, type: "key_blocked", message: "Key blocked", extra: ["message": "ignored"])
        let error = try #require(jsonObject(body)?["error"] as? NSDictionary)
        #expect(error["code"] as? Int == 403)
        #expect(error["message"] as? String == "Key blocked")
        #expect(error["status"] as? String == "PERMISSION_DENIED")
        let details = try #require(error["details"] as? [NSDictionary])
        #expect(details.first?["reason"] as? String == "key_blocked")
        #expect(details.first?["@type"] as? String == "type.googleapis.com/google.rpc.ErrorInfo")
    }

    @Test func googleStatuses() {
        let expected: [Int: String] = [
            400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 402: "RESOURCE_EXHAUSTED", 403: "PERMISSION_DENIED",
            404: "NOT_FOUND", 413: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE",
            503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
        ]
        for (status, name) in expected { #expect(ErrorBody.googleStatus(forHTTPStatus: status) == name) }
    }

    @Test func extractorFindsNoUsageInOurOwnErrors() {
        for endpoint in Endpoint.allCases {
            let body = ErrorBody.make(provider: endpoint.provider, status: 400, type: "invalid_request", message: "x")
            #expect(UsageExtractor.fromResponseBody(body, endpoint: endpoint) == nil)
        }
    }
}
