import SpendwallCore
import Testing

@Suite struct GPURateTests {
    @Test("GPU time is priced exactly and rounded up to the next nano-dollar")
    func costRoundsUp() throws {
        let rate = try #require(GPURate(dollarsPerHour: "1"))
        #expect(rate.nanodollarsPerHour == 1_000_000_000)
        #expect(rate.cost(millis: 3_600_000) == .dollars(1))
        #expect(rate.cost(millis: 1) == Money(nanodollars: 278), "1 ms at $1/h is 277.7… nano-dollars, rounded up")
        #expect(rate.cost(millis: 0) == .zero)
        #expect(rate.cost(millis: -5) == .zero)
        #expect(try #require(GPURate(dollarsPerHour: "3.60")).cost(millis: 5_000) == Money(nanodollars: 5_000_000))
        #expect(GPURate(dollarsPerHour: "-1") == nil)
        #expect(GPURate(dollarsPerHour: "abc") == nil)
    }

    @Test("a budget buys whole milliseconds at a rate; a free rate buys no figure")
    func affordableTime() throws {
        let rate = try #require(GPURate(dollarsPerHour: "0.49"))
        #expect(rate.millis(affordableWith: .cents(49)) == 3_600_000)
        #expect(rate.millis(affordableWith: .zero) == 0)
        #expect(GPURate(nanodollarsPerHour: 0).millis(affordableWith: .dollars(1)) == nil)
        #expect(rate.times(8).nanodollarsPerHour == 3_920_000_000)
    }
}

@Suite struct GPUTimeAccrualTests {
    /// $3.60/h = 1,000 nano-dollars per millisecond.
    static let rate = GPURate(nanodollarsPerHour: 3_600_000_000)

    @Test("each hold covers the uncovered time, one interval and the grace period; settling charges the time used, at most the hold")
    func holdAndSettle() throws {
        var accrual = GPUTimeAccrual(rate: Self.rate, intervalMillis: 5_000, graceMillis: 12_000, startedAt: 1_000)
        let first = try #require(accrual.nextHold(at: 1_000))
        #expect(first.from == 1_000 && first.through == 18_000 && first.amount == Money(nanodollars: 17_000_000))
        accrual.holdPlaced(first)
        #expect(accrual.nextHold(at: 2_000) == nil, "one hold at a time")
        #expect(accrual.cost(at: 4_000) == Money(nanodollars: 3_000_000), "the time used so far shows before it is charged")
        let settled = accrual.settle(at: 6_000)
        let charge = try #require(settled)
        #expect(charge.amount == Money(nanodollars: 5_000_000) && charge.from == 1_000 && charge.through == 6_000 && charge.hold == first.amount)
        #expect(accrual.settledThrough == 6_000 && accrual.charged == Money(nanodollars: 5_000_000))

        // A late tick: the hold caps the charge, and the rest is held (and charged) next.
        let second = try #require(accrual.nextHold(at: 6_000))
        accrual.holdPlaced(second)
        let settledLate = accrual.settle(at: 40_000)
        let late = try #require(settledLate)
        #expect(late.through == 23_000 && late.amount == second.amount)
        let third = try #require(accrual.nextHold(at: 40_000))
        #expect(third.from == 23_000 && third.through == 57_000)
        accrual.holdPlaced(third)
        _ = accrual.settle(at: 41_000)
        #expect(accrual.charged == Self.rate.cost(millis: 40_000), "every millisecond from start to the last settlement is charged exactly once")
    }

    @Test("a hold charged in full by someone else (a restart) counts as charged up to its end")
    func chargedInFull() throws {
        var accrual = GPUTimeAccrual(rate: Self.rate, intervalMillis: 5_000, graceMillis: 0, startedAt: 0)
        let hold = try #require(accrual.nextHold(at: 0))
        accrual.holdPlaced(hold)
        accrual.openHoldChargedInFull()
        #expect(accrual.open == nil && accrual.settledThrough == 5_000 && accrual.charged == Money(nanodollars: 5_000_000))
        let next = try #require(accrual.nextHold(at: 9_000))
        #expect(next.from == 5_000, "the downtime after the charged hold is paid by the next hold")
        #expect(next.sequence == 2)
    }
}

@Suite struct GPUPriceTableTests {
    static let table = GPUPriceTable(
        models: [
            GPUModel(id: "nvidia-l4", displayName: "L4", aliases: ["l4"], memoryGiB: 24, source: "s"),
            GPUModel(id: "nvidia-a100-40gb", displayName: "A100 40", aliases: ["a100-40gb"], memoryGiB: 40, source: "s"),
            GPUModel(id: "nvidia-a100-80gb", displayName: "A100 80", aliases: ["a100-80gb"], memoryGiB: 80, source: "s"),
        ],
        rows: [
            GPUPriceRow(provider: "aws", sku: "g6.xlarge", gpuModel: "nvidia-l4", gpuCount: 1, gpuMemoryGiB: 24, region: "us-east-1",
                        onDemand: GPURate(dollarsPerHour: "0.8048"), spot: GPURate(dollarsPerHour: "0.30"), source: "s", observedOn: "2026-12-01"),
            GPUPriceRow(provider: "gcp", sku: "g2-standard-96", gpuModel: "nvidia-l4", gpuCount: 8, gpuMemoryGiB: 24, region: "us-central1",
                        onDemand: GPURate(dollarsPerHour: "6.00"), spot: nil, source: "s", observedOn: "2026-12-01"),
            GPUPriceRow(provider: "runpod", sku: "1x_L4", gpuModel: "nvidia-l4", gpuCount: 1, gpuMemoryGiB: 24, region: "all",
                        onDemand: GPURate(dollarsPerHour: "0.79"), spot: nil, source: "s", observedOn: "2026-12-01"),
        ]
    )

