public import Hummingbird
public import Logging
import NIOCore
import SpendwallCore
import Synchronization

/// A simulated OpenAI, Anthropic and Gemini upstream: a real HTTP server that answers the three
/// provider dialects with deterministic, clearly labelled (`[simulated]`, `x-spendwall-simulated:
/// true`) answers and realistic usage, and records every call for tests and the demo.
///
/// ```swift
/// let simulator = SimulatedProvider()
/// let app = simulator.makeApplication(host: "127.0.0.1", port: 0) { port in
///     print("simulated upstream on http://127.0.0.1:\(port)")
/// }
/// try await app.runService()
/// ```
///
/// Endpoints: `POST /v1/chat/completions`, `POST /v1/responses`, `POST /v1/embeddings`,
/// `GET /v1/models`, `POST /v1/messages`, `POST /v1/messages/count_tokens`,
/// `POST /v1beta/models/{model}:generateContent`, `POST /v1beta/models/{model}:streamGenerateContent`
/// (with or without `?alt=sse`), and the call log at `GET /_simulator/calls[?since=N]`,
/// `GET /_simulator/usage`, `POST /_simulator/reset`.
///
/// Request headers `x-simulator-fault` (see ``SimulatorConfig``), `x-simulator-cached-tokens: N`,
/// `x-simulator-cache-write-tokens: N` (Anthropic, 5-minute cache) and
/// `x-simulator-extended-cache-write-tokens: N` (Anthropic, 1-hour cache) steer individual calls.
public final class SimulatedProvider: Sendable {
    /// The configuration this simulator was created with.
    public let config: SimulatorConfig
    let log: Mutex<CallLog>
    private let serial = Atomic<Int>(0)
    /// Distinguishes this instance's response ids from another instance's.
    let instanceTag: String

    /// Creates a simulator.
    public init(config: SimulatorConfig = SimulatorConfig()) {
        self.config = config
        self.log = Mutex(CallLog(limit: config.callLogLimit))
        self.instanceTag = String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 16)
    }

    /// The recorded calls, oldest first (at most ``SimulatorConfig/callLogLimit``).
    public var calls: [SimulatedCall] {
        log.withLock { $0.records }
    }

    /// The recorded calls whose ``SimulatedCall/index`` is at least `index`.
    public func calls(since index: Int) -> [SimulatedCall] {
        log.withLock { $0.records(since: index) }
    }

    /// Usage totals by model since the last reset.
    public var usageByModel: [String: SimulatedUsageTotals] {
        log.withLock { $0.totals }
    }

    /// Forgets every recorded call and total.
    public func reset() {
        log.withLock { $0.reset() }
    }

    /// A router answering every simulator endpoint.
    public func makeRouter() -> Router<SimulatorRequestContext> {
        let router = Router(context: SimulatorRequestContext.self)
        addOpenAIRoutes(to: router)
        addAnthropicRoutes(to: router)
        addGeminiRoutes(to: router)
        addCallLogRoutes(to: router)
        return router
    }

    /// A Hummingbird application serving ``makeRouter()`` on `host`:`port`.
    ///
    /// - Parameters:
    ///   - host: the address to bind, e.g. `"127.0.0.1"`.
    ///   - port: the port to bind; 0 picks a free one.
    ///   - logger: the server's logger.
    ///   - onRunning: called once the server listens, with the port actually bound.
    /// - Returns: the application; run it with `run()` or `runService()`, or add it to a `ServiceGroup`.
    public func makeApplication(
        host: String = "127.0.0.1",
        port: Int = 0,
        logger: Logger = Logger(label: "spendwall.simulator"),
        onRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "spendwall-simulator"),
            onServerRunning: { channel in
                await onRunning(channel.localAddress?.port ?? port)
            },
            logger: logger
        )
    }

    /// The next call serial number (1, 2, …).
    func nextSerial() -> Int {
        serial.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Appends a record and returns its index.
    @discardableResult
    func record(_ call: SimulatedCall) -> Int {
        log.withLock { $0.append(call) }
    }
}
