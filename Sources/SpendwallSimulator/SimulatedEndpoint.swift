public import SpendwallCore

/// The provider endpoints the simulator answers.
public enum SimulatedEndpoint: String, Sendable, Hashable, Codable, CaseIterable {
    /// OpenAI `POST /v1/chat/completions`.
    case chatCompletions = "openai.chat.completions"
    /// OpenAI `POST /v1/responses`.
    case responses = "openai.responses"
    /// OpenAI `POST /v1/embeddings`.
    case embeddings = "openai.embeddings"
    /// Anthropic `POST /v1/messages`.
    case messages = "anthropic.messages"
    /// Anthropic `POST /v1/messages/count_tokens`.
    case countTokens = "anthropic.count_tokens"
    /// Gemini `POST /v1beta/models/{model}:generateContent`.
    case generateContent = "gemini.generateContent"
    /// Gemini `POST /v1beta/models/{model}:streamGenerateContent`.
    case streamGenerateContent = "gemini.streamGenerateContent"

    /// The provider whose dialect this endpoint speaks.
    public var provider: ProviderKind {
        switch self {
        case .chatCompletions, .responses, .embeddings: .openai
        case .messages, .countTokens: .anthropic
        case .generateContent, .streamGenerateContent: .gemini
        }
    }
}
