import HTTPTypes
import Logging
import SpendwallCore
import SpendwallEngine
import SpendwallProviders

// Which upstreams may serve a request, in the order to try them.
extension ProxyHandler {
    /// One upstream that can serve a request, with the request as admitted for it.
    struct Candidate {
        var target: UpstreamTarget
        var admission: Admission
    }

    /// The upstreams that may serve `admission`, in the order to try them: the route's targets
    /// that speak the request's API (by preference, or by hold when the route orders by price),
    /// else the provider's own upstream.
    func candidates(for admission: Admission, gate: PolicyGate) throws(GatewayError) -> [Candidate] {
        let provider = admission.endpoint.provider
        let allowed = gate.policy.upstreams
        guard let route = gateway.routes[admission.route.model] else {
            if let allowed, !allowed.value.contains(provider.rawValue) {
                let names = allowed.value.isEmpty ? "none" : allowed.value.joined(separator: ", ")
                throw GatewayError(policy: PolicyError(.providerNotAllowed, "The upstream '\(provider.rawValue)' is not allowed by the policy of \(allowed.scope). Allowed: \(names)."))
            }
            return [Candidate(target: try usableTarget(named: provider.rawValue, provider: provider), admission: admission)]
        }
        var list: [Candidate] = []
        for routed in route.targets {
            guard let target = gateway.targets[routed.upstream], target.provider == provider else { continue }
            if let allowed, !allowed.value.contains(target.name) { continue }
            guard target.apiKey != nil, target.origin != nil else {
                gateway.logger.warning("a routed upstream is not usable (no credential or base URL); skipping it", metadata: ["upstream": "\(target.name)"])
                continue
            }
            var admitted = try gate.admit(admission.route, upstreamModel: routed.model, rates: routed.rates)
            admitted.decision.upstream = target.name
            admitted.decision.rules = admission.decision.rules
            list.append(Candidate(target: target, admission: admitted))
        }
        if route.order == .price {
            list = list.enumerated().sorted { ($0.element.admission.plan.hold, $0.offset) < ($1.element.admission.plan.hold, $1.offset) }.map(\.element)
        } else if let preferred = allowed?.value {
            // The policy's preference among the route's upstreams comes first.
            list = list.enumerated().sorted {
                (preferred.firstIndex(of: $0.element.target.name) ?? .max, $0.offset) < (preferred.firstIndex(of: $1.element.target.name) ?? .max, $1.offset)
            }.map(\.element)
        }
        if list.isEmpty, let allowed {
            throw GatewayError(policy: PolicyError(.providerNotAllowed, "No upstream of \(admission.route.model) is allowed by the policy of \(allowed.scope) (allowed: \(allowed.value.isEmpty ? "none" : allowed.value.joined(separator: ", ")))."))
        }
        guard !list.isEmpty else {
            throw GatewayError(.serviceUnavailable, "upstream_not_configured", "No upstream routed for \(admission.route.model) speaks the \(provider.displayName) API with a credential and base URL.")
        }
        return list
    }

    /// A provider's own upstream, when it has a credential and an http(s) base URL.
    func usableTarget(named name: String, provider: ProviderKind) throws(GatewayError) -> UpstreamTarget {
        guard let target = gateway.targets[name], target.apiKey != nil else {
            let variable = gateway.targets[name]?.apiKeyEnv ?? "the provider key variable"
            throw GatewayError(.serviceUnavailable, "upstream_not_configured", "No \(provider.displayName) upstream credential is configured: set \(variable) before starting the gateway, or use the simulator.")
        }
        guard target.origin != nil else {
            throw GatewayError(.serviceUnavailable, "upstream_not_configured", "The \(provider.displayName) base_url '\(target.baseURL)' is not an http:// or https:// URL.")
        }
        return target
    }
}
