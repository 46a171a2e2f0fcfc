import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

/// `GET /dashboard` on the admin listener, behind the admin token: sent as `Authorization:
/// Bearer`, or once as `?token=` (answered with an HttpOnly, SameSite=Strict cookie and a redirect
/// that drops the token from the address). A tenant admin token sees its tenant only.
enum DashboardRoutes {
    static let cookie = "spendwall_admin"

    static func add(to router: Router<AdminRequestContext>, gateway: Gateway, guard tokens: AdminTokenMiddleware, sentinel: Sentinel?) {
        router.get("/dashboard") { request, _ -> Response in
            if let token = request.uri.queryParameters["token"].map(String.init) {
                guard tokens.access(presenting: token) != nil else { return page(401, "The token is not an admin token.") }
                var headers = HTTPFields()
                headers[.location] = "/dashboard" + (request.uri.queryParameters["bucket"].map { "?bucket=\($0)" } ?? "")
                headers[.setCookie] = "\(cookie)=\(token); Path=/dashboard; HttpOnly; SameSite=Strict"
                return Response(status: .seeOther, headers: headers)
            }
            let presented = request.headers[.authorization].flatMap(ClientCredential.bearerToken) ?? Self.cookieValue(request) ?? ""
            guard let access = tokens.access(presenting: presented) else {
                return page(401, "Open /dashboard?token=… with the admin token ($SPENDWALL_HOME/admin-token) or a tenant admin token.")
            }
            let tenant: String? = if case .tenant(let own, _) = access { own } else { nil }
            let bucketName = request.uri.queryParameters["bucket"].map(String.init) ?? "1m"
            guard let bucket = SpendChart.bucketChoices.first(where: { $0.name == bucketName }) else {
                return page(400, "bucket must be one of \(SpendChart.bucketChoices.map(\.name).joined(separator: ", ")).")
            }
            let store = gateway.controlPlane.store
            let now = gateway.enforcer.clock.nowMillis()
            do {
                let rendered = DashboardPage(
                    tenant: tenant,
                    chart: bucket.millis == SpendAggregator.windowMillis
                        ? SpendChart(windows: gateway.recentSpend.recent(tenant: tenant, count: 30, now: now))
                        : SpendChart(rows: try await store.ledger(tenantID: tenant, limit: 20_000), bucketMillis: bucket.millis, now: now),
                    bucketName: bucket.name,
                    budgets: try await gateway.controlPlane.budgetStatuses(tenantID: tenant),
                    models: try await store.spend(SpendQuery(tenantID: tenant, groupBy: .model)),
                    providers: try await store.spend(SpendQuery(tenantID: tenant, groupBy: .provider)),
                    deployments: try await sentinel?.statuses(tenantID: tenant) ?? [],
                    refusals: try await store.refusalCounts(SpendQuery(tenantID: tenant, groupBy: .status, from: now - 86_400_000)),
                    blocks: try await store.blocks(tenantID: tenant), now: now
                ).html()
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(string: rendered)))
            } catch {
                return page(503, "The figures could not be read: \(error)")
            }
        }
    }

    static func cookieValue(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(cookie + "=") { return String(pair.dropFirst(cookie.count + 1)) }
            }
        }
        return nil
    }

    static func page(_ status: Int, _ message: String) -> Response {
        let html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Spendwall</title></head><body><p>\(HTML.escape(message))</p></body></html>"
        return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
