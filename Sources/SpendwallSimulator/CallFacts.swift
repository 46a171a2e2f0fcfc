import HTTPTypes
import Hummingbird
import SpendwallCore

/// What the simulator learned about a call before answering it.
struct CallFacts: Sendable {
    var endpoint: SimulatedEndpoint
    var model: String
    var stream: Bool
    /// The response id this call answers with.
    var id: String
    var sawSpendwallKey: Bool
    var authorizationOK: Bool
    var fault: SimulatorFault?
    var faultText: String?
    var cachedTokens: Int
    var cacheWriteTokens: Int
    var extendedCacheWriteTokens: Int = 0
    var audioTokens: Int = 0
    var audioOutputTokens: Int = 0
    /// The pause between stream chunks this call asked for (`x-simulator-chunk-delay-ms`),
    /// instead of the configured one.
    var chunkDelay: Duration?

    /// A log record of this call.
    func call(status: Int = 200, usage: TokenUsage = .zero, completed: Bool) -> SimulatedCall {
        SimulatedCall(
            id: id, endpoint: endpoint, model: model, stream: stream, status: status, usage: usage,
            completed: completed, sawSpendwallKey: sawSpendwallKey, authorizationOK: authorizationOK, fault: faultText
        )
    }

    /// True when any header value contains `sw-` (a Spendwall virtual key leaking upstream).
    static func containsSpendwallKey(_ headers: HTTPFields) -> Bool {
        headers.contains { field in
            var previous: (UInt8, UInt8) = (0, 0)
            for byte in field.value.utf8 {
                if byte == UInt8(ascii: "-"), previous == (UInt8(ascii: "s"), UInt8(ascii: "w")) { return true }
                previous = (previous.1, byte)
            }
            return false
        }
    }

    /// Whether the request carries the key `provider` must present; true when none is expected.
    static func isAuthorized(_ request: Request, provider: ProviderKind, expectedKeys: [ProviderKind: String]?) -> Bool {
        guard let expected = expectedKeys?[provider] else { return true }
        switch provider {
        case .openai:
            return request.headers[.authorization] == "Bearer " + expected
        case .anthropic:
            return request.headers[.anthropicAPIKey] == expected
        case .gemini:
            if request.headers[.googleAPIKey] == expected { return true }
            return request.uri.queryParameters.get("key") == expected
        }
    }

    /// A non-negative integer header, or 0.
    /// `x-simulator-chunk-delay-ms`, clamped to 0–10,000 ms; nil when absent or not a number.
    static func chunkDelay(_ headers: HTTPFields) -> Duration? {
        headers[.simulatorChunkDelay].flatMap { Int($0.trimmingSpaces) }.map { .milliseconds(min(max(0, $0), 10_000)) }
    }

    static func count(_ headers: HTTPFields, _ name: HTTPField.Name) -> Int {
        headers[name].flatMap { Int($0.trimmingSpaces) }.map { max(0, $0) } ?? 0
    }
}
