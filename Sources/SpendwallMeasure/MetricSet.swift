/// How a metric family was declared by its `# TYPE` line.
public enum MetricType: String, Sendable, Hashable, Codable {
    /// Only ever increases, until the process restarts.
    case counter
    /// Goes up and down.
    case gauge
    /// Cumulative `_bucket{le=...}` series plus `_sum` and `_count`.
    case histogram
    /// Quantile series plus `_sum` and `_count`.
    case summary
    /// Declared without a type.
    case untyped
}

/// One sample line: a series name, its labels and its value.
public struct MetricSample: Sendable, Hashable {
    /// The series name as written, e.g. `vllm:time_to_first_token_seconds_bucket`.
    public var name: String
    /// Label names to values, unescaped.
    public var labels: [String: String]
    /// The value; may be `NaN` or infinite.
    public var value: Double
    /// The optional timestamp in milliseconds since the epoch.
    public var timestampMilliseconds: Int64?

    /// Creates a sample.
    public init(name: String, labels: [String: String] = [:], value: Double, timestampMilliseconds: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The labels in a canonical order, `a="1",b="2"`, identifying the series within its name.
    public var labelKey: String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
    }
}

/// Every sample of one scrape, indexed by series name.
public struct MetricSet: Sendable, Hashable {
    /// Samples by series name, in the order they appeared.
    public private(set) var samplesByName: [String: [MetricSample]] = [:]
    /// Declared types by family name (from `# TYPE`).
    public private(set) var types: [String: MetricType] = [:]

    /// An empty set.
    public init() {}

    /// Adds a sample.
    public mutating func append(_ sample: MetricSample) {
        samplesByName[sample.name, default: []].append(sample)
    }

    /// Records a family's declared type.
    public mutating func declare(_ family: String, as type: MetricType) {
        types[family] = type
    }

    /// The samples of a series name (every label set), or an empty array.
    public func samples(named name: String) -> [MetricSample] {
        samplesByName[name] ?? []
    }

    /// True when at least one sample has this series name.
    public func contains(_ name: String) -> Bool {
        !(samplesByName[name]?.isEmpty ?? true)
    }

    /// The sum of a series over every label set, or `nil` when no sample has that name.
    public func sum(_ name: String) -> Double? {
        guard let samples = samplesByName[name], !samples.isEmpty else { return nil }
        return samples.reduce(0) { $0 + $1.value }
    }

    /// Every series name present.
    public var names: Dictionary<String, [MetricSample]>.Keys { samplesByName.keys }
}
