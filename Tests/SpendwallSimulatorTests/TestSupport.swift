import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpendwallCore
@testable import SpendwallSimulator
import Testing

/// A JSON object from a response, for reading fields in tests.
typealias JSONObject = [String: Any]

/// Runs `body` against a fresh simulator served by Hummingbird's in-memory router test framework
/// (or a live server with `.live`).
func withSimulator(
    _ config: SimulatorConfig = SimulatorConfig(),
    setup: TestingSetup = .router,
    _ body: @Sendable (SimulatedProvider, any TestClientProtocol) async throws -> Void
) async throws {
    let simulator = SimulatedProvider(config: config)
    let app = Application(router: simulator.makeRouter())
    try await app.test(setup) { client in
        try await body(simulator, client)
    }
}

extension TestClientProtocol {
    /// POSTs `json` to `uri`.
    func post(_ uri: String, _ json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    func object() throws -> JSONObject {
        try #require(JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? JSONObject)
    }

    /// The body as server-sent events.
    var events: [SSEEvent] { SSEEvent.parse(text) }
}

/// One server-sent event.
struct SSEEvent {
    var name: String?
    var data: String

    /// The data as a JSON object, or nil (e.g. `[DONE]`).
    var object: JSONObject? {
        (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? JSONObject
    }

    /// Parses complete events (blank-line terminated); an unterminated tail is dropped.
    static func parse(_ text: String) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var remaining = Substring(text)
        while let end = remaining.range(of: "\n\n") {
            let block = remaining[..<end.lowerBound]
            remaining = remaining[end.upperBound...]
            var event = SSEEvent(name: nil, data: "")
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { event.data += line.dropFirst(6) }
            }
            events.append(event)
        }
        return events
    }
}

/// Nested lookup: `value(json, "usage", "prompt_tokens_details", "cached_tokens")`.
func value(_ json: Any?, _ path: Any...) -> Any? {
    var current = json
    for key in path {
        switch key {
        case let key as String: current = (current as? JSONObject)?[key]
        case let index as Int:
            guard let array = current as? [Any], array.indices.contains(index) else { return nil }
            current = array[index]
        default: return nil
        }
    }
    return current
}

func int(_ json: Any?, _ path: Any...) -> Int? {
    var current = json
    for key in path { current = value(current, key) }
    return current as? Int
}

func string(_ json: Any?, _ path: Any...) -> String? {
    var current = json
    for key in path { current = value(current, key) }
    return current as? String
}

/// Words in `text` (the simulator emits one token per word).
func wordCount(_ text: String) -> Int {
    text.split(whereSeparator: { $0 == " " }).count
}

/// The simulator's input-token count for `text`.
func inputTokens(_ text: String) -> Int {
    max(1, (text.utf8.count + 3) / 4)
}

extension HTTPField.Name {
    static let testAPIKey = HTTPField.Name("x-api-key")!
    static let testGoogleKey = HTTPField.Name("x-goog-api-key")!
}
