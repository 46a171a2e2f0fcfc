/// Why a Prometheus text exposition could not be read, with the 1-based line it was found on.
public struct PrometheusParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code for each kind of malformed input.
    public enum Code: String, Sendable, Hashable {
        /// A sample's metric name is missing or has a character outside `[a-zA-Z0-9_:]`.
        case invalidMetricName = "invalid_metric_name"
        /// A label set is malformed: bad name, missing `=` or quote, bad escape, duplicate name, or unterminated.
        case invalidLabels = "invalid_labels"
        /// A sample's value is missing or is not a number (`NaN`, `+Inf` and `-Inf` are numbers).
        case invalidValue = "invalid_value"
        /// The optional timestamp is not an integer, or more text follows it.
        case invalidTimestamp = "invalid_timestamp"
        /// A `# TYPE` line names an unknown type or lacks the metric name.
        case invalidTypeLine = "invalid_type_line"
    }

    /// What kind of error it is.
    public var code: Code
    /// The 1-based line number in the scraped text.
    public var line: Int
    /// A human explanation (never the offending text beyond a short excerpt).
    public var message: String

    /// Creates an error.
    public init(_ code: Code, line: Int, _ message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}
