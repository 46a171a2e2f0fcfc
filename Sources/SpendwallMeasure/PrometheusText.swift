/// A reader of the Prometheus text exposition format, version 0.0.4.
///
/// It reads `# HELP` and `# TYPE` lines (other comments are skipped), blank lines, and samples
/// `name{label="value",...} value [timestamp]`. Label values may escape `\\`, `\"` and `\n`.
/// Values may be `NaN`, `+Inf`, `-Inf` or any decimal or exponent form. Leading blanks on a line
/// are skipped, as the reference Go parser does. Malformed input throws a
/// ``PrometheusParseError`` with the line number; nothing traps.
///
/// ```swift
/// let metrics = try PrometheusText.parse(scrapedBody)
/// let prompt = metrics.sum("vllm:prompt_tokens_total")   // summed over every model_name
/// ```
public enum PrometheusText {
    /// Parses a whole scrape.
    public static func parse(_ text: String) throws(PrometheusParseError) -> MetricSet {
        var set = MetricSet()
        var lineNumber = 0
        // Split on Characters: Swift treats "\r\n" as one Character, so match it as well as "\n".
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var bytes = Array(rawLine.utf8)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            var reader = LineReader(bytes: bytes, line: lineNumber)
            reader.skipBlanks()
            if reader.isAtEnd { continue }
            if reader.peek == UInt8(ascii: "#") {
                try readComment(&reader, into: &set)
            } else {
                set.append(try readSample(&reader))
            }
        }
        return set
    }

    private static func readComment(_ reader: inout LineReader, into set: inout MetricSet) throws(PrometheusParseError) {
        reader.advance()
        reader.skipBlanks()
        let keyword = reader.readToken()
        guard keyword == "TYPE" else { return }  // HELP text and free comments carry nothing we use.
        reader.skipBlanks()
        let family = reader.readToken()
        reader.skipBlanks()
        let typeName = reader.readToken()
        guard !family.isEmpty, let type = MetricType(rawValue: typeName) else {
            throw PrometheusParseError(.invalidTypeLine, line: reader.line, "a TYPE line needs a metric name and one of counter, gauge, histogram, summary, untyped")
        }
        set.declare(family, as: type)
    }

    private static func readSample(_ reader: inout LineReader) throws(PrometheusParseError) -> MetricSample {
        let name = reader.readMetricName()
        guard !name.isEmpty else {
            throw PrometheusParseError(.invalidMetricName, line: reader.line, "a sample must start with a metric name")
        }
        var labels: [String: String] = [:]
        if reader.peek == UInt8(ascii: "{") {
            labels = try reader.readLabels()
        }
        guard reader.skipBlanks() > 0 || reader.isAtEnd else {
            throw PrometheusParseError(.invalidMetricName, line: reader.line, "unexpected character after metric name \(name)")
        }
        let valueText = reader.readToken()
        guard let value = parseValue(valueText) else {
            throw PrometheusParseError(.invalidValue, line: reader.line, "the value of \(name) is not a number")
        }
        reader.skipBlanks()
        var timestamp: Int64?
        if !reader.isAtEnd {
            let text = reader.readToken()
            guard let parsed = Int64(text) else {
                throw PrometheusParseError(.invalidTimestamp, line: reader.line, "the timestamp of \(name) is not an integer")
            }
            timestamp = parsed
            reader.skipBlanks()
            guard reader.isAtEnd else {
                throw PrometheusParseError(.invalidTimestamp, line: reader.line, "unexpected text after the timestamp of \(name)")
            }
        }
        return MetricSample(name: name, labels: labels, value: value, timestampMilliseconds: timestamp)
    }

    /// Parses a sample value: Go's `ParseFloat` forms plus `NaN`, `+Inf`, `-Inf`, `Inf`.
    static func parseValue(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard !text.isEmpty, text.utf8.allSatisfy({ isNumberByte($0) }) else { return nil }
            return Double(text)
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
            || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
    }
}
