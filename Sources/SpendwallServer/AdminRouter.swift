import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

/// The admin API (`/admin/v1/…`) on its own listener, guarded by the admin token (never a
/// data-plane key). Bodies and answers are JSON with snake_case keys; amounts are integer
/// nano-dollars (1e-9 USD), except budget limits given as dollar strings on input.
public enum AdminRouter {
    /// - Parameter alerts: the alert monitor, for `POST /alerts/test`.
    public static func make(gateway: Gateway, adminToken: String, alerts: AlertMonitor? = nil) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let plane = gateway.controlPlane
        let admin = router.group("/admin/v1")
        let guarded = admin.group().add(middleware: AdminTokenMiddleware(tokenHash: VirtualKey.hash(adminToken)))

        guarded.get("/status") { _, _ in
            try json(AdminStatus(
                catalogVersion: gateway.catalog.current.version, openHolds: gateway.enforcer.openHoldCount,
                statistics: gateway.enforcer.statistics, liveStreams: gateway.controlPlane.liveStreams.count,
                unsettledLedgerRows: gateway.enforcer.unsettledCount, sharedBudgets: gateway.enforcer.sharesBudgets,
                shadowRefusals: gateway.enforcer.shadowCounts.snapshot.merging(gateway.rateLimiter.shadowCounts.snapshot) { $0 + $1 }
            ))
        }
        guarded.post("/tenants") { request, _ in
            let body = try await decode(TenantBody.self, request)
            return try json(try await run { try await plane.createTenant(id: body.id, name: body.name ?? body.id ?? "") }, status: .created)
        }
        guarded.patch("/tenants/:id") { request, context in
            let id = try context.parameters.require("id")
            let body = try await decode(TenantBody.self, request)
            guard let name = body.name else { throw HTTPError(.badRequest, message: "name is required") }
            return try json(try await run { try await plane.renameTenant(id: id, name: name) })
        }
        guarded.patch("/teams/:id") { request, context in
            let id = try context.parameters.require("id")
            let body = try await decode(RenameBody.self, request)
            return try json(try await run { try await plane.renameTeam(id: id, name: body.name) })
        }
        guarded.patch("/users/:id") { request, context in
            let id = try context.parameters.require("id")
            let body = try await decode(UserUpdateBody.self, request)
            return try json(try await run { try await plane.updateUser(id: id, name: body.name, teamID: body.team) })
        }
        guarded.patch("/keys/:id") { request, context in
            let id = try context.parameters.require("id")
            let update = try await decode(ControlPlane.KeyUpdate.self, request)
            return try json(try await run { try await plane.updateKey(id: id, update) })
        }
        guarded.get("/tenants") { _, _ in try json(try await gateway.controlPlane.store.tenants()) }
        guarded.post("/teams") { request, _ in
            let body = try await decode(TeamBody.self, request)
            return try json(try await run { try await plane.createTeam(tenantID: body.tenant, id: body.id, name: body.name ?? body.id ?? "") }, status: .created)
        }
        guarded.get("/teams") { request, _ in try json(try await plane.store.teams(tenantID: request.uri.queryParameters["tenant"].map(String.init))) }
        guarded.post("/users") { request, _ in
            let body = try await decode(UserBody.self, request)
            return try json(try await run { try await plane.createUser(tenantID: body.tenant, teamID: body.team, id: body.id, name: body.name ?? body.id ?? "") }, status: .created)
        }
        guarded.get("/users") { request, _ in try json(try await plane.store.users(tenantID: request.uri.queryParameters["tenant"].map(String.init))) }
        guarded.post("/keys") { request, _ in
            let spec = try await decode(ControlPlane.KeySpec.self, request)
            let created = try await run { try await plane.createKey(spec) }
            return try json(CreatedKey(key: created.record, secret: created.secret), status: .created)
        }
        guarded.get("/keys") { request, _ in try json(try await plane.store.keys(tenantID: request.uri.queryParameters["tenant"].map(String.init))) }
        guarded.post("/keys/:id/revoke") { _, context in
            let id = try context.parameters.require("id")
            return try json(try await run { try await plane.revokeKey(id: id) })
        }
        guarded.post("/budgets") { request, _ in
            let spec = try await decode(ControlPlane.BudgetSpec.self, request)
            return try json(try await run { try await plane.setBudget(spec) })
        }
        guarded.get("/budgets") { request, _ in
            try json(try await plane.budgetStatuses(tenantID: request.uri.queryParameters["tenant"].map(String.init)))
        }
        guarded.delete("/budgets/:id") { _, context in
            let id = try context.parameters.require("id")
            try await run { try await plane.deleteBudget(id: id) }
            return Response(status: .noContent)
        }
        guarded.get("/spend") { request, _ in
            let query = try spendQuery(request)
            return try json(try await plane.store.spend(query))
        }
        guarded.get("/ledger") { request, _ in
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 100
            return try json(try await plane.store.ledger(tenantID: request.uri.queryParameters["tenant"].map(String.init), limit: min(max(limit, 1), 100_000)))
        }
        guarded.get("/check-ledger") { _, _ in
            try json(LedgerCheck(facts: try await plane.store.ledgerFacts(), budgets: try await plane.store.budgets(tenantID: nil)))
        }
        guarded.put("/policies/:scope/:id") { request, context in
            let scope = try Self.scope(kind: context.parameters.require("scope"), id: context.parameters.require("id"))
            let policy = try await decode(Policy.self, request)
            return try json(try await run { try await plane.setPolicy(scope, policy) })
        }
        guarded.delete("/policies/:scope/:id") { _, context in
            let scope = try Self.scope(kind: context.parameters.require("scope"), id: context.parameters.require("id"))
            try await run { try await plane.deletePolicy(scope) }
            return Response(status: .noContent)
        }
        guarded.get("/policies") { request, _ in
            try json(try await plane.store.policies(tenantID: request.uri.queryParameters["tenant"].map(String.init)))
        }
        guarded.get("/policies/effective") { request, _ in
            guard let key = request.uri.queryParameters["key"].map(String.init) else {
                throw HTTPError(.badRequest, message: "give the key: ?key=key_…")
            }
            return try json(try await run { try await plane.explainPolicy(keyID: key) })
        }
        guarded.get("/alerts") { request, _ in
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 100
            let fired = try await plane.store.alerts(tenantID: request.uri.queryParameters["tenant"].map(String.init), limit: min(max(limit, 1), 10_000))
            var answer: [AlertWithDeliveries] = []
            for alert in fired {
                answer.append(AlertWithDeliveries(alert: alert, deliveries: try await plane.store.deliveries(alertID: alert.id, limit: 100)))
            }
            return try json(answer)
        }
        guarded.post("/alerts/test") { request, _ in
            guard let alerts else { throw HTTPError(.serviceUnavailable, message: "alerts are not running") }
            let raw = try await request.body.collect(upTo: 64 * 1024)
            let body = raw.readableBytes == 0 ? AlertTestBody() : try JSONDecoder().decode(AlertTestBody.self, from: Data(raw.readableBytesView))
            let alert = try await alerts.sendTest(tenantID: body.tenant ?? "test")
            return try json(AlertWithDeliveries(alert: alert, deliveries: try await plane.store.deliveries(alertID: alert.id, limit: 100)), status: .created)
        }
        guarded.post("/blocks") { request, _ in
            let body = try await decode(BlockBody.self, request)
            return try json(try await run { try await plane.block(body.target(), reason: body.reason, actor: body.actor ?? "admin-api") }, status: .created)
        }
        guarded.post("/unblocks") { request, _ in
            let body = try await decode(BlockBody.self, request)
            return try json(try await run { try await plane.unblock(body.target(), reason: body.reason, actor: body.actor ?? "admin-api") })
        }
        guarded.get("/blocks") { request, _ in
            try json(try await plane.store.blocks(tenantID: request.uri.queryParameters["tenant"].map(String.init)))
        }
        guarded.get("/audit") { request, _ in
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 100
            return try json(try await plane.store.auditLog(tenantID: request.uri.queryParameters["tenant"].map(String.init), limit: min(max(limit, 1), 100_000)))
        }
        guarded.post("/prices/reload") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            guard let reload = gateway.priceReloader else {
                throw HTTPError(.serviceUnavailable, message: "price reload is not available")
            }
            do {
                return try json(["catalog_version": try reload(body)])
            } catch {
                // The file is the caller's input: a file that does not import is a 400, and the
                // catalog in force is unchanged.
                throw HTTPError(.badRequest, message: "the price file was not loaded: \(error)")
            }
        }
        return router
    }

    struct AdminStatus: Codable {
        var catalogVersion: String
        var openHolds: Int
        var statistics: EnforcerStatistics
        /// Streams being relayed now.
        var liveStreams: Int
        /// Ledger rows the store could not take yet, being retried.
        var unsettledLedgerRows: Int
        /// Whether budgets are reserved in a database shared with other replicas.
        var sharedBudgets: Bool
        /// How often each rule in shadow mode would have refused, by rule.
        var shadowRefusals: [String: Int64]
    }

    struct TenantBody: Codable { var id: String?; var name: String? }
    struct TeamBody: Codable { var tenant: String; var id: String?; var name: String? }
    struct UserBody: Codable { var tenant: String; var team: String?; var id: String?; var name: String? }
    struct RenameBody: Codable { var name: String }
    struct UserUpdateBody: Codable { var name: String?; var team: String? }
    struct CreatedKey: Codable { var key: KeyRecord; var secret: String }
    struct AlertWithDeliveries: Codable { var alert: AlertRecord; var deliveries: [DeliveryRecord] }
    struct AlertTestBody: Codable { var tenant: String? = nil }

    /// A block or unblock: the scope (`tenant`, `team`, `user` or `key`) and its id, why, and who.
    struct BlockBody: Codable {
        var scope: String
        var id: String
        var reason: String
        var actor: String?

        func target() throws -> Scope { try AdminRouter.scope(kind: scope, id: id) }
    }

    /// A tenant, team, user or key scope from its kind and id.
    static func scope(kind: String, id: String) throws -> Scope {
        guard let kind = ScopeKind(rawValue: kind), kind != .tag else {
            throw HTTPError(.badRequest, message: "scope must be tenant, team, user or key")
        }
        return Scope(kind: kind, id: id)
    }

    static func spendQuery(_ request: Request) throws -> SpendQuery {
        let parameters = request.uri.queryParameters
        let grouping = parameters["group_by"].map(String.init) ?? String("team")
        guard let groupBy = SpendQuery.Grouping(rawValue: grouping) else {
            throw HTTPError(.badRequest, message: "group_by must be one of \(SpendQuery.Grouping.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        func millis(_ name: String) throws -> Int64? {
            guard let text = parameters[Substring(name)].map(String.init) else { return nil }
            guard let value = Int64(text) else { throw HTTPError(.badRequest, message: "\(name) must be milliseconds since the epoch") }
            return value
        }
        return SpendQuery(tenantID: parameters["tenant"].map(String.init), groupBy: groupBy, from: try millis("from"), to: try millis("to"))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let body = try await request.body.collect(upTo: 1024 * 1024)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "invalid JSON body: \(error)")
        }
    }

    /// Maps configuration and store errors to 4xx answers with their message.
    @discardableResult
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ConfigurationError {
            let status: HTTPResponse.Status = switch error.code {
            case .notFound: .notFound
            case .conflict: .conflict
            default: .badRequest
            }
            throw HTTPError(status, message: error.message)
        } catch let error as StoreError where error.code == .duplicate {
            throw HTTPError(.conflict, message: error.message)
        }
    }
}

/// Refuses admin requests without the admin token, compared by hash in constant time.
struct AdminTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let tokenHash: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let presented = request.headers[.authorization].flatMap(ClientCredential.bearerToken) ?? ""
        let hash = VirtualKey.hash(presented)
        var difference: UInt8 = 0
        for (left, right) in zip(hash.utf8, tokenHash.utf8) { difference |= left ^ right }
        guard difference == 0, hash.utf8.count == tokenHash.utf8.count else {
            throw HTTPError(.unauthorized, message: "admin token required: Authorization: Bearer <token from $SPENDWALL_HOME/admin-token>")
        }
        return try await next(request, context)
    }
}
