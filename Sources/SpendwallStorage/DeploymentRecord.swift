import SpendwallCore

/// A self-hosted engine the sentinel runs under a GPU-time budget.
///
/// Stored whole (as JSON) and rewritten at every accrual tick, so a restarted server knows what
/// was charged and which process to look for.
public struct DeploymentRecord: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Launched; waiting for the engine to answer its health check.
        case starting
        /// Healthy and serving its model.
        case running
        /// Stopped by the sentinel or by hand; `killReason` says why.
        case killed
        /// The engine exited on its own.
        case exited
        /// The engine did not become healthy (exited or timed out while starting).
        case failed
        /// Gone while no server watched it: charging stopped at the last paid interval.
        case lost

        /// Whether the engine may still be running and paid for.
        public var isLive: Bool { self == .starting || self == .running }
    }

    public enum Engine: String, Sendable, Hashable, Codable, CaseIterable {
        case vllm, sglang, tgi, command
    }

    public var id: String
    public var tenantID: String
    /// The team that owns it: its GPU time is attributed to this team.
    public var teamID: String?
    /// The model name requests use to reach it.
    public var model: String
    public var engine: Engine
    /// The command line that was started (program first).
    public var command: [String]
    /// The GPU, as named in the price table (`nvidia-l4`), or as given.
    public var gpu: String
    public var gpuCount: Int
    /// What the deployment's GPU time costs, for all its GPUs together.
    public var rate: GPURate
    /// Where the rate came from: `--rate`, or the price table row it was taken from.
    public var rateSource: String
    /// The deployment's own budget (scope `tag:deployment:<id>`), charged its GPU time.
    public var budgetID: String
    public var budgetLimit: Money
    /// Token prices callers are charged (pico-dollars per token); nil: derived from the
    /// allocated GPU cost per token served so far.
    public var tokenRates: TokenRates?
    /// Loopback port the engine listens on.
    public var port: Int
    public var pid: Int32?
    /// The process's start time in clock ticks since boot (`/proc/PID/stat` field 22), so a
    /// reused pid is never mistaken for the engine.
    public var processStartTicks: UInt64?
    /// The host that started it: only a server on the same host adopts it after a restart.
    public var host: String
    public var logPath: String?
    public var state: State
    public var createdAt: Int64
    /// When it answered its health check.
    public var readyAt: Int64?
    public var endedAt: Int64?
    public var killReason: String?
    public var killedBy: String?
    /// The engine's exit status or signal, when it ended and the server saw it end.
    public var exitDescription: String?
    /// GPU time charged and held.
    public var accrual: GPUTimeAccrual
    /// What callers sent through the gateway to it.
    public var requests: Int64
    public var inputTokens: Int64
    public var outputTokens: Int64

    public init(
        id: String, tenantID: String, teamID: String?, model: String, engine: Engine, command: [String], gpu: String, gpuCount: Int,
        rate: GPURate, rateSource: String, budgetID: String, budgetLimit: Money, tokenRates: TokenRates?, port: Int, host: String,
        logPath: String?, createdAt: Int64, accrual: GPUTimeAccrual
    ) {
        self.id = id
        self.tenantID = tenantID
        self.teamID = teamID
        self.model = model
        self.engine = engine
        self.command = command
        self.gpu = gpu
        self.gpuCount = gpuCount
        self.rate = rate
        self.rateSource = rateSource
        self.budgetID = budgetID
        self.budgetLimit = budgetLimit
        self.tokenRates = tokenRates
        self.port = port
        self.host = host
        self.logPath = logPath
        self.state = .starting
        self.createdAt = createdAt
        self.accrual = accrual
        self.requests = 0
        self.inputTokens = 0
        self.outputTokens = 0
    }

    /// Tokens served through the gateway.
    public var tokensServed: Int64 { inputTokens + outputTokens }

    /// The tag that scopes the deployment's budget.
    public static func budgetTag(deploymentID: String) -> String { "deployment:\(deploymentID)" }
}

/// Ledger rows of GPU time are told apart from request rows by their endpoint.
extension LedgerEntry {
    /// The endpoint recorded on ledger rows of GPU time.
    public static let gpuTimeEndpoint = "gpu_time"

    /// `gpu_time` for GPU time a deployment was charged, `api` for requests.
    public var kind: String { endpoint == Self.gpuTimeEndpoint ? "gpu_time" : "api" }
}
