import SpendwallMeasure
import Testing

@Suite struct EngineDetectionTests {
    static func window(_ first: String, _ last: String) throws -> MetricsWindow {
        var window = MetricsWindow()
        try window.add(first, at: .zero)
        try window.add(last, at: .seconds(10))
        return window
    }

    @Test("the V0 snapshot is vLLM and its per-token latency is time_per_output_token_seconds")
    func vllmV0Names() throws {
        let set = try PrometheusText.parse(Fixture.vllmV0)
        #expect(InferenceEngine.detect(in: set) == .vllm)
        let result = try Self.window(Fixture.vllmV0Start, Fixture.vllmV0).economics(gpuCost: nil, compare: nil)
        #expect(result.timeToFirstTokenMetric == "vllm:time_to_first_token_seconds")
        #expect(result.timePerOutputTokenMetric == "vllm:time_per_output_token_seconds")
    }

    @Test("the V1 snapshot is vLLM and its per-token latency is inter_token_latency_seconds")
    func vllmV1Names() throws {
        #expect(InferenceEngine.detect(in: try PrometheusText.parse(Fixture.vllmV1)) == .vllm)
        let start = Fixture.lowering(Fixture.vllmV1, [("vllm:prompt_tokens_total{", 30), ("vllm:generation_tokens_total{", 300)])
        let result = try Self.window(start, Fixture.vllmV1).economics(gpuCost: nil, compare: nil)
        #expect(result.promptTokens == 30)
        #expect(result.generationTokens == 300)
        #expect(result.timePerOutputTokenMetric == "vllm:inter_token_latency_seconds")
    }

    @Test("when an engine exports both names (vLLM 0.10) the newer inter_token_latency_seconds wins")
    func bothNames() throws {
        let text = """
        vllm:time_per_output_token_seconds_bucket{le="0.1",model_name="m"} 1
        vllm:time_per_output_token_seconds_bucket{le="+Inf",model_name="m"} 1
        vllm:inter_token_latency_seconds_bucket{engine="0",le="0.2",model_name="m"} 2
        vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} 2
        vllm:num_requests_running{model_name="m"} 0
        """
        let result = try Self.window(text, text).economics(gpuCost: nil, compare: nil)
        #expect(result.timePerOutputTokenMetric == "vllm:inter_token_latency_seconds")
    }

    @Test("SGLang and TGI are detected from their names; TGI tokens come from exact histogram sums and it has no TTFT")
    func otherEngines() throws {
        // Constructed texts using the engines' documented metric names (see SOURCES.md).
        let sglang = """
        sglang:prompt_tokens_total{model_name="m"} 100
        sglang:generation_tokens_total{model_name="m"} 40
        sglang:num_running_reqs{model_name="m"} 1
        """
        #expect(InferenceEngine.detect(in: try PrometheusText.parse(sglang)) == .sglang)
        let tgiStart = """
        tgi_request_input_length_sum 1000
        tgi_request_input_length_count 10
        tgi_request_generated_tokens_sum 5000
        tgi_request_generated_tokens_count 10
        tgi_batch_current_size 0
        """
        let tgiEnd = """
        tgi_request_input_length_sum 1600
        tgi_request_input_length_count 14
        tgi_request_generated_tokens_sum 7000
        tgi_request_generated_tokens_count 14
        tgi_batch_current_size 2
        """
        let result = try Self.window(tgiStart, tgiEnd).economics(gpuCost: nil, compare: nil)
        #expect(result.engine == .tgi)
        #expect(result.promptTokens == 600)
        #expect(result.generationTokens == 2_000)
        #expect(result.timeToFirstTokenMetric == nil)
        #expect(result.timeToFirstToken == .unknown)
    }

    @Test("a scrape without any known engine metric is refused")
    func unknownEngine() {
        var window = MetricsWindow()
        #expect(throws: MeasureError(.noKnownEngine, "the scrape has no vLLM (vllm:*), SGLang (sglang:*) or TGI (tgi_*) metrics")) {
            try window.add("process_start_time_seconds 1.7e9\npython_info{version=\"3.12\"} 1", at: .zero)
        }
        #expect(window.scrapeCount == 0)
    }
}
