import SpendwallCore

/// Anthropic Messages `usage` (response body, `message_start`, `message_delta`).
struct AnthropicUsage: Decodable, Sendable {
    /// `usage.cache_creation`: the cache-write total split by cache lifetime.
    struct CacheCreation: Decodable, Sendable {
        var ephemeral5mInputTokens: Int64?
        var ephemeral1hInputTokens: Int64?

        enum CodingKeys: String, CodingKey {
            case ephemeral5mInputTokens = "ephemeral_5m_input_tokens"
            case ephemeral1hInputTokens = "ephemeral_1h_input_tokens"
        }

        /// `self` with every count that `later` reports replaced.
        func updated(by later: CacheCreation) -> CacheCreation {
            CacheCreation(
                ephemeral5mInputTokens: later.ephemeral5mInputTokens ?? ephemeral5mInputTokens,
                ephemeral1hInputTokens: later.ephemeral1hInputTokens ?? ephemeral1hInputTokens
            )
        }
    }

    var inputTokens: Int64?
    var outputTokens: Int64?
    /// Total cache-write input: 5-minute and 1-hour writes together.
    var cacheCreationInputTokens: Int64?
    var cacheReadInputTokens: Int64?
    var cacheCreation: CacheCreation?

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
        case cacheCreation = "cache_creation"
    }

    /// Anthropic's kinds are already disjoint: `input_tokens` excludes cache reads and writes, and
    /// thinking is billed inside `output_tokens`.
    ///
    /// Cache writes: without a `cache_creation` breakdown the whole `cache_creation_input_tokens`
    /// total is a (5-minute) `cacheWrite`. With one, the 1-hour part is `extendedCacheWrite` and the
    /// 5-minute part is `cacheWrite`; any part of the total the breakdown does not account for is
    /// also billed as `cacheWrite` (never lost), and a breakdown larger than the total is trusted
    /// as is (never double counted: the written tokens are `max(total, 5m + 1h)`).
    var tokenUsage: TokenUsage {
        let total = nonNegative(cacheCreationInputTokens ?? 0)
        var cacheWrite = total
        var extendedCacheWrite: Int64 = 0
        if let breakdown = cacheCreation {
            let fiveMinute = nonNegative(breakdown.ephemeral5mInputTokens ?? 0)
            let oneHour = nonNegative(breakdown.ephemeral1hInputTokens ?? 0)
            let unaccounted = nonNegative(total - fiveMinute.saturatingAdding(oneHour))
            cacheWrite = fiveMinute.saturatingAdding(unaccounted)
            extendedCacheWrite = oneHour
        }
        return TokenUsage(
            input: nonNegative(inputTokens ?? 0),
            cachedInput: nonNegative(cacheReadInputTokens ?? 0),
            cacheWrite: cacheWrite,
            extendedCacheWrite: extendedCacheWrite,
            output: nonNegative(outputTokens ?? 0)
        )
    }

    /// `self` with every count that `later` reports replaced (`message_delta` counts are cumulative).
    func updated(by later: AnthropicUsage) -> AnthropicUsage {
        let breakdown: CacheCreation? = switch (cacheCreation, later.cacheCreation) {
        case let (earlier?, newer?): earlier.updated(by: newer)
        case let (earlier, newer): newer ?? earlier
        }
        return AnthropicUsage(
            inputTokens: later.inputTokens ?? inputTokens,
            outputTokens: later.outputTokens ?? outputTokens,
            cacheCreationInputTokens: later.cacheCreationInputTokens ?? cacheCreationInputTokens,
            cacheReadInputTokens: later.cacheReadInputTokens ?? cacheReadInputTokens,
            cacheCreation: breakdown
        )
    }
}

extension AnthropicUsage {
    static let nestedKeys = ["cache_creation"]

    init(_ counts: UsageCounts) throws(UsageCounts.Mismatch) {
        self.init(
            inputTokens: try counts.count("input_tokens"),
            outputTokens: try counts.count("output_tokens"),
            cacheCreationInputTokens: try counts.count("cache_creation_input_tokens"),
            cacheReadInputTokens: try counts.count("cache_read_input_tokens"),
            cacheCreation: try counts.nested("cache_creation").map { breakdown throws(UsageCounts.Mismatch) in
                CacheCreation(
                    ephemeral5mInputTokens: try breakdown.count("ephemeral_5m_input_tokens"),
                    ephemeral1hInputTokens: try breakdown.count("ephemeral_1h_input_tokens")
                )
            }
        )
    }
}

/// An Anthropic stream event, reduced to what the tracker reads.
struct AnthropicStreamEvent: Decodable, Sendable {
    struct Message: Decodable, Sendable {
        var id: String?
        var model: String?
        var usage: AnthropicUsage?
    }

    struct Delta: Decodable, Sendable {
        var text: String?
        var partialJSON: String?
        var thinking: String?

        enum CodingKeys: String, CodingKey {
            case text, thinking
            case partialJSON = "partial_json"
        }

        var generatedByteCount: Int {
            (text?.utf8.count ?? 0) + (partialJSON?.utf8.count ?? 0) + (thinking?.utf8.count ?? 0)
        }
    }

    struct ErrorObject: Decodable, Sendable {
        var type: String?
        var message: String?
    }

    var type: String?
    var message: Message?
    var delta: Delta?
    var usage: AnthropicUsage?
    var error: ErrorObject?
}
