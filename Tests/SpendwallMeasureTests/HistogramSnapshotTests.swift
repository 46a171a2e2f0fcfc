import SpendwallMeasure
import Testing

@Suite struct HistogramSnapshotTests {
    static func ttft(_ text: String) throws -> HistogramSnapshot {
        try #require(HistogramSnapshot(family: "vllm:time_to_first_token_seconds", in: try PrometheusText.parse(text)))
    }

    @Test("quantiles of the real V0 TTFT histogram follow histogram_quantile, computed by hand")
    func realQuantiles() throws {
        let histogram = try Self.ttft(Fixture.vllmV0)
        #expect(histogram.count == 8_499)
        // p50: rank 0.5 × 8499 = 4249.5 falls in (0.5, 0.75] holding 6812 − 3566 = 3246;
        //      0.5 + 0.25 × (4249.5 − 3566) / 3246 = 0.5 + 0.25 × 683.5 / 3246 = 0.552641712877...
        #expect(abs(try #require(histogram.quantile(0.5)) - 0.552_641_712_877_387_6) < 1e-12)
        // p90: rank 7649.1 falls in (1.0, 2.5] holding 8297 − 7511 = 786;
        //      1.0 + 1.5 × 138.1 / 786 = 1.263549618320...
        #expect(abs(try #require(histogram.quantile(0.9)) - 1.263_549_618_320_61) < 1e-12)
        // p99: rank 8414.01 falls in (2.5, 5.0] holding 8432 − 8297 = 135;
        //      2.5 + 2.5 × 117.01 / 135 = 4.666851851...
        #expect(abs(try #require(histogram.quantile(0.99)) - 4.666_851_851_851_852) < 1e-12)
        // p99.99: rank 8498.15 is beyond the le="10.0" count 8494, in +Inf: the highest finite bound.
        #expect(histogram.quantile(0.9999) == 10.0)
    }

    @Test("window quantiles come from bucket deltas, not from the cumulative histogram")
    func deltaQuantiles() throws {
        let delta = try Self.ttft(Fixture.vllmV0).subtracting(try Self.ttft(Fixture.vllmV0Start))
        // All 2,000 new observations are in (0.25, 0.5]: q → 0.25 + 0.25 × q.
        #expect(delta.count == 2_000)
        #expect(delta.sum.map { abs($0 - 750) < 1e-6 } == true)
        #expect(delta.quantile(0.5) == 0.375)
        #expect(delta.quantile(0.9) == 0.475)
        #expect(abs(try #require(delta.quantile(0.99)) - 0.4975) < 1e-12)
    }

    @Test("the first bucket interpolates from zero; unknowable quantiles are nil")
    func edges() throws {
        let first = HistogramSnapshot(buckets: [.init(upperBound: 1, cumulativeCount: 10), .init(upperBound: .infinity, cumulativeCount: 10)], count: 10, sum: 4)
        #expect(first.quantile(0.5) == 0.5)
        let empty = HistogramSnapshot(buckets: [.init(upperBound: 1, cumulativeCount: 0), .init(upperBound: .infinity, cumulativeCount: 0)], count: 0, sum: 0)
        #expect(empty.quantile(0.5) == nil)
        let noInf = HistogramSnapshot(buckets: [.init(upperBound: 1, cumulativeCount: 3), .init(upperBound: 2, cumulativeCount: 5)], count: 5, sum: 6)
        #expect(noInf.quantile(0.5) == nil)
        #expect(first.quantile(1.5) == nil)
        // The V1 snapshot exports only _count and _sum: the histogram exists, its quantiles do not.
        let v1 = try Self.ttft(Fixture.vllmV1)
        #expect(v1.count == 10 && v1.buckets.isEmpty)
        #expect(v1.percentiles == .unknown)
    }
}
