import SpendwallCore

extension EngineEconomics {
    /// A labelled, one-quantity-per-line table for the terminal. Units are explicit, money is in
    /// dollars (`$0.0083`), unknown values read `n/a`.
    public func renderText() -> String {
        var rows: [(String, String)] = []
        func row(_ label: String, _ value: String) { rows.append((label, value)) }
        func number(_ value: Double?, decimals: Int, unit: String = "") -> String {
            guard let value, value.isFinite else { return "n/a" }
            return Self.fixed(value, decimals: decimals) + unit
        }
        func money(_ value: Money?) -> String { value.map(\.description) ?? "n/a" }
        func count(_ value: Int64?) -> String { value.map { String($0) } ?? "n/a" }
        func seconds(_ value: Double?) -> String { number(value.map { $0 * 1_000 }, decimals: 1, unit: " ms") }

        row("Measured from endpoint", endpoint ?? "n/a")
        row("Engine", engine.rawValue)
        row("Window", number(windowSeconds, decimals: 1, unit: " s") + " (\(scrapeCount) scrapes)")
        row("Busy time", number(busySeconds, decimals: 1, unit: " s"))
        row("Busy fraction", number(busyFraction.map { $0 * 100 }, decimals: 1, unit: " %"))
        row("Prompt tokens", count(promptTokens))
        row("Generation tokens", count(generationTokens))
        row("Total tokens", count(totalTokens))
        row("Throughput (window)", number(tokensPerSecond, decimals: 1, unit: " tokens/s"))
        row("Capacity (busy)", number(tokensPerBusySecond, decimals: 1, unit: " tokens/s"))
        row("TTFT p50 / p90 / p99", [timeToFirstToken.p50, timeToFirstToken.p90, timeToFirstToken.p99].map(seconds).joined(separator: " / "))
        row("Time per output token p50 / p90 / p99", [timePerOutputToken.p50, timePerOutputToken.p90, timePerOutputToken.p99].map(seconds).joined(separator: " / "))
        if let gpuRatePerHour {
            let basis = gpuRateBasis == .perGPU ? "per GPU × \(gpuCount ?? 1)" : "per instance"
            row("GPU rate", "\(gpuRatePerHour)/h \(basis)")
        } else {
            row("GPU rate", "n/a")
        }
        row("Machine rate", machineRatePerHour.map { "\($0)/h" } ?? "n/a")
        row("GPU cost, whole window", money(windowCost))
        row("GPU cost, busy time only", money(activeCost))
        row("Allocated cost per 1M tokens", money(allocatedCostPerMillionTokens))
        row("Active cost per 1M tokens", money(activeCostPerMillionTokens))
        row("Compared with", compareModel ?? "n/a")
        row("API cost of the same tokens", money(apiCost))
        row("API cost minus GPU cost", money(apiCostMinusWindowCost))
        row("Break-even throughput", number(breakEven?.neededTokensPerHour, decimals: 0, unit: " tokens/h"))
        row("Measured capacity", number(breakEven?.capacityTokensPerHour, decimals: 0, unit: " tokens/h"))
        row("Break-even utilization", number(breakEven?.utilization.map { $0 * 100 }, decimals: 1, unit: " %"))
        row("Break-even reachable", breakEven?.isReachable.map { $0 ? "yes" : "no (needs more than the measured capacity)" } ?? "n/a")
        if let gpuTelemetry {
            row("GPU utilization (nvidia-smi)", number(gpuTelemetry.utilizationPercent, decimals: 1, unit: " %"))
            row("GPU memory used", number(gpuTelemetry.memoryUsedMiB, decimals: 0, unit: " MiB") + " of " + number(gpuTelemetry.memoryTotalMiB, decimals: 0, unit: " MiB"))
            row("GPU power draw", number(gpuTelemetry.powerDrawWatts, decimals: 1, unit: " W"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }.joined(separator: "\n") + "\n"
    }

    /// `value` with exactly `decimals` decimals, rounded half away from zero, without Foundation.
    static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return String(value) }
        let units = UInt64(scaled)
        let divisor = UInt64(scale)
        let whole = units / divisor
        var text = (value < 0 && units > 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let fraction = String(units % divisor)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }
}
