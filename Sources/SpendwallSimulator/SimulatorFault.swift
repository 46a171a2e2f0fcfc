/// A failure injected by the `x-simulator-fault` request header.
///
/// | header value      | effect |
/// |-------------------|--------|
/// | `status=NNN`      | answer HTTP NNN with the dialect's error body and no usage |
/// | `break-after=K`   | streams: send K content chunks, then drop the connection mid-body (no final events, no usage) |
/// | `end-after=K`     | streams: send K content chunks, then end the body cleanly but without final events or usage |
/// | `hang`            | never answer until the client goes away (bounded by ``SimulatorConfig/hangLimit``, then 504) |
///
/// `break-after` and `end-after` are ignored by non-streaming calls. A `hang` notices a departed
/// client only once its connection is fully closed (the server keeps half-closed connections
/// open), and holds up a graceful shutdown until it ends, so tests should set a short
/// ``SimulatorConfig/hangLimit``.
enum SimulatorFault: Sendable, Hashable {
    case status(Int)
    case breakAfter(Int)
    case endAfter(Int)
    case hang

    /// Parses a header value; nil when it names no known fault.
    init?(headerValue: String) {
        let trimmed = headerValue.trimmingSpaces
        if trimmed == "hang" {
            self = .hang
            return
        }
        guard let equals = trimmed.firstIndex(of: "=") else { return nil }
        let name = trimmed[..<equals]
        guard let value = Int(trimmed[trimmed.index(after: equals)...].trimmingSpaces), value >= 0 else { return nil }
        switch name {
        case "status" where (100...599).contains(value): self = .status(value)
        case "break-after": self = .breakAfter(value)
        case "end-after": self = .endAfter(value)
        default: return nil
        }
    }

    /// How many content chunks a stream may send before this fault cuts it, if it does.
    var contentChunkLimit: Int? {
        switch self {
        case .breakAfter(let count), .endAfter(let count): count
        case .status, .hang: nil
        }
    }
}

extension StringProtocol {
    /// The string without leading or trailing spaces and tabs.
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
