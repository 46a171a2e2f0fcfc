import Hummingbird
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

// Self-hosted engines under a GPU-time budget (`spendwall deploy|deployments|status|kill`).
extension AdminRouter {
    static func addDeploymentRoutes(to guarded: RouterGroup<AdminRequestContext>, sentinel: Sentinel) {
        guarded.post("/deployments") { request, context in
            let spec = try await decode(DeploymentSpec.self, request)
            try context.access.requireOwn(spec.tenant, kind: "tenant", id: spec.tenant)
            let record = try await run { try await sentinel.deploy(spec) }
            return try json(try await run { try await sentinel.status(id: record.id, tenantID: record.tenantID) }, status: .created)
        }
        guarded.get("/deployments") { request, context in
            try json(try await sentinel.statuses(tenantID: try context.access.tenantFilter(tenantParameter(request))))
        }
        guarded.get("/deployments/:id") { _, context in
            let id = try context.parameters.require("id")
            return try json(try await run { try await sentinel.status(id: id, tenantID: try context.access.tenantFilter(nil)) })
        }
        guarded.post("/deployments/:id/kill") { request, context in
            let id = try context.parameters.require("id")
            let body = try await decode(StopBody.self, request)
            guard !body.reason.isEmpty else { throw HTTPError(.badRequest, message: "give the reason for stopping it") }
            let actor = try context.access.actor(named: body.actor)
            let tenant = try context.access.tenantFilter(nil)
            _ = try await run { try await sentinel.stop(id: id, reason: body.reason, by: actor, tenantID: tenant) }
            return try json(try await run { try await sentinel.status(id: id, tenantID: tenant) })
        }
    }

    /// `POST /deployments/:id/kill`.
    struct StopBody: Decodable {
        var reason: String
        /// Who stops it, recorded with the reason.
        var actor: String?
    }
}
