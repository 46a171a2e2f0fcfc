import SpendwallCore

/// What one simulated generation produces: token counts and the shape of each choice, decided
/// up front from the request so a stream and its usage always agree.
struct CompletionPlan: Sendable {
    /// One choice (OpenAI) or candidate (Gemini).
    struct Choice: Sendable {
        /// Visible words (= visible output tokens), the marker included.
        var wordCount: Int
        /// Hidden reasoning tokens.
        var reasoningTokens: Int
        /// True when the request's output cap cut the answer short.
        var isCapped: Bool
    }

    /// Seed of the word sequence.
    var seed: UInt64
    /// All input tokens, cached ones included.
    var inputTokens: Int
    /// Input tokens reported as read from the prompt cache (≤ `inputTokens`).
    var cachedTokens: Int
    /// Input tokens reported as written to the (5-minute) prompt cache (Anthropic only).
    var cacheWriteTokens: Int
    /// Input tokens reported as written to the extended, 1-hour prompt cache (Anthropic only).
    var extendedCacheWriteTokens: Int
    /// Uncached input tokens reported as audio (≤ what the caches leave).
    var audioInputTokens: Int = 0
    /// Generated audio tokens, over all choices, reported inside the output count.
    var audioOutputTokens: Int = 0
    var choices: [Choice]

    /// Visible output tokens over all choices.
    var outputTokens: Int { choices.reduce(0) { $0 + $1.wordCount } }
    /// Reasoning tokens over all choices.
    var reasoningTokens: Int { choices.reduce(0) { $0 + $1.reasoningTokens } }
    /// Input tokens neither read from nor written to the cache (audio included).
    var uncachedInputTokens: Int { inputTokens - cachedTokens - cacheWriteTokens - extendedCacheWriteTokens }
    /// All cache-write input, both lifetimes (Anthropic's `cache_creation_input_tokens`).
    var cacheCreationTokens: Int { cacheWriteTokens + extendedCacheWriteTokens }
    /// True when any choice was capped.
    var isCapped: Bool { choices.contains { $0.isCapped } }

    /// The full text of choice `index`.
    func text(choice index: Int) -> String {
        WordSource.text(seed: seed, choice: index, range: 0..<choices[index].wordCount)
    }

    /// The usage of this plan in Spendwall's disjoint form, with `output` visible words actually sent.
    func usage(outputSent: Int? = nil) -> TokenUsage {
        TokenUsage(
            input: Int64(uncachedInputTokens - audioInputTokens),
            cachedInput: Int64(cachedTokens),
            cacheWrite: Int64(cacheWriteTokens),
            extendedCacheWrite: Int64(extendedCacheWriteTokens),
            output: Int64(outputSent ?? outputTokens),
            reasoning: Int64(reasoningTokens),
            audioInput: Int64(audioInputTokens),
            // A stream cut short never reaches the usage that reports generated audio.
            audioOutput: outputSent == nil ? Int64(audioOutputTokens) : 0
        )
    }

    /// Plans an answer.
    ///
    /// - Parameters:
    ///   - seed: hash of the request body.
    ///   - inputTokens: counted input tokens (at least 1 is used).
    ///   - choiceCount: `n` / `candidateCount` (1 to 128 used).
    ///   - outputCap: the request's output-token cap, reasoning included, if any.
    ///   - reasons: whether the model also spends hidden reasoning tokens (half the visible output).
    ///   - cachedTokens: requested cached input (clamped to the input).
    ///   - cacheWriteTokens: requested cache-write input (clamped to what remains).
    ///   - extendedCacheWriteTokens: requested 1-hour cache-write input (clamped to what then remains).
    ///   - audioInputTokens: requested audio input (clamped to the uncached input).
    ///   - audioOutputTokens: requested generated audio (clamped to what the output cap leaves).
    init(
        seed: UInt64, inputTokens: Int, choiceCount: Int = 1, outputCap: Int?, reasons: Bool,
        cachedTokens: Int = 0, cacheWriteTokens: Int = 0, extendedCacheWriteTokens: Int = 0,
        audioInputTokens: Int = 0, audioOutputTokens: Int = 0
    ) {
        self.seed = seed
        self.inputTokens = max(1, inputTokens)
        self.cachedTokens = min(max(0, cachedTokens), self.inputTokens)
        self.cacheWriteTokens = min(max(0, cacheWriteTokens), self.inputTokens - self.cachedTokens)
        self.extendedCacheWriteTokens = min(
            max(0, extendedCacheWriteTokens), self.inputTokens - self.cachedTokens - self.cacheWriteTokens
        )
        self.audioInputTokens = min(
            max(0, audioInputTokens), self.inputTokens - self.cachedTokens - self.cacheWriteTokens - self.extendedCacheWriteTokens
        )
        let cap = outputCap.map { max(1, $0) }
        self.choices = (0..<min(max(1, choiceCount), 128)).map { index in
            let desired = 8 + Int(SimulatorHash.mix(seed ^ UInt64(index)) % 57)
            let reasoning = reasons ? desired / 2 : 0
            guard let cap, desired + reasoning > cap else {
                return Choice(wordCount: desired, reasoningTokens: reasoning, isCapped: false)
            }
            let cappedReasoning = reasons ? cap / 3 : 0
            return Choice(wordCount: cap - cappedReasoning, reasoningTokens: cappedReasoning, isCapped: true)
        }
        let spent = outputTokens + reasoningTokens
        self.audioOutputTokens = min(max(0, audioOutputTokens), cap.map { max(0, $0 * choices.count - spent) } ?? .max)
    }
}

/// Counts input tokens the simulator way: one token per four UTF-8 bytes, rounded up.
enum InputMeter {
    /// Tokens for `bytes` bytes of text, at least 1.
    static func tokens(forBytes bytes: Int) -> Int {
        max(1, (bytes + 3) / 4)
    }
}
