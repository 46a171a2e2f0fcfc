/// The fields of an OpenAI Chat Completions request the simulator reads.
struct ChatCompletionRequest: Decodable, Sendable {
    struct StreamOptions: Decodable, Sendable {
        var include_usage: Bool?
    }

    var model: String
    var messages: TextBytes?
    var n: Int?
    var stream: Bool?
    var stream_options: StreamOptions?
    var max_tokens: Int?
    var max_completion_tokens: Int?

    var outputCap: Int? { max_completion_tokens ?? max_tokens }
    var includesUsage: Bool { stream_options?.include_usage ?? false }
    var service_tier: String?
}

/// The fields of an OpenAI Responses request the simulator reads.
struct ResponsesRequest: Decodable, Sendable {
    var model: String
    var input: TextBytes?
    var instructions: String?
    var stream: Bool?
    var max_output_tokens: Int?
    var service_tier: String?

    var inputBytes: Int { (input?.count ?? 0) + (instructions?.utf8.count ?? 0) }
}

/// The fields of an OpenAI Embeddings request the simulator reads.
struct EmbeddingsRequest: Decodable, Sendable {
    /// One input per embedding: its token count and a hash of its content (the vector's seed,
    /// so equal inputs embed equally whatever the rest of the request says).
    struct Inputs: Decodable, Sendable {
        var tokenCounts: [Int]
        var seeds: [UInt64]

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.init(texts: [text])
            } else if let texts = try? container.decode([String].self) {
                self.init(texts: texts)
            } else if let tokens = try? container.decode([Int].self) {
                self.init(tokenLists: [tokens])
            } else {
                self.init(tokenLists: try container.decode([[Int]].self))
            }
        }

        private init(texts: [String]) {
            tokenCounts = texts.map { InputMeter.tokens(forBytes: $0.utf8.count) }
            seeds = texts.map { SimulatorHash.fnv1a($0.utf8) }
        }

        private init(tokenLists: [[Int]]) {
            tokenCounts = tokenLists.map { max(1, $0.count) }
            seeds = tokenLists.map { tokens in tokens.reduce(SimulatorHash.mix(0)) { SimulatorHash.mix($0 ^ UInt64(truncatingIfNeeded: $1)) } }
        }
    }

    var model: String
    var input: Inputs
    var encoding_format: String?
    var dimensions: Int?
}

/// The fields of an Anthropic Messages (or count_tokens) request the simulator reads.
struct MessagesRequest: Decodable, Sendable {
    var model: String
    var system: TextBytes?
    var messages: TextBytes?
    var max_tokens: Int?
    var stream: Bool?

    var inputBytes: Int { (system?.count ?? 0) + (messages?.count ?? 0) }
}

/// The fields of a Gemini generateContent request the simulator reads.
struct GenerateContentRequest: Decodable, Sendable {
    struct GenerationConfig: Decodable, Sendable {
        var maxOutputTokens: Int?
        var candidateCount: Int?
    }

    var contents: TextBytes?
    var systemInstruction: TextBytes?
    var generationConfig: GenerationConfig?
    var serviceTier: String?
    var service_tier: String?

    var inputBytes: Int { (contents?.count ?? 0) + (systemInstruction?.count ?? 0) }

    /// What Gemini's `x-gemini-service-tier` header says for the tier asked for: `priority` and
    /// `flex` (either spelling) are served as asked, anything else at `standard`.
    var servedTier: String {
        switch (serviceTier ?? service_tier)?.lowercased() {
        case "priority", "service_tier_priority": "priority"
        case "flex", "service_tier_flex": "flex"
        default: "standard"
        }
    }
}

/// The `service_tier` OpenAI reports for a requested one: `priority` and `flex` are served as
/// asked; anything else (`auto`, `default`, none) by the standard tier, reported as `default`.
func servedServiceTier(requested: String?) -> String {
    requested == "priority" || requested == "flex" ? requested! : "default"
}
