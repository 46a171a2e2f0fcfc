import PostgresNIO
import SpendwallCore
import SpendwallStorage

extension PostgresStore {
    public func insertTenant(_ tenant: TenantRecord) async throws {
        try await execute(
            "INSERT INTO tenants (id, name, created_at) VALUES (\(tenant.id), \(tenant.name), \(tenant.createdAt))",
            "insert tenant '\(tenant.id)'", duplicate: "tenant '\(tenant.id)' already exists"
        )
    }

    public func updateTenant(_ tenant: TenantRecord) async throws {
        let changed = try await execute("UPDATE tenants SET name = \(tenant.name) WHERE id = \(tenant.id) RETURNING 1", "update tenant '\(tenant.id)'")
        if changed == 0 { throw StoreError(.notFound, "no tenant with id '\(tenant.id)'") }
    }

    public func tenants() async throws -> [TenantRecord] {
        try await rows("SELECT * FROM tenants ORDER BY created_at, id", "list tenants").map { row in
            try TenantRecord(id: row.value("id"), name: row.value("name"), createdAt: row.value("created_at"))
        }
    }

    public func insertTeam(_ team: TeamRecord) async throws {
        try await execute(
            "INSERT INTO teams (id, tenant_id, name, created_at) VALUES (\(team.id), \(team.tenantID), \(team.name), \(team.createdAt))",
            "insert team '\(team.id)'", duplicate: "team '\(team.id)' already exists"
        )
    }

    public func updateTeam(_ team: TeamRecord) async throws {
        let changed = try await execute(
            "UPDATE teams SET name = \(team.name), tenant_id = \(team.tenantID) WHERE id = \(team.id) RETURNING 1", "update team '\(team.id)'"
        )
        if changed == 0 { throw StoreError(.notFound, "no team with id '\(team.id)'") }
    }

    public func teams(tenantID: String?) async throws -> [TeamRecord] {
        try await rows("SELECT * FROM teams WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY created_at, id", "list teams").map { row in
            try TeamRecord(id: row.value("id"), tenantID: row.value("tenant_id"), name: row.value("name"), createdAt: row.value("created_at"))
        }
    }

    public func insertUser(_ user: UserRecord) async throws {
        try await execute(
            "INSERT INTO users (id, tenant_id, team_id, name, created_at) VALUES (\(user.id), \(user.tenantID), \(user.teamID), \(user.name), \(user.createdAt))",
            "insert user '\(user.id)'", duplicate: "user '\(user.id)' already exists"
        )
    }

    public func updateUser(_ user: UserRecord) async throws {
        let changed = try await execute(
            "UPDATE users SET name = \(user.name), team_id = \(user.teamID), tenant_id = \(user.tenantID) WHERE id = \(user.id) RETURNING 1",
            "update user '\(user.id)'"
        )
        if changed == 0 { throw StoreError(.notFound, "no user with id '\(user.id)'") }
    }

    public func users(tenantID: String?) async throws -> [UserRecord] {
        try await rows("SELECT * FROM users WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY created_at, id", "list users").map { row in
            try UserRecord(
                id: row.value("id"), tenantID: row.value("tenant_id"), teamID: row.value("team_id"), name: row.value("name"),
                createdAt: row.value("created_at")
            )
        }
    }

    public func insertKey(_ key: KeyRecord) async throws {
        try await execute("""
            INSERT INTO api_keys (id, name, secret_hash, hint, tenant_id, team_id, user_id, tags, allowed_tags, allowed_models,
                                  default_max_output_tokens, status, created_at, revoked_at)
            VALUES (\(key.id), \(key.name), \(key.secretHash), \(key.hint), \(key.tenantID), \(key.teamID), \(key.userID),
                    \(try Self.json(key.tags)), \(try Self.json(key.allowedTags)), \(try Self.json(key.allowedModels)),
                    \(key.defaultMaxOutputTokens), \(key.status.rawValue), \(key.createdAt), \(key.revokedAt))
            """, "insert key '\(key.id)'", duplicate: "key '\(key.id)' or its secret already exists")
    }

