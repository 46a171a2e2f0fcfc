import Foundation
import SpendwallCore
import SpendwallMeasure
import Testing

@Suite struct MetricsWindowTests {
    /// gpt-4o-mini: $0.15 input, $0.60 output per million tokens.
    static let miniPrice = ComparePrice(model: "gpt-4o-mini", rates: TokenRates(input: 150_000, output: 600_000))

    /// Scrapes at 0 s (running 3), 1 s (0), 10 s (0) and 12 s (the real snapshot, running 3).
    static func unevenWindow() throws -> MetricsWindow {
        var window = MetricsWindow()
        try window.add(Fixture.vllmV0Start, at: .zero)
        try window.add(Fixture.settingRunning(Fixture.vllmV0Start, to: 0), at: .seconds(1))
        try window.add(Fixture.settingRunning(Fixture.vllmV0Start, to: 0), at: .seconds(10))
        try window.add(Fixture.vllmV0, at: .seconds(12))
        return window
    }

    @Test("tokens are counter deltas and busy time is weighted by time, not by scrape count")
    func tokensAndBusy() throws {
        let result = try Self.unevenWindow().economics(gpuCost: nil, compare: nil)
        #expect(result.scrapeCount == 4)
        #expect(result.windowSeconds == 12)
        #expect(result.promptTokens == 12_345)
        #expect(result.generationTokens == 6_789)
        #expect(result.totalTokens == 19_134)
        // [0,1]: running at start only → 0.5 s; [1,10]: idle; [10,12]: running at end only → 1 s.
        // A per-scrape average would say 2 of 4 = 50 %; by time it is 1.5 s of 12 s.
        #expect(result.busySeconds == 1.5)
        #expect(result.busyFraction == 0.125)
        #expect(result.tokensPerBusySecond == 12_756)
        #expect(result.tokensPerSecond == 1_594.5)
        #expect(result.timeToFirstToken.p50 == 0.375)
        #expect(result.timeToFirstToken.p90 == 0.475)
        // No time-per-output-token observations in the window: unknown, not zero.
        #expect(result.timePerOutputToken == .unknown)
    }

    @Test("allocated and active cost are exact to the nano-dollar")
    func costs() throws {
        let gpu = try GPUCostBasis(rateText: "2.49", basis: .instance)
        let result = try Self.unevenWindow().economics(gpuCost: gpu, compare: nil)
        // $2.49/h × 12 s = $0.0083; × 1.5 s busy = $0.0010375.
        #expect(result.windowCost == Money(nanodollars: 8_300_000))
        #expect(result.activeCost == Money(nanodollars: 1_037_500))
        // 8,300,000 × 10⁶ ÷ 19,134 = 433,782,795.02… → 433,782,795; 1,037,500 × 10⁶ ÷ 19,134 = 54,222,849.37… → 54,222,849.
        #expect(result.allocatedCostPerMillionTokens == Money(nanodollars: 433_782_795))
        #expect(result.activeCostPerMillionTokens == Money(nanodollars: 54_222_849))
        #expect(result.compareModel == nil && result.breakEven == nil)
    }

    @Test("break-even against the API is reachable when the needed throughput is below the measured capacity")
    func breakEvenReachable() throws {
        let gpu = try GPUCostBasis(rateText: "2.49", basis: .instance)
        let result = try Self.unevenWindow().economics(gpuCost: gpu, compare: Self.miniPrice)
        // 12,345 × 150,000 + 6,789 × 600,000 = 5,925,150,000 pico-dollars = $0.00592515.
        #expect(result.apiCost == Money(nanodollars: 5_925_150))
        #expect(result.apiCostMinusWindowCost == Money(nanodollars: 5_925_150 - 8_300_000))
        let breakEven = try #require(result.breakEven)
        // needed = 2.49e12 pico/h ÷ (5,925,150,000 / 19,134 pico/token) = 8,040,920.48 tokens/h;
        // capacity = 19,134 / 1.5 s × 3600 = 45,921,600 tokens/h; utilization = 0.175101…
        #expect(abs(try #require(breakEven.neededTokensPerHour) - 8_040_920.483_025_746) < 1e-6)
        #expect(breakEven.capacityTokensPerHour == 45_921_600)
        #expect(abs(try #require(breakEven.utilization) - 0.175_101_052_294_034_75) < 1e-12)
        #expect(breakEven.isReachable == true)
    }

    @Test("break-even is flagged unreachable when even full utilization is not enough")
    func breakEvenUnreachable() throws {
        // $100 per GPU × 8 GPUs = $800/h needs 2.58 billion tokens/h, 56× the measured capacity.
        let gpu = try GPUCostBasis(rateText: "100", basis: .perGPU, gpuCount: 8)
        let result = try Self.unevenWindow().economics(gpuCost: gpu, compare: Self.miniPrice)
        #expect(result.machineRatePerHour == .dollars(800))
        // $800/h × 12 s = $2.666666666… → half up: 2,666,666,667 nano-dollars.
        #expect(result.windowCost == Money(nanodollars: 2_666_666_667))
        #expect(result.breakEven?.isReachable == false)
        #expect(result.breakEven?.utilization == 1)
    }

