import SpendwallMeasure
import Testing

@Suite struct PrometheusTextTests {
    @Test("reads HELP/TYPE, escaped label values, special values, timestamps, blank lines and CRLF")
    func formatEdgeCases() throws {
        let text = """
        # HELP http_requests_total The total number of HTTP requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400",} 3 1395066363000

        # A free comment
        msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9\r
        metric_without_timestamp_and_labels 12.47
        something_weird{problem="division by zero"} +Inf -3982045
        neg_inf -Inf
        not_a_number NaN
          indented_gauge 3
        """
        let set = try PrometheusText.parse(text)
        #expect(set.types["http_requests_total"] == .counter)
        #expect(set.sum("http_requests_total") == 1030)
        #expect(set.samples(named: "http_requests_total").first?.timestampMilliseconds == 1_395_066_363_000)
        let file = try #require(set.samples(named: "msdos_file_access_time_seconds").first)
        #expect(file.labels["path"] == #"C:\DIR\FILE.TXT"#)
        #expect(file.labels["error"] == "Cannot find file:\n\"FILE.TXT\"")
        #expect(file.value == 1_458_255_915)
        #expect(set.sum("metric_without_timestamp_and_labels") == 12.47)
        #expect(set.samples(named: "something_weird").first?.value == .infinity)
        #expect(set.samples(named: "something_weird").first?.timestampMilliseconds == -3_982_045)
        #expect(set.sum("neg_inf") == -.infinity)
        #expect(set.sum("not_a_number")?.isNaN == true)
        #expect(set.sum("indented_gauge") == 3)
        #expect(set.sum("absent") == nil)
    }

    @Test("refuses malformed lines with a typed error naming the line", arguments: [
        ("ok 1\nbad{ 2", 2, PrometheusParseError.Code.invalidLabels),
        ("x 1\n\n# TYPE x bogus", 3, .invalidTypeLine),
        ("x abc", 1, .invalidValue),
        ("x", 1, .invalidValue),
        ("x 1 12.5", 1, .invalidTimestamp),
        ("x 1 2 3", 1, .invalidTimestamp),
        ("x{a=\"1\",a=\"2\"} 1", 1, .invalidLabels),
        ("x{a=\"\\q\"} 1", 1, .invalidLabels),
        ("x{a=\"1} 1", 1, .invalidLabels),
        ("x{a=1} 1", 1, .invalidLabels),
        ("x{a=\"1\" b=\"2\"} 1", 1, .invalidLabels),
        ("a 1\nb 2\n{a=\"1\"} 1", 3, .invalidMetricName),
        ("9lives 1", 1, .invalidMetricName),
        ("x-y 1", 1, .invalidMetricName),
    ])
    func errors(text: String, line: Int, code: PrometheusParseError.Code) {
        #expect(throws: PrometheusParseError.self) { try PrometheusText.parse(text) }
        do {
            _ = try PrometheusText.parse(text)
        } catch {
            #expect(error.code == code)
            #expect(error.line == line)
            #expect(error.description.hasPrefix("line \(line): "))
        }
    }

    @Test("the real V0 snapshot parses, indented as published, and sums series over label sets")
    func realSnapshot() throws {
        let set = try PrometheusText.parse(Fixture.vllmV0)
        #expect(set.types["vllm:time_to_first_token_seconds"] == .histogram)
        #expect(set.sum("vllm:prompt_tokens_total") == 5_453_083)
        // request_success_total has three finished_reason series: 6193 + 28 + 5.
        #expect(set.samples(named: "vllm:request_success_total").count == 3)
        #expect(set.sum("vllm:request_success_total") == 6_226)
        #expect(set.samples(named: "vllm:lora_requests_info").first?.labels["running_lora_adapters"] == "")
    }
}
