/// Why an upstream call failed, and whether the provider may have received the request (and so
/// may bill it).
struct UpstreamError: Error, CustomStringConvertible {
    enum Code: String, Sendable {
        /// No connection could be opened: the request was certainly not sent.
        case connectFailed = "connect_failed"
        /// The deadline passed before the response was complete.
        case timedOut = "timed_out"
        /// The connection closed or broke before the response was complete.
        case connectionClosed = "connection_closed"
        /// The provider sent something that is not HTTP/1.1.
        case invalidResponse = "invalid_response"
        /// The gateway ended the response itself (the kill switch cut the stream).
        case aborted = "aborted"
        /// The client is shutting down.
        case shutDown = "shut_down"
    }

    var code: Code
    /// False only when the request certainly never reached the provider.
    var mayHaveBeenSent: Bool
    var detail: String

    init(_ code: Code, mayHaveBeenSent: Bool, _ detail: String) {
        self.code = code
        self.mayHaveBeenSent = mayHaveBeenSent
        self.detail = detail
    }

    var description: String { "\(code.rawValue): \(detail)" }
}
