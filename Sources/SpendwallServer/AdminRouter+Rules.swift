import Hummingbird
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

// Policies and the kill switch.
extension AdminRouter {
    static func addRuleRoutes(to guarded: RouterGroup<AdminRequestContext>, plane: ControlPlane) {
        guarded.put("/policies/:scope/:id") { request, context in
            let scope = try Self.scope(kind: context.parameters.require("scope"), id: context.parameters.require("id"))
            try await authorize(scope, context, plane: plane)
            let policy = try await decode(Policy.self, request)
            return try json(try await run { try await plane.setPolicy(scope, policy) })
        }
        guarded.delete("/policies/:scope/:id") { _, context in
            let scope = try Self.scope(kind: context.parameters.require("scope"), id: context.parameters.require("id"))
            try await authorize(scope, context, plane: plane)
            try await run { try await plane.deletePolicy(scope) }
            return Response(status: .noContent)
        }
        guarded.get("/policies") { request, context in
            try json(try await plane.store.policies(tenantID: try context.access.tenantFilter(tenantParameter(request))))
        }
        guarded.get("/policies/effective") { request, context in
            guard let key = request.uri.queryParameters["key"].map(String.init) else {
                throw HTTPError(.badRequest, message: "give the key: ?key=key_…")
            }
            try await authorize(.key(key), context, plane: plane)
            return try json(try await run { try await plane.explainPolicy(keyID: key) })
        }
        guarded.post("/blocks") { request, context in
            let body = try await decode(BlockBody.self, request)
            let target = try body.target()
            try await authorize(target, context, plane: plane)
            let actor = try context.access.actor(named: body.actor)
            return try json(try await run { try await plane.block(target, reason: body.reason, actor: actor) }, status: .created)
        }
        guarded.post("/unblocks") { request, context in
            let body = try await decode(BlockBody.self, request)
            let target = try body.target()
            try await authorize(target, context, plane: plane)
            let actor = try context.access.actor(named: body.actor)
            return try json(try await run { try await plane.unblock(target, reason: body.reason, actor: actor) })
        }
        guarded.get("/blocks") { request, context in
            try json(try await plane.store.blocks(tenantID: try context.access.tenantFilter(tenantParameter(request))))
        }
    }

    /// A tenant, team, user or key scope from its kind and id.
    static func scope(kind: String, id: String) throws -> Scope {
        guard let kind = ScopeKind(rawValue: kind), kind != .tag else {
            throw HTTPError(.badRequest, message: "scope must be tenant, team, user or key")
        }
        return Scope(kind: kind, id: id)
    }
}