    public func updateKey(_ key: KeyRecord) async throws {
        let changed = try await execute("""
            UPDATE api_keys SET name = \(key.name), secret_hash = \(key.secretHash), hint = \(key.hint), tenant_id = \(key.tenantID),
                team_id = \(key.teamID), user_id = \(key.userID), tags = \(try Self.json(key.tags)),
                allowed_tags = \(try Self.json(key.allowedTags)), allowed_models = \(try Self.json(key.allowedModels)),
                default_max_output_tokens = \(key.defaultMaxOutputTokens), status = \(key.status.rawValue),
                created_at = \(key.createdAt), revoked_at = \(key.revokedAt)
            WHERE id = \(key.id) RETURNING 1
            """, "update key '\(key.id)'", duplicate: "another key has that secret")
        if changed == 0 { throw StoreError(.notFound, "no key with id '\(key.id)'") }
    }

    public func keys(tenantID: String?) async throws -> [KeyRecord] {
        try await rows("SELECT * FROM api_keys WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY created_at, id", "list keys").map { row in
            try KeyRecord(
                id: row.value("id"), name: row.value("name"), secretHash: row.value("secret_hash"), hint: row.value("hint"),
                tenantID: row.value("tenant_id"), teamID: row.value("team_id"), userID: row.value("user_id"),
                tags: Self.decode([String].self, json: row.value("tags")), allowedTags: Self.decode([String].self, json: row.value("allowed_tags")),
                allowedModels: Self.decode([String].self, json: row.value("allowed_models")),
                defaultMaxOutputTokens: row.value("default_max_output_tokens"), status: row.enumeration("status"),
                createdAt: row.value("created_at"), revokedAt: row.value("revoked_at")
            )
        }
    }

    public func upsertBudget(_ budget: BudgetRecord) async throws {
        let thresholds = try budget.alertThresholds.map { try Self.json($0) }
        let percent = budget.downgradeAtPercent.map(Int64.init)
        try await execute("""
            INSERT INTO budgets (id, tenant_id, scope_kind, scope_id, period, limit_nanos, time_zone, created_at,
                                 downgrade_at_percent, shadow, alert_thresholds)
            VALUES (\(budget.id), \(budget.tenantID), \(budget.scope.kind.rawValue), \(budget.scope.id), \(budget.period.rawValue),
                    \(budget.limit.nanodollars), \(budget.timeZone), \(budget.createdAt), \(percent), \(budget.shadow), \(thresholds))
            ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, scope_kind = excluded.scope_kind,
                scope_id = excluded.scope_id, period = excluded.period, limit_nanos = excluded.limit_nanos,
                time_zone = excluded.time_zone, created_at = excluded.created_at,
                downgrade_at_percent = excluded.downgrade_at_percent, shadow = excluded.shadow,
                alert_thresholds = excluded.alert_thresholds
            """, "save budget '\(budget.id)'")
    }

    public func deleteBudget(id: String) async throws {
        let changed = try await execute("DELETE FROM budgets WHERE id = \(id) RETURNING 1", "delete budget '\(id)'")
        if changed == 0 { throw StoreError(.notFound, "no budget with id '\(id)'") }
    }

    public func budgets(tenantID: String?) async throws -> [BudgetRecord] {
        try await rows("SELECT * FROM budgets WHERE \(tenantID)::TEXT IS NULL OR tenant_id = \(tenantID) ORDER BY created_at, id", "list budgets").map { row in
            let thresholds: String? = try row.value("alert_thresholds")
            let percent: Int64? = try row.value("downgrade_at_percent")
            return try BudgetRecord(
                id: row.value("id"), tenantID: row.value("tenant_id"),
                scope: Scope(kind: row.enumeration("scope_kind"), id: row.value("scope_id")), period: row.enumeration("period"),
                limit: row.money("limit_nanos"), timeZone: row.value("time_zone"), createdAt: row.value("created_at"),
                downgradeAtPercent: percent.map(Int.init), shadow: row.value("shadow"),
                alertThresholds: thresholds.map { try Self.decode([Int].self, json: $0) }
            )
        }
    }
}
