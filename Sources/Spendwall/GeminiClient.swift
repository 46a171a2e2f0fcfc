import Foundation
import SpendwallCore
import SpendwallProviders

/// Gemini's generateContent, each call held and charged against the client's budget.
public struct GeminiClient: Sendable {
    let connection: ProviderConnection

    /// Generated content. `maxOutputTokens` caps the output (else the client's default cap is
    /// written into `generationConfig`).
    public func generate(model: String, messages: [ChatMessage], maxOutputTokens: Int? = nil) async throws -> Reply {
        let route = EndpointRoute(endpoint: .geminiGenerateContent, pathModel: model)
        let (object, usage, cost) = try await connection.send(route, json: body(messages, maxOutputTokens))
        return Reply(text: Self.text(object), id: object["responseId"] as? String, model: object["modelVersion"] as? String, usage: usage, cost: cost)
    }

    /// Streamed content (`streamGenerateContent?alt=sse`).
    public func generateStream(model: String, messages: [ChatMessage], maxOutputTokens: Int? = nil) async throws -> AsyncThrowingStream<ReplyDelta, any Error> {
        let route = EndpointRoute(endpoint: .geminiStreamGenerateContent, pathModel: model)
        var json = body(messages, maxOutputTokens)
        json["stream"] = nil
        let events = try await connection.stream(route, json: json)
        return ReplyStream.deltas(events) { object, _ in
            let text = Self.text(object)
            return text.isEmpty ? nil : text
        }
    }

    static func text(_ object: [String: Any]) -> String {
        let candidate = (object["candidates"] as? [[String: Any]])?.first
        let parts = (candidate?["content"] as? [String: Any])?["parts"] as? [[String: Any]] ?? []
        return parts.compactMap { $0["text"] as? String }.joined()
    }

    func body(_ messages: [ChatMessage], _ maxOutputTokens: Int?) -> [String: Any] {
        let system = messages.filter { $0.role == "system" }.map(\.content).joined(separator: "\n")
        var json: [String: Any] = [
            "contents": messages.filter { $0.role != "system" }.map { ["role": $0.role == "assistant" ? "model" : "user", "parts": [["text": $0.content]]] },
        ]
        if !system.isEmpty { json["systemInstruction"] = ["parts": [["text": system]]] }
        if let maxOutputTokens { json["generationConfig"] = ["maxOutputTokens": maxOutputTokens] }
        return json
    }
}
