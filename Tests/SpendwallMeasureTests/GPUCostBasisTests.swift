import SpendwallCore
import SpendwallMeasure
import Testing

@Suite struct GPUCostBasisTests {
    @Test("the rate is parsed exactly and multiplied by the GPU count only for a per-GPU basis")
    func basis() throws {
        let perGPU = try GPUCostBasis(rateText: "1.10", basis: .perGPU, gpuCount: 8)
        #expect(perGPU.ratePerHour == Money(nanodollars: 1_100_000_000))
        #expect(perGPU.machineRatePerHour == Money(nanodollars: 8_800_000_000))
        let instance = try GPUCostBasis(rateText: "$0.000000001", basis: .instance, gpuCount: 8)
        #expect(instance.machineRatePerHour == Money(nanodollars: 1))
    }

    @Test("bad rates and GPU counts are refused", arguments: [("abc", 1), ("-2", 1), ("1.0000000001", 1), ("", 1), ("2.49", 0)])
    func invalid(text: String, gpus: Int) {
        #expect(throws: GPUCostBasis.Invalid.self) { try GPUCostBasis(rateText: text, basis: .perGPU, gpuCount: gpus) }
    }

    @Test("cost over a window rounds half up to the nano-dollar")
    func rounding() throws {
        let dollar = try GPUCostBasis(rateText: "1", basis: .instance)
        // $1/h × 1.5 s = 416,666.67 nano-dollars → 416,667; × 1.8 s = 500,000 exactly.
        #expect(dollar.cost(over: .milliseconds(1_500)) == Money(nanodollars: 416_667))
        #expect(dollar.cost(over: .milliseconds(1_800)) == Money(nanodollars: 500_000))
        // 1 nano-dollar an hour for half an hour is exactly half a nano-dollar: rounds up to 1.
        let tiny = GPUCostBasis(ratePerHour: Money(nanodollars: 1), basis: .instance)
        #expect(tiny.cost(over: .seconds(1_800)) == Money(nanodollars: 1))
        #expect(tiny.cost(over: .seconds(1_799)) == .zero)
        // A year of a $98.32/h machine does not overflow.
        let big = try GPUCostBasis(rateText: "98.32", basis: .instance)
        #expect(big.cost(over: .seconds(365 * 24 * 3_600)) == Money(nanodollars: 98_320_000_000 * 365 * 24))
    }
}
