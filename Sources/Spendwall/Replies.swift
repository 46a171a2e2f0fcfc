import SpendwallCore

/// One message of a conversation.
public struct ChatMessage: Sendable, Hashable {
    /// `system`, `user` or `assistant` (Gemini's `model` is written for `assistant`).
    public var role: String
    /// The text.
    public var content: String

    /// A message with any role.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// Instructions (OpenAI `system`, Anthropic `system`, Gemini `systemInstruction`).
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: text) }
    /// What the user says.
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
    /// An earlier answer.
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: text) }
}

/// A generated answer with what it cost.
public struct Reply: Sendable, Hashable {
    /// The generated text (all text parts joined).
    public var text: String
    /// The provider's id of the response.
    public var id: String?
    /// The model the provider reports.
    public var model: String?
    /// The usage the provider reported.
    public var usage: TokenUsage
    /// What was charged to the budget for it.
    public var cost: Money
}

/// Embedding vectors with what they cost.
public struct Embeddings: Sendable, Hashable {
    /// One vector per input, in input order.
    public var vectors: [[Double]]
    /// The usage the provider reported.
    public var usage: TokenUsage
    /// What was charged to the budget for it.
    public var cost: Money
}

/// One piece of a streamed answer.
public enum ReplyDelta: Sendable, Hashable {
    /// Generated text, as it arrives.
    case text(String)
    /// The stream ended and was charged: the usage the provider reported (nil when it sent
    /// none: the hold was charged) and the charge.
    case finished(usage: TokenUsage?, cost: Money)
}