    @Test("a GPU is found by id, alias or id without nvidia-, whatever the case; an unknown name lists the known ones; an ambiguous one names the candidates")
    func resolution() throws {
        #expect(try Self.table.model(named: "nvidia-l4").id == "nvidia-l4")
        #expect(try Self.table.model(named: "L4").id == "nvidia-l4")
        #expect(try Self.table.model(named: "a100_80gb").id == "nvidia-a100-80gb")
        let unknown = #expect(throws: GPULookupError.self) { try Self.table.model(named: "h100") }
        #expect(unknown?.code == .unknownGPU)
        #expect(unknown?.message.contains("nvidia-l4 (l4)") == true && unknown?.message.contains("nvidia-a100-80gb") == true)
        let ambiguous = #expect(throws: GPULookupError.self) { try Self.table.model(named: "a100") }
        #expect(ambiguous?.code == .ambiguousGPU)
        #expect(ambiguous?.message.contains("nvidia-a100-40gb or nvidia-a100-80gb") == true)
    }

    @Test("offers sort by price per GPU-hour (SKU price ÷ GPUs, rounded up), filter by provider, and spot leaves out rows without a spot price")
    func offers() throws {
        let onDemand = Self.table.offers(gpuModel: "nvidia-l4")
        #expect(onDemand.map(\.provider) == ["gcp", "runpod", "aws"])
        #expect(onDemand[0].perGPU(spot: false)?.nanodollarsPerHour == 750_000_000)
        #expect(Self.table.offers(gpuModel: "nvidia-l4", provider: "AWS").map(\.sku) == ["g6.xlarge"])
        #expect(Self.table.offers(gpuModel: "nvidia-l4", spot: true).map(\.provider) == ["aws"])
        let odd = GPUPriceRow(provider: "x", sku: "3x", gpuModel: "nvidia-l4", gpuCount: 3, gpuMemoryGiB: 24, region: "-",
                              onDemand: GPURate(nanodollarsPerHour: 10), spot: nil, source: "s", observedOn: "2026-12-01")
        #expect(odd.perGPU(spot: false)?.nanodollarsPerHour == 4, "10 / 3 rounds up")
    }
}

@Suite struct ModelFitTests {
    @Test("parameter counts are read from plain counts and from model names with exactly one size in them")
    func parameters() {
        #expect(ModelFit.parameters(from: "TinyLlama/TinyLlama-1.1B-Chat-v1.0") == 1_100_000_000)
        #expect(ModelFit.parameters(from: "Qwen/Qwen2.5-7B-Instruct") == 7_000_000_000)
        #expect(ModelFit.parameters(from: "meta-llama/Llama-3.1-70B") == 70_000_000_000)
        #expect(ModelFit.parameters(from: "70b") == 70_000_000_000)
        #expect(ModelFit.parameters(from: "560m") == 560_000_000)
        #expect(ModelFit.parameters(from: "8000000000") == 8_000_000_000)
        #expect(ModelFit.parameters(from: "gpt2") == nil)
        #expect(ModelFit.parameters(from: "a-7b-and-13b-merge") == nil, "two sizes: no guess")
    }

    @Test("weights must use at most 70 % of the GPUs' memory; the fewest of 1, 2, 4, 8 GPUs is chosen")
    func gpusNeeded() {
        // 7B at fp16 = 14e9 bytes = 13.04 GiB: fits 24 GiB (16.8 usable), not 16 GiB (11.2 usable) alone.
        #expect(ModelFit.gpusNeeded(parameters: 7_000_000_000, precision: .fp16, memoryGiB: 24) == 1)
        #expect(ModelFit.gpusNeeded(parameters: 7_000_000_000, precision: .fp16, memoryGiB: 16) == 2)
        #expect(ModelFit.gpusNeeded(parameters: 7_000_000_000, precision: .int4, memoryGiB: 16) == 1)
        // 70B at fp16 = 130.4 GiB: 4 × 80 (224 usable), not 2 × 80 (112 usable).
        #expect(ModelFit.gpusNeeded(parameters: 70_000_000_000, precision: .fp16, memoryGiB: 80) == 4)
        #expect(ModelFit.gpusNeeded(parameters: 405_000_000_000, precision: .fp16, memoryGiB: 24) == nil)
    }
}
