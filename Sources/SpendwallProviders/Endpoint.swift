public import SpendwallCore

/// A provider API endpoint that the gateway proxies.
public enum Endpoint: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// OpenAI `POST /v1/chat/completions`.
    case openaiChatCompletions
    /// OpenAI `POST /v1/responses`.
    case openaiResponses
    /// OpenAI `POST /v1/embeddings`.
    case openaiEmbeddings
    /// Anthropic `POST /v1/messages`.
    case anthropicMessages
    /// Anthropic `POST /v1/messages/count_tokens` (free).
    case anthropicCountTokens
    /// Gemini `POST /{version}/models/{model}:generateContent`.
    case geminiGenerateContent
    /// Gemini `POST /{version}/models/{model}:streamGenerateContent` (SSE with `alt=sse`,
    /// otherwise a streamed JSON array).
    case geminiStreamGenerateContent

    /// The provider whose API this endpoint belongs to.
    public var provider: ProviderKind {
        switch self {
        case .openaiChatCompletions, .openaiResponses, .openaiEmbeddings: .openai
        case .anthropicMessages, .anthropicCountTokens: .anthropic
        case .geminiGenerateContent, .geminiStreamGenerateContent: .gemini
        }
    }

    /// Whether the provider charges for calls to this endpoint. Token counting is free.
    public var isBillable: Bool { self != .anthropicCountTokens }

    /// Whether responses from this endpoint can be streamed.
    public var canStream: Bool {
        switch self {
        case .openaiChatCompletions, .openaiResponses, .anthropicMessages, .geminiStreamGenerateContent: true
        case .openaiEmbeddings, .anthropicCountTokens, .geminiGenerateContent: false
        }
    }

    /// Whether the model is named in the URL path (Gemini) instead of the body.
    public var modelIsInPath: Bool { provider == .gemini }

    /// The catalog mode of models served here.
    public var modelMode: ModelMode {
        switch self {
        case .openaiResponses: .responses
        case .openaiEmbeddings: .embedding
        default: .chat
        }
    }

    /// The upstream request path, without query.
    ///
    /// ```swift
    /// Endpoint.openaiChatCompletions.upstreamPath()                   // "/v1/chat/completions"
    /// Endpoint.geminiGenerateContent.upstreamPath(model: "gemini-2.5-pro")
    /// // "/v1beta/models/gemini-2.5-pro:generateContent"
    /// ```
    ///
    /// - Parameters:
    ///   - model: the Gemini model; ignored for other providers. A leading `models/` is accepted.
    ///   - geminiVersion: the Gemini API version segment, `v1beta` or `v1`.
    public func upstreamPath(model: String? = nil, geminiVersion: String = "v1beta") -> String {
        switch self {
        case .openaiChatCompletions: return "/v1/chat/completions"
        case .openaiResponses: return "/v1/responses"
        case .openaiEmbeddings: return "/v1/embeddings"
        case .anthropicMessages: return "/v1/messages"
        case .anthropicCountTokens: return "/v1/messages/count_tokens"
        case .geminiGenerateContent, .geminiStreamGenerateContent:
            var name = Substring(model ?? "")
            if name.hasPrefix("models/") { name = name.dropFirst("models/".count) }
            let method = self == .geminiGenerateContent ? "generateContent" : "streamGenerateContent"
            return "/\(geminiVersion)/models/\(name):\(method)"
        }
    }

    /// The case name, e.g. `openaiChatCompletions`.
    public var description: String { rawValue }
}
