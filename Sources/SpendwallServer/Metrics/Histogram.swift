/// A Prometheus histogram of durations in seconds: cumulative buckets, sum and count.
struct Histogram: Sendable {
    /// Upper bounds in seconds: 50 µs to 60 s.
    static let bounds: [Double] = [
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
    ]
    private(set) var counts = [Int64](repeating: 0, count: Histogram.bounds.count)
    private(set) var sum: Double = 0
    private(set) var count: Int64 = 0

    mutating func observe(_ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let value = max(0, seconds)
        if let index = Self.bounds.firstIndex(where: { value <= $0 }) { counts[index] += 1 }
        sum += value
        count += 1
    }

    /// The exposition lines of the histogram `name`, with `labels` (already formatted, may be empty).
    func lines(_ name: String, labels: String = "") -> [String] {
        var lines: [String] = []
        var cumulative: Int64 = 0
        let prefix = labels.isEmpty ? "" : labels + ","
        for (bound, bucket) in zip(Self.bounds, counts) {
            cumulative += bucket
            lines.append("\(name)_bucket{\(prefix)le=\"\(bound)\"} \(cumulative)")
        }
        lines.append("\(name)_bucket{\(prefix)le=\"+Inf\"} \(count)")
        let braces = labels.isEmpty ? "" : "{\(labels)}"
        lines.append("\(name)_sum\(braces) \(sum)")
        lines.append("\(name)_count\(braces) \(count)")
        return lines
    }
}
