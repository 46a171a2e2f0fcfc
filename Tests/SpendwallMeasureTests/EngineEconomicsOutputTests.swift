import Foundation
import SpendwallCore
import SpendwallMeasure
import Testing

@Suite struct EngineEconomicsOutputTests {
    static func v1Window() throws -> EngineEconomics {
        var window = MetricsWindow()
        try window.add(Fixture.lowering(Fixture.vllmV1, [("vllm:prompt_tokens_total{", 30), ("vllm:generation_tokens_total{", 300)]), at: .zero)
        try window.add(Fixture.vllmV1, at: .seconds(60))
        return try window.economics(endpoint: "http://gpu-1:8000/metrics", gpuCost: nil, compare: nil)
    }

    static func json(_ value: EngineEconomics) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("JSON writes every snake_case key, with null for what the engine does not expose")
    func jsonNulls() throws {
        let object = try Self.json(try Self.v1Window())
        #expect(Set(object.keys) == Set(EngineEconomics.CodingKeys.allCases.map(\.rawValue)))
        #expect(object.count == EngineEconomics.CodingKeys.allCases.count)
        // The V1 snapshot has TTFT and inter-token _count/_sum but no buckets: percentiles are null.
        for key in ["ttft_p50_seconds", "ttft_p90_seconds", "ttft_p99_seconds", "tpot_p50_seconds", "window_cost_nanodollars",
                    "break_even_reachable", "gpu_power_draw_watts", "capacity_tokens_per_hour"] {
            #expect(object[key] is NSNull, "\(key) should be null")
        }
        #expect(object["ttft_metric"] as? String == "vllm:time_to_first_token_seconds")
        #expect(object["prompt_tokens"] as? Int == 30)
        #expect(object["busy_seconds"] as? Double == 0)
        #expect(object["engine"] as? String == "vllm")
    }

    @Test("money is written in integer nano-dollars and the JSON reads back to the same value")
    func roundTrip() throws {
        let window = try MetricsWindowTests.unevenWindow()
        let telemetry = GPUTelemetryAverage(samples: [try NvidiaSMI.parse("0, NVIDIA H100 80GB HBM3, 50, 1000, 81559, 300.5")])
        let result = try window.economics(
            endpoint: "http://gpu-1:8000/metrics", gpuCost: try GPUCostBasis(rateText: "2.49", basis: .instance),
            compare: MetricsWindowTests.miniPrice, gpuTelemetry: telemetry
        )
        let object = try Self.json(result)
        #expect(object["window_cost_nanodollars"] as? Int == 8_300_000)
        #expect(object["gpu_rate_basis"] as? String == "instance")
        #expect(object["break_even_reachable"] as? Bool == true)
        #expect(object["gpu_power_draw_watts"] as? Double == 300.5)
        let decoded = try JSONDecoder().decode(EngineEconomics.self, from: try JSONEncoder().encode(result))
        #expect(decoded == result)
    }

    @Test("the text table labels every line, states units, shows dollars and n/a, and names the endpoint")
    func text() throws {
        let gpu = try GPUCostBasis(rateText: "2.49", basis: .instance)
        let result = try MetricsWindowTests.unevenWindow().economics(endpoint: "http://gpu-1:8000/metrics", gpuCost: gpu, compare: MetricsWindowTests.miniPrice)
        let text = result.renderText()
        #expect(text.contains("Measured from endpoint"))
        #expect(text.contains("http://gpu-1:8000/metrics"))
        #expect(text.contains("GPU cost, whole window") && text.contains("$0.0083\n"))
        #expect(text.contains("$0.0010375"))
        #expect(text.contains("12.5 %"))
        #expect(text.contains("375.0 ms / 475.0 ms / 497.5 ms"))
        #expect(text.contains("n/a / n/a / n/a"))
        #expect(text.contains("Break-even reachable") && text.contains("yes"))
        #expect(text.contains("tokens/h"))
        let unknown = try Self.v1Window().renderText()
        #expect(unknown.contains("GPU rate") && unknown.contains("n/a"))
        #expect(!unknown.contains("$"))
    }
}
