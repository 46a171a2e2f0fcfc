import Hummingbird
import SpendwallEngine
import SpendwallStorage

/// Opens the admin API to the operator's admin token (every tenant) or to a tenant admin token
/// in force (its tenant only); refuses anything else. The operator's token is compared by hash
/// in constant time; tenant tokens are found by the hash of what was presented.
struct AdminTokenMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext
    let operatorTokenHash: String
    let controlPlane: ControlPlane

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let presented = request.headers[.authorization].flatMap(ClientCredential.bearerToken) ?? ""
        var context = context
        guard let access = access(presenting: presented) else {
            throw HTTPError(.unauthorized, message: "admin token required: Authorization: Bearer <token from $SPENDWALL_HOME/admin-token, or a tenant admin token>")
        }
        context.granted = access
        return try await next(request, context)
    }

    /// What a presented admin token opens: everything (the operator's), one tenant (a tenant
    /// admin token in force), or nothing.
    func access(presenting presented: String) -> AdminAccess? {
        let hash = VirtualKey.hash(presented)
        if Self.equalInConstantTime(hash, operatorTokenHash) { return .operatorWide }
        if let token = controlPlane.directory.activeAdminToken(secretHash: hash) { return .tenant(token.tenantID, tokenID: token.id) }
        return nil
    }

    static func equalInConstantTime(_ left: String, _ right: String) -> Bool {
        var difference: UInt8 = 0
        for (a, b) in zip(left.utf8, right.utf8) { difference |= a ^ b }
        return difference == 0 && left.utf8.count == right.utf8.count
    }
}
