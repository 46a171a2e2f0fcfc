import Foundation
import SpendwallCore
import SpendwallProviders

/// OpenAI's chat completions, responses and embeddings, each call held and charged against the
/// client's budget. Any OpenAI-compatible server works with `baseURL`.
public struct OpenAIClient: Sendable {
    let connection: ProviderConnection

    /// A chat completion. `maxTokens` caps the output; without it the client's default cap is
    /// written into the request, so the hold is a true upper bound.
    public func chat(model: String, messages: [ChatMessage], maxTokens: Int? = nil, extra: [String: any Sendable] = [:]) async throws -> Reply {
        let (object, usage, cost) = try await connection.send(EndpointRoute(endpoint: .openaiChatCompletions), json: body(model, messages, maxTokens, extra))
        let choice = (object["choices"] as? [[String: Any]])?.first
        let text = (choice?["message"] as? [String: Any])?["content"] as? String ?? ""
        return Reply(text: text, id: object["id"] as? String, model: object["model"] as? String, usage: usage, cost: cost)
    }

    /// A streamed chat completion: text deltas as they arrive, then `.finished` once it is charged
    /// (at the usage OpenAI reports; the gateway's `include_usage` is asked for).
    public func chatStream(model: String, messages: [ChatMessage], maxTokens: Int? = nil, extra: [String: any Sendable] = [:]) async throws -> AsyncThrowingStream<ReplyDelta, any Error> {
        let events = try await connection.stream(EndpointRoute(endpoint: .openaiChatCompletions), json: body(model, messages, maxTokens, extra))
        return ReplyStream.deltas(events) { object, _ in
            let choice = (object["choices"] as? [[String: Any]])?.first
            return (choice?["delta"] as? [String: Any])?["content"] as? String
        }
    }

    /// A Responses API call with text input.
    public func respond(model: String, input: String, maxOutputTokens: Int? = nil, extra: [String: any Sendable] = [:]) async throws -> Reply {
        var json: [String: Any] = ["model": model, "input": input]
        if let maxOutputTokens { json["max_output_tokens"] = maxOutputTokens }
        for (key, value) in extra { json[key] = value }
        let (object, usage, cost) = try await connection.send(EndpointRoute(endpoint: .openaiResponses), json: json)
        let parts = (object["output"] as? [[String: Any]] ?? []).flatMap { $0["content"] as? [[String: Any]] ?? [] }
        let text = parts.filter { $0["type"] as? String == "output_text" }.compactMap { $0["text"] as? String }.joined()
        return Reply(text: text, id: object["id"] as? String, model: object["model"] as? String, usage: usage, cost: cost)
    }

    /// A streamed Responses API call.
    public func respondStream(model: String, input: String, maxOutputTokens: Int? = nil) async throws -> AsyncThrowingStream<ReplyDelta, any Error> {
        var json: [String: Any] = ["model": model, "input": input]
        if let maxOutputTokens { json["max_output_tokens"] = maxOutputTokens }
        let events = try await connection.stream(EndpointRoute(endpoint: .openaiResponses), json: json)
        return ReplyStream.deltas(events) { object, event in
            (event == "response.output_text.delta" || object["type"] as? String == "response.output_text.delta") ? object["delta"] as? String : nil
        }
    }

    /// Embeddings of each input.
    public func embeddings(model: String, input: [String]) async throws -> Embeddings {
        let (object, usage, cost) = try await connection.send(EndpointRoute(endpoint: .openaiEmbeddings), json: ["model": model, "input": input])
        let vectors = (object["data"] as? [[String: Any]] ?? []).map { ($0["embedding"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue } }
        return Embeddings(vectors: vectors, usage: usage, cost: cost)
    }

    func body(_ model: String, _ messages: [ChatMessage], _ maxTokens: Int?, _ extra: [String: any Sendable]) -> [String: Any] {
        var json: [String: Any] = ["model": model, "messages": messages.map { ["role": $0.role, "content": $0.content] }]
        if let maxTokens { json["max_tokens"] = maxTokens }
        for (key, value) in extra { json[key] = value }
        return json
    }
}
