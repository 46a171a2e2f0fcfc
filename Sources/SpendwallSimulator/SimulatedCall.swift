public import SpendwallCore

/// One model call the simulator answered (or failed to finish), as recorded in its call log.
public struct SimulatedCall: Sendable, Hashable, Codable {
    /// Position in the log since the last reset, counting dropped records; `?since=` filters on it.
    public var index: Int
    /// The response id the simulator returned (`chatcmpl-sim-…`, `resp_sim…`, `msg_sim…`, …).
    public var id: String
    /// The endpoint called.
    public var endpoint: SimulatedEndpoint
    /// The model named by the request (for Gemini, by the path).
    public var model: String
    /// Whether the response was streamed.
    public var stream: Bool
    /// The HTTP status answered.
    public var status: Int
    /// The usage the response reported, in Spendwall's disjoint form (input excludes cached and
    /// cache-write tokens, output excludes reasoning). Zero for error answers. For a stream cut
    /// by a fault or a departed client — which reported no final usage — the tokens consumed
    /// anyway: the input, the reasoning, and the visible words actually sent.
    public var usage: TokenUsage
    /// True when a successful answer was written in full; false for errors, faults, and clients
    /// that went away.
    public var completed: Bool
    /// True when any request header value contained `sw-`: a leaked Spendwall virtual key.
    public var sawSpendwallKey: Bool
    /// True when the request carried the expected key (always true when none is configured).
    public var authorizationOK: Bool
    /// The `x-simulator-fault` directive applied, if any.
    public var fault: String?

    /// Creates a record.
    public init(
        index: Int = 0,
        id: String,
        endpoint: SimulatedEndpoint,
        model: String,
        stream: Bool,
        status: Int = 200,
        usage: TokenUsage = .zero,
        completed: Bool,
        sawSpendwallKey: Bool = false,
        authorizationOK: Bool = true,
        fault: String? = nil
    ) {
        self.index = index
        self.id = id
        self.endpoint = endpoint
        self.model = model
        self.stream = stream
        self.status = status
        self.usage = usage
        self.completed = completed
        self.sawSpendwallKey = sawSpendwallKey
        self.authorizationOK = authorizationOK
        self.fault = fault
    }
}
