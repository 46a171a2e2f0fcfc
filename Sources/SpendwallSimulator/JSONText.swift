import SpendwallCore
/// Hand-rolled JSON output for the hot path: the simulator writes its responses as text
/// templates instead of going through `JSONEncoder`.
enum JSONText {
    /// `value` as a quoted, escaped JSON string.
    static func quoted(_ value: some StringProtocol) -> String {
        JSONQuoting.quoted(value)
    }

    /// `value` as JSON, or `null`.
    static func optional(_ value: String?) -> String {
        value.map { quoted($0) } ?? "null"
    }
}

/// Server-sent-event framing.
enum SSE {
    /// `data: <json>\n\n`.
    static func data(_ json: String) -> String {
        "data: " + json + "\n\n"
    }

    /// `event: <name>\ndata: <json>\n\n`.
    static func event(_ name: String, _ json: String) -> String {
        "event: " + name + "\ndata: " + json + "\n\n"
    }
}
