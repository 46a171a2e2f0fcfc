/// A Prometheus histogram read from one scrape, its buckets summed over every label set
/// (e.g. several `model_name`s), or the difference of two such reads over a window.
public struct HistogramSnapshot: Sendable, Hashable {
    /// One cumulative bucket: observations `<= upperBound`.
    public struct Bucket: Sendable, Hashable {
        /// The `le` bound; `+infinity` for the `+Inf` bucket.
        public var upperBound: Double
        /// Observations at or below the bound.
        public var cumulativeCount: Double

        /// Creates a bucket.
        public init(upperBound: Double, cumulativeCount: Double) {
            self.upperBound = upperBound
            self.cumulativeCount = cumulativeCount
        }
    }

    /// Buckets sorted by upper bound; empty when the engine exports only `_sum` and `_count`.
    public var buckets: [Bucket]
    /// `_count`, when exported.
    public var count: Double?
    /// `_sum`, when exported.
    public var sum: Double?

    /// Creates a snapshot; buckets are sorted by bound.
    public init(buckets: [Bucket], count: Double?, sum: Double?) {
        self.buckets = buckets.sorted { $0.upperBound < $1.upperBound }
        self.count = count
        self.sum = sum
    }

    /// Reads histogram `family` (`family_bucket`, `family_count`, `family_sum`) from a scrape,
    /// summing each bound over every label set; `nil` when none of the three series exists.
    public init?(family: String, in metrics: MetricSet) {
        var byBound: [Double: Double] = [:]
        for sample in metrics.samples(named: family + "_bucket") {
            guard let text = sample.labels["le"], let bound = PrometheusText.parseValue(text), !bound.isNaN else { continue }
            byBound[bound, default: 0] += sample.value
        }
        let count = metrics.sum(family + "_count")
        let sum = metrics.sum(family + "_sum")
        guard !byBound.isEmpty || count != nil || sum != nil else { return nil }
        self.init(buckets: byBound.map { Bucket(upperBound: $0.key, cumulativeCount: $0.value) }, count: count, sum: sum)
    }

    /// The observations made between `earlier` and this snapshot: bucket-by-bucket differences.
    /// Buckets are kept only where both snapshots have the same bounds; otherwise the result has
    /// no buckets (its quantiles are unknown).
    public func subtracting(_ earlier: HistogramSnapshot) -> HistogramSnapshot {
        let sameBounds = buckets.map(\.upperBound) == earlier.buckets.map(\.upperBound)
        let deltaBuckets = sameBounds
            ? zip(buckets, earlier.buckets).map { Bucket(upperBound: $0.upperBound, cumulativeCount: $0.cumulativeCount - $1.cumulativeCount) }
            : []
        func minus(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b else { return nil }
            return a - b
        }
        return HistogramSnapshot(buckets: deltaBuckets, count: minus(count, earlier.count), sum: minus(sum, earlier.sum))
    }

    /// The `q`-quantile by Prometheus's `histogram_quantile` rule: find the first bucket whose
    /// cumulative count reaches `q × total` and interpolate linearly between its lower bound (the
    /// previous bucket's bound, or 0 for the first bucket) and its upper bound. When the rank falls in
    /// the `+Inf` bucket the highest finite bound is returned.
    ///
    /// `nil` when there are no observations, no `+Inf` bucket, fewer than two buckets, or `q` is
    /// outside 0…1.
    public func quantile(_ q: Double) -> Double? {
        guard q >= 0, q <= 1, buckets.count >= 2, let last = buckets.last, last.upperBound == .infinity else { return nil }
        // Cumulative counts must not fall; clamp float noise as Prometheus does.
        var counts = buckets.map(\.cumulativeCount)
        for index in counts.indices.dropFirst() where counts[index] < counts[index - 1] { counts[index] = counts[index - 1] }
        let total = counts[counts.count - 1]
        guard total > 0 else { return nil }
        let rank = q * total
        let finiteCount = buckets.count - 1
        var found = finiteCount
        for index in 0..<finiteCount where counts[index] >= rank {
            found = index
            break
        }
        if found == finiteCount { return buckets[finiteCount - 1].upperBound }
        let upper = buckets[found].upperBound
        if found == 0 && upper <= 0 { return upper }
        let lower = found == 0 ? 0 : buckets[found - 1].upperBound
        let below = found == 0 ? 0 : counts[found - 1]
        let inBucket = counts[found] - below
        guard inBucket > 0 else { return upper }
        return lower + (upper - lower) * (rank - below) / inBucket
    }

    /// p50, p90 and p99 of this snapshot.
    public var percentiles: LatencyPercentiles {
        LatencyPercentiles(p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99))
    }
}

/// Three quantiles of a latency distribution in seconds; each `nil` when unknown.
public struct LatencyPercentiles: Sendable, Hashable {
    /// Median.
    public var p50: Double?
    /// 90th percentile.
    public var p90: Double?
    /// 99th percentile.
    public var p99: Double?

    /// Creates percentiles.
    public init(p50: Double?, p90: Double?, p99: Double?) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
    }

    /// All unknown.
    public static let unknown = LatencyPercentiles(p50: nil, p90: nil, p99: nil)
}
