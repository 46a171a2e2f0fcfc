/// An endpoint recognised from a request path, with the model named in the path (Gemini).
public struct EndpointRoute: Sendable, Hashable {
    /// The endpoint.
    public var endpoint: Endpoint
    /// The model from the path, for Gemini (`gemini-2.5-pro` from `/v1beta/models/gemini-2.5-pro:generateContent`).
    public var pathModel: String?
    /// The Gemini API version segment (`v1beta`, `v1`), for Gemini.
    public var geminiVersion: String?

    /// Creates a route.
    public init(endpoint: Endpoint, pathModel: String? = nil, geminiVersion: String? = nil) {
        self.endpoint = endpoint
        self.pathModel = pathModel
        self.geminiVersion = geminiVersion
    }

    /// Recognises a proxied path. A query string, if present, is ignored.
    ///
    /// ```swift
    /// EndpointRoute(path: "/v1/chat/completions")?.endpoint   // .openaiChatCompletions
    /// EndpointRoute(path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")?.pathModel
    /// // "gemini-2.5-flash"
    /// ```
    public init?(path: String) {
        var path = Substring(path)
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        switch path {
        case "/v1/chat/completions", "/chat/completions": self.init(endpoint: .openaiChatCompletions)
        case "/v1/responses", "/responses": self.init(endpoint: .openaiResponses)
        case "/v1/embeddings", "/embeddings": self.init(endpoint: .openaiEmbeddings)
        case "/v1/messages": self.init(endpoint: .anthropicMessages)
        case "/v1/messages/count_tokens": self.init(endpoint: .anthropicCountTokens)
        default:
            guard let route = Self.geminiRoute(path) else { return nil }
            self = route
        }
    }

    private static func geminiRoute(_ path: Substring) -> EndpointRoute? {
        // /{version}/models/{model}:{method}
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1].hasPrefix("v1"), parts[2] == "models" else { return nil }
        let last = parts[3]
        guard let colon = last.lastIndex(of: ":") else { return nil }
        let model = last[..<colon]
        let method = last[last.index(after: colon)...]
        guard !model.isEmpty else { return nil }
        let endpoint: Endpoint
        switch method {
        case "generateContent": endpoint = .geminiGenerateContent
        case "streamGenerateContent": endpoint = .geminiStreamGenerateContent
        default: return nil
        }
        return EndpointRoute(endpoint: endpoint, pathModel: String(model), geminiVersion: String(parts[1]))
    }
}
