import HTTPTypes
import SpendwallCore

/// How a request was decided, as sent in `x-spendwall-decision` and stored in its ledger row:
/// `model=gpt-4o-mini; provider=openai; tier=economy; policies=tenant:acme,team:research;
/// rules=default-tier:economy@tenant:acme,routed:gpt-4o->gpt-4o-mini; hold=$0.0012` (plus
/// `; charge=…` on answers sent after settlement).
struct Decision: Sendable, Hashable {
    var model: String
    var provider: ProviderKind
    /// The model's name at the upstream, when a route renames it.
    var servedAs: String?
    /// The upstream that served (named in routes).
    var upstream: String?
    var tier: String?
    var policies: [Scope]
    var rules: [String]
    var hold: Money

    var text: String {
        var text = "model=\(model); provider=\(provider.rawValue)"
        if let upstream { text += "; upstream=\(upstream)" }
        if let servedAs, servedAs != model { text += "; served_as=\(servedAs)" }
        if let tier { text += "; tier=\(tier)" }
        text += "; policies=" + (policies.isEmpty ? "none" : policies.map(\.description).joined(separator: ","))
        text += "; rules=" + (rules.isEmpty ? "none" : rules.joined(separator: ","))
        text += "; hold=\(hold)"
        return text
    }

    /// A decision's text with the charge, for an answer sent after settlement (none: as is).
    static func text(_ text: String, charge: Money?) -> String {
        guard let charge else { return text }
        return text + "; charge=\(charge)"
    }
}

extension GatewayError {
    /// A policy refusal: 403 with the rule's code.
    init(policy error: PolicyError) {
        self.init(.forbidden, error.code.rawValue, error.message)
    }

    /// The refusal with the decision made so far in `x-spendwall-decision`, e.g.
    /// `refused=budget_exceeded; model=gpt-4o; provider=openai; …; hold=$0.0012`.
    func deciding(_ decision: Decision) -> GatewayError {
        var refusal = self
        refusal.headers.append((.spendwallDecision, "refused=\(type); " + decision.text))
        return refusal
    }
}

extension HTTPField.Name {
    static let spendwallTier = HTTPField.Name("x-spendwall-tier")!
    static let spendwallDecision = HTTPField.Name("x-spendwall-decision")!
    static let spendwallCache = HTTPField.Name("x-spendwall-cache")!
}
