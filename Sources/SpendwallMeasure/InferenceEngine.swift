/// A self-hosted inference engine whose `/metrics` Spendwall understands.
public enum InferenceEngine: String, Sendable, Hashable, Codable, CaseIterable {
    /// vLLM, both the V0 engine's and the V1 engine's metric names.
    case vllm
    /// SGLang.
    case sglang
    /// Hugging Face Text Generation Inference.
    case tgi

    /// The engine whose metric names appear in a scrape (first match of vLLM, SGLang, TGI), or
    /// `nil` when none does.
    public static func detect(in metrics: MetricSet) -> InferenceEngine? {
        let names = metrics.names
        if names.contains(where: { $0.hasPrefix("vllm:") }) { return .vllm }
        if names.contains(where: { $0.hasPrefix("sglang:") }) { return .sglang }
        if names.contains(where: { $0.hasPrefix("tgi_") }) { return .tgi }
        return nil
    }

    /// Where this engine publishes each quantity Spendwall measures.
    public var metricNames: EngineMetricNames {
        switch self {
        case .vllm:
            // V0 and V1 share the token counters, the running gauge and TTFT. The per-token
            // latency histogram is `time_per_output_token_seconds` in V0 and early V1, renamed
            // `inter_token_latency_seconds` (vLLM 0.10, the old name deprecated); V1 also has a
            // per-request mean, `request_time_per_output_token_seconds`, used only as a last resort.
            return EngineMetricNames(
                promptTokens: .counter("vllm:prompt_tokens_total"),
                generationTokens: .counter("vllm:generation_tokens_total"),
                runningRequests: "vllm:num_requests_running",
                timeToFirstToken: ["vllm:time_to_first_token_seconds"],
                timePerOutputToken: [
                    "vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds",
                    "vllm:request_time_per_output_token_seconds",
                ],
                configInfo: "vllm:cache_config_info"
            )
        case .sglang:
            return EngineMetricNames(
                promptTokens: .counter("sglang:prompt_tokens_total"),
                generationTokens: .counter("sglang:generation_tokens_total"),
                runningRequests: "sglang:num_running_reqs",
                timeToFirstToken: ["sglang:time_to_first_token_seconds"],
                timePerOutputToken: ["sglang:inter_token_latency_seconds", "sglang:time_per_output_token_seconds"],
                configInfo: nil
            )
        case .tgi:
            // TGI has no token counters. Every validated request observes its input length once
            // and every finished request its generated tokens once, so the histograms' `_sum`
            // deltas count tokens exactly (attributed at admission and at completion). No TTFT.
            return EngineMetricNames(
                promptTokens: .histogramSum("tgi_request_input_length"),
                generationTokens: .histogramSum("tgi_request_generated_tokens"),
                runningRequests: "tgi_batch_current_size",
                timeToFirstToken: [],
                timePerOutputToken: ["tgi_request_mean_time_per_token_duration"],
                configInfo: nil
            )
        }
    }
}

/// The series an engine publishes for each measured quantity.
public struct EngineMetricNames: Sendable, Hashable {
    /// Where a token count lives.
    public enum TokenSource: Sendable, Hashable {
        /// A counter, summed over label sets.
        case counter(String)
        /// The `_sum` of a histogram family whose observations are token counts.
        case histogramSum(String)

        /// The series name to read.
        public var seriesName: String {
            switch self {
            case .counter(let name): name
            case .histogramSum(let family): family + "_sum"
            }
        }
    }

    /// Prompt (prefill) tokens.
    public var promptTokens: TokenSource
    /// Generated tokens.
    public var generationTokens: TokenSource
    /// The gauge of requests being executed now.
    public var runningRequests: String
    /// Time-to-first-token histogram families, preferred first.
    public var timeToFirstToken: [String]
    /// Time-per-output-token histogram families, preferred first.
    public var timePerOutputToken: [String]
    /// An info gauge whose labels describe the engine's configuration, if any.
    public var configInfo: String?
}
