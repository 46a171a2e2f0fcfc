import Hummingbird
import SpendwallCore
import SpendwallEngine
import SpendwallStorage

// Tenants, teams, users, data-plane keys and tenant admin tokens.
extension AdminRouter {
    static func addDirectoryRoutes(to guarded: RouterGroup<AdminRequestContext>, plane: ControlPlane) {
        guarded.post("/tenants") { request, context in
            try context.access.requireOperator("create tenants")
            let body = try await decode(TenantBody.self, request)
            return try json(try await run { try await plane.createTenant(id: body.id, name: body.name ?? body.id ?? "") }, status: .created)
        }
        guarded.get("/tenants") { _, context in
            let access = try context.access
            let tenants = try await plane.store.tenants()
            guard let own = try access.tenantFilter(nil) else { return try json(tenants) }
            return try json(tenants.filter { $0.id == own })
        }
        guarded.patch("/tenants/:id") { request, context in
            let id = try context.parameters.require("id")
            try context.access.requireOwn(id, kind: "tenant", id: id)
            let body = try await decode(TenantBody.self, request)
            guard let name = body.name else { throw HTTPError(.badRequest, message: "name is required") }
            return try json(try await run { try await plane.renameTenant(id: id, name: name) })
        }

        guarded.post("/teams") { request, context in
            let body = try await decode(TeamBody.self, request)
            try context.access.requireOwn(body.tenant, kind: "tenant", id: body.tenant)
            return try json(try await run { try await plane.createTeam(tenantID: body.tenant, id: body.id, name: body.name ?? body.id ?? "") }, status: .created)
        }
        guarded.get("/teams") { request, context in
            try json(try await plane.store.teams(tenantID: try context.access.tenantFilter(tenantParameter(request))))
        }
        guarded.patch("/teams/:id") { request, context in
            let id = try context.parameters.require("id")
            try await authorize(.team(id), context, plane: plane)
            let body = try await decode(RenameBody.self, request)
            return try json(try await run { try await plane.renameTeam(id: id, name: body.name) })
        }

        guarded.post("/users") { request, context in
            let body = try await decode(UserBody.self, request)
            try context.access.requireOwn(body.tenant, kind: "tenant", id: body.tenant)
            return try json(try await run { try await plane.createUser(tenantID: body.tenant, teamID: body.team, id: body.id, name: body.name ?? body.id ?? "") }, status: .created)
        }
        guarded.get("/users") { request, context in
            try json(try await plane.store.users(tenantID: try context.access.tenantFilter(tenantParameter(request))))
        }
        guarded.patch("/users/:id") { request, context in
            let id = try context.parameters.require("id")
            try await authorize(.user(id), context, plane: plane)
            let body = try await decode(UserUpdateBody.self, request)
            return try json(try await run { try await plane.updateUser(id: id, name: body.name, teamID: body.team) })
        }

        guarded.post("/keys") { request, context in
            let spec = try await decode(ControlPlane.KeySpec.self, request)
            try context.access.requireOwn(spec.tenant, kind: "tenant", id: spec.tenant)
            let created = try await run { try await plane.createKey(spec) }
            return try json(CreatedKey(key: created.record, secret: created.secret), status: .created)
        }
        guarded.get("/keys") { request, context in
            try json(try await plane.store.keys(tenantID: try context.access.tenantFilter(tenantParameter(request))))
        }
        guarded.patch("/keys/:id") { request, context in
            let id = try context.parameters.require("id")
            try await authorize(.key(id), context, plane: plane)
            let update = try await decode(ControlPlane.KeyUpdate.self, request)
            return try json(try await run { try await plane.updateKey(id: id, update) })
        }
        guarded.post("/keys/:id/revoke") { _, context in
            let id = try context.parameters.require("id")
            try await authorize(.key(id), context, plane: plane)
            return try json(try await run { try await plane.revokeKey(id: id) })
        }

        guarded.post("/admin-tokens") { request, context in
            try context.access.requireOperator("create admin tokens")
            let body = try await decode(AdminTokenBody.self, request)
            let created = try await run { try await plane.createAdminToken(tenantID: body.tenant, name: body.name ?? "admin") }
            return try json(CreatedAdminToken(token: created.record, secret: created.secret), status: .created)
        }
        guarded.get("/admin-tokens") { request, context in
            try json(try await plane.store.adminTokens(tenantID: try context.access.tenantFilter(tenantParameter(request))))
        }
        guarded.post("/admin-tokens/:id/revoke") { _, context in
            let id = try context.parameters.require("id")
            let access = try context.access
            if let own = try access.tenantFilter(nil), try await !plane.store.adminTokens(tenantID: own).contains(where: { $0.id == id }) {
                throw AdminAccess.notFound("admin token", id)
            }
            return try json(try await run { try await plane.revokeAdminToken(id: id) })
        }
    }

    /// Refuses a tenant token a tenant, team, user or key of another tenant: 404, exactly the
    /// answer an id that does not exist gets.
    static func authorize(_ scope: Scope, _ context: AdminRequestContext, plane: ControlPlane) async throws {
        let access = try context.access
        guard case .tenant = access else { return }
        let owner = try await run { try await plane.tenant(of: scope, purpose: "this route takes") }
        try access.requireOwn(owner, kind: scope.kind.rawValue, id: scope.id)
    }

    static func tenantParameter(_ request: Request) -> String? {
        request.uri.queryParameters["tenant"].map(String.init)
    }
}
