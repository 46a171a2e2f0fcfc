import SpendwallCore

/// JSON with snake_case keys, every key always written (`null` when unknown). Money is written in
/// integer nano-dollars under keys ending `_nanodollars`.
extension EngineEconomics: Codable {
    /// Every key of the JSON encoding, in the order written.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case endpoint, engine
        case scrapeCount = "scrape_count"
        case windowSeconds = "window_seconds"
        case busySeconds = "busy_seconds"
        case busyFraction = "busy_fraction"
        case promptTokens = "prompt_tokens"
        case generationTokens = "generation_tokens"
        case totalTokens = "total_tokens"
        case tokensPerSecond = "tokens_per_second"
        case tokensPerBusySecond = "tokens_per_busy_second"
        case ttftMetric = "ttft_metric"
        case ttftP50 = "ttft_p50_seconds"
        case ttftP90 = "ttft_p90_seconds"
        case ttftP99 = "ttft_p99_seconds"
        case tpotMetric = "tpot_metric"
        case tpotP50 = "tpot_p50_seconds"
        case tpotP90 = "tpot_p90_seconds"
        case tpotP99 = "tpot_p99_seconds"
        case gpuRatePerHour = "gpu_rate_per_hour_nanodollars"
        case gpuRateBasis = "gpu_rate_basis"
        case gpuCount = "gpu_count"
        case machineRatePerHour = "machine_rate_per_hour_nanodollars"
        case windowCost = "window_cost_nanodollars"
        case activeCost = "active_cost_nanodollars"
        case allocatedCostPerMillionTokens = "allocated_cost_per_million_tokens_nanodollars"
        case activeCostPerMillionTokens = "active_cost_per_million_tokens_nanodollars"
        case compareModel = "compare_model"
        case apiCost = "api_cost_nanodollars"
        case apiCostMinusWindowCost = "api_cost_minus_window_cost_nanodollars"
        case breakEvenTokensPerHour = "break_even_tokens_per_hour"
        case capacityTokensPerHour = "capacity_tokens_per_hour"
        case breakEvenUtilization = "break_even_utilization"
        case breakEvenReachable = "break_even_reachable"
        case gpuSamples = "gpu_samples"
        case gpuUtilizationPercent = "gpu_utilization_percent"
        case gpuMemoryUsedMiB = "gpu_memory_used_mib"
        case gpuMemoryTotalMiB = "gpu_memory_total_mib"
        case gpuPowerDrawWatts = "gpu_power_draw_watts"
    }

    /// Writes every key; unknown values as `null`, non-finite numbers as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func put<T: Encodable>(_ value: T?, _ key: CodingKeys) throws {
            if let value, (value as? Double)?.isFinite ?? true {
                try c.encode(value, forKey: key)
            } else {
                try c.encodeNil(forKey: key)
            }
        }
        try put(endpoint, .endpoint)
        try c.encode(engine, forKey: .engine)
        try c.encode(scrapeCount, forKey: .scrapeCount)
        try put(windowSeconds, .windowSeconds)
        try put(busySeconds, .busySeconds)
        try put(busyFraction, .busyFraction)
        try put(promptTokens, .promptTokens)
        try put(generationTokens, .generationTokens)
        try put(totalTokens, .totalTokens)
        try put(tokensPerSecond, .tokensPerSecond)
        try put(tokensPerBusySecond, .tokensPerBusySecond)
        try put(timeToFirstTokenMetric, .ttftMetric)
        try put(timeToFirstToken.p50, .ttftP50)
        try put(timeToFirstToken.p90, .ttftP90)
        try put(timeToFirstToken.p99, .ttftP99)
        try put(timePerOutputTokenMetric, .tpotMetric)
        try put(timePerOutputToken.p50, .tpotP50)
        try put(timePerOutputToken.p90, .tpotP90)
        try put(timePerOutputToken.p99, .tpotP99)
        try put(gpuRatePerHour, .gpuRatePerHour)
        try put(gpuRateBasis, .gpuRateBasis)
        try put(gpuCount, .gpuCount)
        try put(machineRatePerHour, .machineRatePerHour)
        try put(windowCost, .windowCost)
        try put(activeCost, .activeCost)
        try put(allocatedCostPerMillionTokens, .allocatedCostPerMillionTokens)
        try put(activeCostPerMillionTokens, .activeCostPerMillionTokens)
        try put(compareModel, .compareModel)
        try put(apiCost, .apiCost)
        try put(apiCostMinusWindowCost, .apiCostMinusWindowCost)
        try put(breakEven?.neededTokensPerHour, .breakEvenTokensPerHour)
        try put(breakEven?.capacityTokensPerHour, .capacityTokensPerHour)
        try put(breakEven?.utilization, .breakEvenUtilization)
        try put(breakEven?.isReachable, .breakEvenReachable)
        try put(gpuTelemetry?.sampleCount, .gpuSamples)
        try put(gpuTelemetry?.utilizationPercent, .gpuUtilizationPercent)
        try put(gpuTelemetry?.memoryUsedMiB, .gpuMemoryUsedMiB)
        try put(gpuTelemetry?.memoryTotalMiB, .gpuMemoryTotalMiB)
        try put(gpuTelemetry?.powerDrawWatts, .gpuPowerDrawWatts)
    }

    /// Reads what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func get<T: Decodable>(_ key: CodingKeys) throws -> T? { try c.decodeIfPresent(T.self, forKey: key) }
        self.init(
            endpoint: try get(.endpoint), engine: try c.decode(InferenceEngine.self, forKey: .engine),
            scrapeCount: try c.decode(Int.self, forKey: .scrapeCount), windowSeconds: try get(.windowSeconds) ?? 0
        )
        busySeconds = try get(.busySeconds)
        busyFraction = try get(.busyFraction)
        promptTokens = try get(.promptTokens)
        generationTokens = try get(.generationTokens)
        totalTokens = try get(.totalTokens)
        tokensPerSecond = try get(.tokensPerSecond)
        tokensPerBusySecond = try get(.tokensPerBusySecond)
        timeToFirstTokenMetric = try get(.ttftMetric)
        timeToFirstToken = LatencyPercentiles(p50: try get(.ttftP50), p90: try get(.ttftP90), p99: try get(.ttftP99))
        timePerOutputTokenMetric = try get(.tpotMetric)
        timePerOutputToken = LatencyPercentiles(p50: try get(.tpotP50), p90: try get(.tpotP90), p99: try get(.tpotP99))
        gpuRatePerHour = try get(.gpuRatePerHour)
        gpuRateBasis = try get(.gpuRateBasis)
        gpuCount = try get(.gpuCount)
        machineRatePerHour = try get(.machineRatePerHour)
        windowCost = try get(.windowCost)
        activeCost = try get(.activeCost)
        allocatedCostPerMillionTokens = try get(.allocatedCostPerMillionTokens)
        activeCostPerMillionTokens = try get(.activeCostPerMillionTokens)
        compareModel = try get(.compareModel)
        apiCost = try get(.apiCost)
        apiCostMinusWindowCost = try get(.apiCostMinusWindowCost)
        let needed: Double? = try get(.breakEvenTokensPerHour)
        let capacity: Double? = try get(.capacityTokensPerHour)
        let utilization: Double? = try get(.breakEvenUtilization)
        let reachable: Bool? = try get(.breakEvenReachable)
        if needed != nil || capacity != nil || utilization != nil || reachable != nil {
            breakEven = BreakEvenAnalysis(neededTokensPerHour: needed, capacityTokensPerHour: capacity, utilization: utilization, isReachable: reachable)
        }
        let samples: Int? = try get(.gpuSamples)
        if let samples {
            gpuTelemetry = GPUTelemetryAverage(
                sampleCount: samples, utilizationPercent: try get(.gpuUtilizationPercent), memoryUsedMiB: try get(.gpuMemoryUsedMiB),
                memoryTotalMiB: try get(.gpuMemoryTotalMiB), powerDrawWatts: try get(.gpuPowerDrawWatts)
            )
        }
    }
}