    @Test("without busy time the capacity is unknown, never made up")
    func noBusyTime() throws {
        // The real V1 snapshot has no running requests; the start is 30 prompt and 300 generation tokens lower.
        var window = MetricsWindow()
        try window.add(Fixture.lowering(Fixture.vllmV1, [("vllm:prompt_tokens_total{", 30), ("vllm:generation_tokens_total{", 300)]), at: .zero)
        try window.add(Fixture.vllmV1, at: .seconds(60))
        let result = try window.economics(gpuCost: try GPUCostBasis(rateText: "1.20", basis: .instance), compare: Self.miniPrice)
        #expect(result.busySeconds == 0)
        #expect(result.busyFraction == 0)
        #expect(result.tokensPerBusySecond == nil)
        #expect(result.activeCost == .zero)
        #expect(result.windowCost == Money(nanodollars: 20_000_000))
        let breakEven = try #require(result.breakEven)
        #expect(breakEven.neededTokensPerHour != nil)
        #expect(breakEven.capacityTokensPerHour == nil)
        #expect(breakEven.utilization == nil)
        #expect(breakEven.isReachable == nil)
    }

    @Test("without the running gauge busy time and active cost are unknown; the window cost is still known")
    func missingRunningGauge() throws {
        var window = MetricsWindow()
        try window.add("sglang:prompt_tokens_total 10\nsglang:generation_tokens_total 5", at: .zero)
        try window.add("sglang:prompt_tokens_total 20\nsglang:generation_tokens_total 9", at: .seconds(3600))
        let result = try window.economics(gpuCost: try GPUCostBasis(rateText: "2", basis: .instance), compare: nil)
        #expect(result.busySeconds == nil && result.busyFraction == nil)
        #expect(result.activeCost == nil && result.activeCostPerMillionTokens == nil)
        #expect(result.windowCost == .dollars(2))
        // $2 × 10⁶ ÷ 14 tokens = 142,857,142,857,142.86 nano-dollars → 142,857,142,857,143.
        #expect(result.allocatedCostPerMillionTokens == Money(nanodollars: 142_857_142_857_143))
    }

    @Test("a window needs two scrapes")
    func tooFewScrapes() throws {
        var window = MetricsWindow()
        #expect(throws: MeasureError.self) { try window.economics(gpuCost: nil, compare: nil) }
        try window.add(Fixture.vllmV0, at: .zero)
        do {
            _ = try window.economics(gpuCost: nil, compare: nil)
            Issue.record("one scrape was accepted as a window")
        } catch {
            #expect(error.code == .tooFewScrapes)
        }
    }

    @Test("a counter that falls is a reset: the window is refused and left unchanged")
    func counterReset() throws {
        var window = MetricsWindow()
        try window.add(Fixture.vllmV0, at: .zero)
        let lower = Fixture.lowering(Fixture.vllmV0, [("vllm:generation_tokens_total{", 1)])
        do {
            try window.add(lower, at: .seconds(5))
            Issue.record("a falling counter was accepted")
        } catch {
            #expect(error.code == .counterReset)
            #expect(error.message.contains("vllm:generation_tokens_total"))
        }
        #expect(window.scrapeCount == 1)
        // A histogram bucket falling is a reset too.
        #expect(throws: MeasureError.self) {
            try window.add(Fixture.lowering(Fixture.vllmV0, [("vllm:time_to_first_token_seconds_bucket{le=\"0.04\"", 1)]), at: .seconds(5))
        }
    }

    @Test("a restart is refused: changed cache config, process start time or counter creation time")
    func restart() throws {
        var window = MetricsWindow()
        try window.add(Fixture.vllmV0Start, at: .zero)
        let reconfigured = Fixture.vllmV0.replacingOccurrences(of: "num_gpu_blocks=\"11560\"", with: "num_gpu_blocks=\"11561\"")
        #expect(reconfigured != Fixture.vllmV0)
        do {
            try window.add(reconfigured, at: .seconds(5))
            Issue.record("a changed cache config was accepted")
        } catch {
            #expect(error.code == .engineRestarted)
        }
        for (before, after) in [
            ("process_start_time_seconds 1.7e9", "process_start_time_seconds 1.8e9"),
            ("vllm:prompt_tokens_created{model_name=\"m\"} 1.7e9", "vllm:prompt_tokens_created{model_name=\"m\"} 1.8e9"),
        ] {
            var restarted = MetricsWindow()
            try restarted.add("vllm:prompt_tokens_total{model_name=\"m\"} 10\n" + before, at: .zero)
            #expect(throws: MeasureError.self) { try restarted.add("vllm:prompt_tokens_total{model_name=\"m\"} 20\n" + after, at: .seconds(1)) }
        }
    }

    @Test("times must increase and the engine must not change")
    func orderAndEngine() throws {
        var window = MetricsWindow()
        try window.add(Fixture.vllmV0Start, at: .seconds(2))
        #expect(throws: MeasureError.self) { try window.add(Fixture.vllmV0, at: .seconds(2)) }
        #expect(throws: MeasureError.self) { try window.add("sglang:prompt_tokens_total 1", at: .seconds(3)) }
        #expect(throws: MeasureError.self) { try window.add("vllm:x{a=} 1", at: .seconds(3)) }
        #expect(window.scrapeCount == 1)
    }

    @Test("counts are summed over label sets such as several models")
    func sumsLabelSets() throws {
        var window = MetricsWindow()
        try window.add("vllm:prompt_tokens_total{model_name=\"a\"} 10\nvllm:prompt_tokens_total{model_name=\"b\"} 5", at: .zero)
        try window.add("vllm:prompt_tokens_total{model_name=\"a\"} 17\nvllm:prompt_tokens_total{model_name=\"b\"} 9", at: .seconds(1))
        let result = try window.economics(gpuCost: nil, compare: nil)
        #expect(result.promptTokens == 11)
        #expect(result.generationTokens == nil)
        #expect(result.totalTokens == nil)
    }
}
