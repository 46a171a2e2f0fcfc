import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

/// The admin API (`/admin/v1/…`) on its own listener, guarded by the operator's admin token or a
/// tenant admin token (never a data-plane key). Bodies and answers are JSON with snake_case keys; amounts are integer
/// nano-dollars (1e-9 USD), except budget limits given as dollar strings on input.
public enum AdminRouter {
    /// - Parameters:
    ///   - adminToken: the operator's token, which opens every route for every tenant. Tenant
    ///     admin tokens (`POST /admin-tokens`) open the routes of one tenant; see ``AdminAccess``.
    ///   - alerts: the alert monitor, for `POST /alerts/test`.
    ///   - sentinel: the supervisor of self-hosted deployments, for `/deployments`.
    public static func make(gateway: Gateway, adminToken: String, alerts: AlertMonitor? = nil, sentinel: Sentinel? = nil) -> Router<AdminRequestContext> {
        let router = Router(context: AdminRequestContext.self)
        let plane = gateway.controlPlane
        // Prometheus scrapes without the admin token; the admin listener is loopback by default.
        router.get("/metrics") { _, _ -> Response in
            let text = gateway.metrics.render(enforcer: gateway.enforcer, budgets: Array(plane.directory.budgetsByID.values))
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        let tokens = AdminTokenMiddleware(operatorTokenHash: VirtualKey.hash(adminToken), controlPlane: plane)
        DashboardRoutes.add(to: router, gateway: gateway, guard: tokens, sentinel: sentinel)
        let guarded = router.group("/admin/v1").add(middleware: tokens)
        addOperatorRoutes(to: guarded, gateway: gateway)
        addDirectoryRoutes(to: guarded, plane: plane)
        addSpendRoutes(to: guarded, plane: plane, alerts: alerts)
        guarded.get("/spend/recent") { request, context in
            let count = request.uri.queryParameters["windows"].flatMap { Int($0) } ?? 60
            let tenant = try context.access.tenantFilter(tenantParameter(request))
            let windows = gateway.recentSpend.recent(tenant: tenant, count: count, now: gateway.enforcer.clock.nowMillis())
            return try json(windows.map { RecentWindow(start: $0.start, total: $0.teams.values.reduce(0, +), teams: $0.teams) })
        }
        addRuleRoutes(to: guarded, plane: plane)
        if let sentinel { addDeploymentRoutes(to: guarded, sentinel: sentinel) }
        return router
    }

    /// Routes that span every tenant: the gateway's status, the ledger check, the price table.
    static func addOperatorRoutes(to guarded: RouterGroup<AdminRequestContext>, gateway: Gateway) {
        guarded.get("/status") { _, context in
            try context.access.requireOperator("read the gateway's status")
            return try json(AdminStatus(
                catalogVersion: gateway.catalog.current.version, openHolds: gateway.enforcer.openHoldCount,
                statistics: gateway.enforcer.statistics, liveStreams: gateway.controlPlane.liveStreams.count,
                unsettledLedgerRows: gateway.enforcer.unsettledCount, sharedBudgets: gateway.enforcer.sharesBudgets,
                shadowRefusals: gateway.enforcer.shadowCounts.snapshot.merging(gateway.rateLimiter.shadowCounts.snapshot) { $0 + $1 }
            ))
        }
        guarded.get("/check-ledger") { _, context in
            try context.access.requireOperator("check the whole ledger")
            let store = gateway.controlPlane.store
            return try json(LedgerCheck(facts: try await store.ledgerFacts(), budgets: try await store.budgets(tenantID: nil)))
        }
        guarded.post("/prices/reload") { request, context in
            try context.access.requireOperator("reload the price table")
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
    struct AdminTokenBody: Codable { var tenant: String; var name: String? }
    struct CreatedAdminToken: Codable { var token: AdminTokenRecord; var secret: String }
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

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// One 10-second window of `/spend/recent`.
    struct RecentWindow: Encodable {
        var start: Int64
        /// Nano-dollars charged in the window.
        var total: Int64
        var teams: [String: Int64]
    }

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
