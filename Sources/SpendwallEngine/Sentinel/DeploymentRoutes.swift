import SpendwallCore
import SpendwallStorage
import Synchronization

/// The deployments the data plane routes to, by model, and the tokens it served through each.
///
/// The sentinel publishes a route when its engine is healthy and changes it when the engine
/// stops, so requests for a stopped deployment get a clear error instead of a dead port.
public final class DeploymentRoutes: Sendable {
    public struct Route: Sendable, Hashable {
        public var deploymentID: String
        public var tenantID: String
        public var model: String
        /// `http://127.0.0.1:PORT`.
        public var baseURL: String
        public var state: DeploymentRecord.State
        /// What callers are charged per token; zero rates while a derived price has nothing to
        /// derive from yet (no tokens served).
        public var rates: TokenRates
        /// Why it stopped, when it did.
        public var stopReason: String?
    }

    struct Served: Sendable {
        var requests: Int64 = 0
        var input: Int64 = 0
        var output: Int64 = 0
    }

    let routes = Mutex<[String: Route]>([:])
    let served = Mutex<[String: Served]>([:])

    public init() {}

    /// The deployment serving `model` for `tenantID`, running or stopped; nil when none was
    /// deployed for it.
    public func route(model: String, tenantID: String) -> Route? {
        routes.withLock { $0[Self.key(model: model, tenantID: tenantID)] }
    }

    /// Counts a request's tokens for the deployment that served it.
    public func recordServed(deploymentID: String, usage: TokenUsage) {
        served.withLock { served in
            var counts = served[deploymentID] ?? Served()
            counts.requests += 1
            counts.input += usage.totalInput
            counts.output += usage.totalOutput
            served[deploymentID] = counts
        }
    }

    func publish(_ route: Route) {
        routes.withLock { $0[Self.key(model: route.model, tenantID: route.tenantID)] = route }
    }

    /// Takes the counts recorded since the last call.
    func takeServed(deploymentID: String) -> Served {
        served.withLock { $0.removeValue(forKey: deploymentID) ?? Served() }
    }

    static func key(model: String, tenantID: String) -> String { tenantID + "\u{1F}" + model }
}
