import Foundation
import Hummingbird
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

// Budgets, spend, the ledger, alerts and the audit log.
extension AdminRouter {
    static func addSpendRoutes(to guarded: RouterGroup<AdminRequestContext>, plane: ControlPlane, alerts: AlertMonitor?) {
        guarded.post("/budgets") { request, context in
            let spec = try await decode(ControlPlane.BudgetSpec.self, request)
            try context.access.requireOwn(spec.tenant, kind: "tenant", id: spec.tenant)
            return try json(try await run { try await plane.setBudget(spec) })
        }
        guarded.get("/budgets") { request, context in
            try json(try await plane.budgetStatuses(tenantID: try context.access.tenantFilter(tenantParameter(request))))
        }
        guarded.delete("/budgets/:id") { _, context in
            let id = try context.parameters.require("id")
            let access = try context.access
            if let own = try access.tenantFilter(nil), try await !plane.store.budgets(tenantID: own).contains(where: { $0.id == id }) {
                throw AdminAccess.notFound("budget", id)
            }
            try await run { try await plane.deleteBudget(id: id) }
            return Response(status: .noContent)
        }
        // The chargeback report's figures in one answer: spend (API and GPU time apart, cache
        // savings), refusals by reason, outcomes, and the budgets with their forecasts.
        guarded.get("/report") { request, context in
            var query = try spendQuery(request)
            query.tenantID = try context.access.tenantFilter(query.tenantID)
            return try json(ReportAnswer(
                spend: try await plane.store.spend(query), refusals: try await plane.store.refusalCounts(query),
                outcomes: try await plane.store.outcomeSummaries(query), budgets: try await plane.budgetStatuses(tenantID: query.tenantID)
            ))
        }
        guarded.get("/refusals") { request, context in
            var query = try spendQuery(request)
            query.tenantID = try context.access.tenantFilter(query.tenantID)
            return try json(try await plane.store.refusalCounts(query))
        }
        guarded.get("/outcomes") { request, context in
            var query = try spendQuery(request)
            query.tenantID = try context.access.tenantFilter(query.tenantID)
            return try json(try await plane.store.outcomeSummaries(query))
        }
        guarded.get("/spend") { request, context in
            var query = try spendQuery(request)
            query.tenantID = try context.access.tenantFilter(query.tenantID)
            return try json(try await plane.store.spend(query))
        }
        guarded.get("/ledger") { request, context in
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 100
            let tenant = try context.access.tenantFilter(tenantParameter(request))
            return try json(try await plane.store.ledger(tenantID: tenant, limit: min(max(limit, 1), 100_000)))
        }
        guarded.get("/alerts") { request, context in
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 100
            let tenant = try context.access.tenantFilter(tenantParameter(request))
            let fired = try await plane.store.alerts(tenantID: tenant, limit: min(max(limit, 1), 10_000))
            var answer: [AlertWithDeliveries] = []
            for alert in fired {
                answer.append(AlertWithDeliveries(alert: alert, deliveries: try await plane.store.deliveries(alertID: alert.id, limit: 100)))
            }
            return try json(answer)
        }
        guarded.post("/alerts/test") { request, context in
            guard let alerts else { throw HTTPError(.serviceUnavailable, message: "alerts are not running") }
            let raw = try await request.body.collect(upTo: 64 * 1024)
            let body = raw.readableBytes == 0 ? AlertTestBody() : try JSONDecoder().decode(AlertTestBody.self, from: Data(raw.readableBytesView))
            let tenant = try context.access.tenantFilter(body.tenant) ?? "test"
            let alert = try await alerts.sendTest(tenantID: tenant)
            return try json(AlertWithDeliveries(alert: alert, deliveries: try await plane.store.deliveries(alertID: alert.id, limit: 100)), status: .created)
        }
        guarded.get("/audit") { request, context in
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 100
            let tenant = try context.access.tenantFilter(tenantParameter(request))
            return try json(try await plane.store.auditLog(tenantID: tenant, limit: min(max(limit, 1), 100_000)))
        }
    }

    /// `GET /report`.
    struct ReportAnswer: Encodable {
        var spend: [SpendRow]
        var refusals: [RefusalCount]
        var outcomes: [OutcomeSummary]
        var budgets: [ControlPlane.BudgetStatus]
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
}
