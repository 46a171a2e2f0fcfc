import SpendwallMeasure
import Testing

@Suite struct NvidiaSMITests {
    // Lines in the shape nvidia-smi prints for
    // --query-gpu=index,name,utilization.gpu,memory.used,memory.total,power.draw --format=csv,noheader,nounits
    // (constructed; see SOURCES.md for the real outputs the N/A forms come from).
    static let twoGPUs = """
    0, NVIDIA H100 80GB HBM3, 87, 61234, 81559, 612.45
    1, NVIDIA H100 80GB HBM3, [N/A], 100, 81559, [Not Supported]

    """

    @Test("reads one GPU per line; unavailable fields are nil")
    func parse() throws {
        let readings = try NvidiaSMI.parse(Self.twoGPUs)
        #expect(readings.count == 2)
        #expect(readings[0] == GPUReading(index: 0, name: "NVIDIA H100 80GB HBM3", utilizationPercent: 87, memoryUsedMiB: 61_234, memoryTotalMiB: 81_559, powerDrawWatts: 612.45))
        #expect(readings[1].utilizationPercent == nil)
        #expect(readings[1].powerDrawWatts == nil)
        #expect(readings[1].memoryUsedMiB == 100)
        #expect(try NvidiaSMI.parse("0, GeForce RTX 2080, N/A, 7199, 7979, 176.98")[0].utilizationPercent == nil)
    }

    @Test("lines with the wrong shape or units are refused with their line number", arguments: [
        ("0, A100, 1, 2, 3", 1), ("0, A100, 1, 2, 3, 4\nx, A100, 1, 2, 3, 4", 2), ("0, A100, 87 %, 2, 3, 4", 1),
    ])
    func errors(text: String, line: Int) {
        do {
            _ = try NvidiaSMI.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.line == line)
        }
    }

    @Test("averages machine totals over samples, skipping samples where a GPU lacks the field")
    func average() throws {
        let first = try NvidiaSMI.parse(Self.twoGPUs)
        let second = try NvidiaSMI.parse("0, NVIDIA H100 80GB HBM3, 13, 61000, 81559, 400\n1, NVIDIA H100 80GB HBM3, 7, 200, 81559, 100")
        let average = try #require(GPUTelemetryAverage(samples: [first, second]))
        #expect(average.sampleCount == 2)
        // Utilization: sample 1 has an N/A GPU → skipped; sample 2 mean (13 + 7) / 2 = 10.
        #expect(average.utilizationPercent == 10)
        // Memory used: (61234 + 100 + 61000 + 200) / 2 samples = 61267.
        #expect(average.memoryUsedMiB == 61_267)
        #expect(average.memoryTotalMiB == 163_118)
        #expect(average.powerDrawWatts == 500)
        #expect(GPUTelemetryAverage(samples: []) == nil)
        #expect(GPUTelemetryAverage(samples: [first])?.powerDrawWatts == nil)
    }
}

extension NvidiaSMITests {
    @Test("Windows line endings are read like Unix ones")
    func crlf() throws {
        let readings = try NvidiaSMI.parse("0, A, 1, 2, 3, 4\r\n1, B, 5, 6, 7, 8\r\n")
        #expect(readings.map(\.name) == ["A", "B"])
    }
}
