/// `nvidia-smi` readings averaged over a window, for the whole machine.
///
/// Each invocation (sample) gives one value per field for the machine: utilization is the mean over
/// its GPUs, memory and power are sums over its GPUs. A sample in which any GPU lacks a field gives
/// no value for that field. The window's value is the mean over the samples that have one; `nil`
/// when none has.
public struct GPUTelemetryAverage: Sendable, Hashable, Codable {
    /// Invocations averaged.
    public var sampleCount: Int
    /// Mean GPU utilization, percent.
    public var utilizationPercent: Double?
    /// Mean memory in use over all GPUs, MiB.
    public var memoryUsedMiB: Double?
    /// Memory on all GPUs, MiB (mean over samples).
    public var memoryTotalMiB: Double?
    /// Mean power draw of all GPUs, watts.
    public var powerDrawWatts: Double?

    /// Creates an average from its parts.
    public init(sampleCount: Int, utilizationPercent: Double?, memoryUsedMiB: Double?, memoryTotalMiB: Double?, powerDrawWatts: Double?) {
        self.sampleCount = sampleCount
        self.utilizationPercent = utilizationPercent
        self.memoryUsedMiB = memoryUsedMiB
        self.memoryTotalMiB = memoryTotalMiB
        self.powerDrawWatts = powerDrawWatts
    }

    /// Averages samples, each the readings of one `nvidia-smi` invocation; `nil` without samples.
    public init?(samples: [[GPUReading]]) {
        let nonEmpty = samples.filter { !$0.isEmpty }
        guard !nonEmpty.isEmpty else { return nil }
        func mean(_ perSample: ([GPUReading]) -> Double?) -> Double? {
            let values = nonEmpty.compactMap(perSample)
            return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        func total(_ field: KeyPath<GPUReading, Double?>) -> ([GPUReading]) -> Double? {
            { readings in
                var sum = 0.0
                for reading in readings {
                    guard let value = reading[keyPath: field] else { return nil }
                    sum += value
                }
                return sum
            }
        }
        let utilization: ([GPUReading]) -> Double? = { readings in total(\.utilizationPercent)(readings).map { $0 / Double(readings.count) } }
        self.init(
            sampleCount: nonEmpty.count, utilizationPercent: mean(utilization), memoryUsedMiB: mean(total(\.memoryUsedMiB)),
            memoryTotalMiB: mean(total(\.memoryTotalMiB)), powerDrawWatts: mean(total(\.powerDrawWatts))
        )
    }
}
