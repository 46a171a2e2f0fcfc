import Hummingbird
import SpendwallCore

/// Who an admin request acts for: the operator (every tenant), or one tenant through a tenant
/// admin token. A tenant token's queries are bounded by its tenant, an id of another tenant
/// answers 404 exactly like an id that does not exist, and operator-wide routes answer 403.
public enum AdminAccess: Sendable, Hashable {
    /// The operator's admin token (`$SPENDWALL_HOME/admin-token`): every tenant.
    case operatorWide
    /// A tenant admin token: this tenant only; `tokenID` is recorded as the actor of what it does.
    case tenant(String, tokenID: String)

    /// The tenant a list is bounded by: for a tenant token, always its own (asking for another
    /// answers 404); for the operator, the one asked for or none.
    func tenantFilter(_ requested: String?) throws -> String? {
        guard case .tenant(let own, _) = self else { return requested }
        if let requested, requested != own { throw Self.notFound("tenant", requested) }
        return own
    }

    /// Refuses a tenant token a record of another tenant with the answer a missing id gets.
    func requireOwn(_ owner: String, kind: String, id: String) throws {
        if case .tenant(let own, _) = self, owner != own { throw Self.notFound(kind, id) }
    }

    /// Refuses a tenant token a route that spans every tenant.
    func requireOperator(_ action: String) throws {
        if case .tenant = self {
            throw HTTPError(.forbidden, message: "a tenant admin token cannot \(action); use the operator's admin token")
        }
    }

    /// Who to record in the audit log: the operator's word for it, or, for a tenant token, the
    /// token itself (with the name the request gave, which it cannot put in the token's place).
    func actor(named name: String?) -> String {
        switch self {
        case .operatorWide: name ?? "admin-api"
        case .tenant(_, let tokenID): name.map { "\($0) via admin-token:\(tokenID)" } ?? "admin-token:\(tokenID)"
        }
    }

    static func notFound(_ kind: String, _ id: String) -> HTTPError {
        HTTPError(.notFound, message: "\(kind) '\(id)' does not exist")
    }
}

/// The admin API's request context: what `AdminTokenMiddleware` found the caller may reach.
public struct AdminRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AdminTokenMiddleware` before any route runs.
    var granted: AdminAccess?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// Who the request acts for; a route reached without the middleware refuses.
    var access: AdminAccess {
        get throws {
            guard let granted else { throw HTTPError(.unauthorized, message: "admin token required") }
            return granted
        }
    }
}
