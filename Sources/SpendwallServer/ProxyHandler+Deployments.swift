import HTTPTypes
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

// Requests for a model a self-hosted deployment serves.
extension ProxyHandler {
    /// A deployment that serves a request: where it listens and what callers pay per token.
    struct DeploymentTarget {
        var id: String
        var target: UpstreamTarget
        var rates: TokenRates
    }

    /// The running deployment of `model` in the caller's tenant (OpenAI-dialect requests: the
    /// engines speak OpenAI's API); nil when none was deployed for it. A deployment that is
    /// starting or has stopped answers 503 with why, and nothing is charged.
    func deploymentTarget(for model: String, key: KeyRecord, provider: ProviderKind) throws(GatewayError) -> DeploymentTarget? {
        guard provider == .openai, let route = gateway.deployments.route(model: model, tenantID: key.tenantID) else { return nil }
        switch route.state {
        case .running:
            let target = UpstreamTarget(name: "deployment:\(route.deploymentID)", provider: .openai, baseURL: route.baseURL, apiKey: nil, apiKeyEnv: nil)
            return DeploymentTarget(id: route.deploymentID, target: target, rates: route.rates)
        case .starting:
            var error = GatewayError(.serviceUnavailable, "deployment_starting", "Deployment \(route.deploymentID) of \(model) is starting; its engine has not answered its health check yet.")
            error.headers = [(.retryAfter, "5")]
            throw error
        case .killed, .exited, .failed, .lost:
            throw GatewayError(.serviceUnavailable, "deployment_stopped", "The self-hosted \(route.stopReason ?? "deployment of \(model) has stopped"); nothing was sent or charged. Deploy it again with `spendwall deploy --model \(model) …`.")
        }
    }
}
