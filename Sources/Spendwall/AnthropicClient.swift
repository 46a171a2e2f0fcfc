import Foundation
import SpendwallCore
import SpendwallProviders

/// Anthropic's messages API, each call held and charged against the client's budget.
public struct AnthropicClient: Sendable {
    let connection: ProviderConnection

    /// A message. System messages go to `system`; `maxTokens` is required by the API.
    public func message(model: String, messages: [ChatMessage], maxTokens: Int, extra: [String: any Sendable] = [:]) async throws -> Reply {
        let (object, usage, cost) = try await connection.send(EndpointRoute(endpoint: .anthropicMessages), json: body(model, messages, maxTokens, extra))
        let text = (object["content"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined()
        return Reply(text: text, id: object["id"] as? String, model: object["model"] as? String, usage: usage, cost: cost)
    }

    /// A streamed message: text deltas, then `.finished` once charged (usage from
    /// `message_start` and `message_delta`).
    public func messageStream(model: String, messages: [ChatMessage], maxTokens: Int, extra: [String: any Sendable] = [:]) async throws -> AsyncThrowingStream<ReplyDelta, any Error> {
        let events = try await connection.stream(EndpointRoute(endpoint: .anthropicMessages), json: body(model, messages, maxTokens, extra))
        return ReplyStream.deltas(events) { object, _ in
            guard object["type"] as? String == "content_block_delta", let delta = object["delta"] as? [String: Any] else { return nil }
            return delta["text"] as? String
        }
    }

    func body(_ model: String, _ messages: [ChatMessage], _ maxTokens: Int, _ extra: [String: any Sendable]) -> [String: Any] {
        let system = messages.filter { $0.role == "system" }.map(\.content).joined(separator: "\n")
        var json: [String: Any] = [
            "model": model, "max_tokens": maxTokens,
            "messages": messages.filter { $0.role != "system" }.map { ["role": $0.role, "content": $0.content] },
        ]
        if !system.isEmpty { json["system"] = system }
        for (key, value) in extra { json[key] = value }
        return json
    }
}
