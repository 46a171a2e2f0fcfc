import GRDB
import SpendwallCore
import SpendwallStorage

extension SQLiteStore {
    /// Adds a tenant; `.duplicate` if the id exists.
    public func insertTenant(_ tenant: TenantRecord) async throws {
        try await write("insert tenant '\(tenant.id)'", duplicate: "tenant '\(tenant.id)' already exists") { db in
            try db.execute(
                sql: "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                arguments: [tenant.id, tenant.name, tenant.createdAt]
            )
        }
    }

    /// Replaces a tenant's name; `.notFound` if there is none.
    public func updateTenant(_ tenant: TenantRecord) async throws {
        try await write("update tenant '\(tenant.id)'", duplicate: "tenant '\(tenant.id)' already exists") { db in
            try db.execute(sql: "UPDATE tenants SET name = ? WHERE id = ?", arguments: [tenant.name, tenant.id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no tenant with id '\(tenant.id)'") }
        }
    }

    /// Replaces a team's name; `.notFound` if there is none.
    public func updateTeam(_ team: TeamRecord) async throws {
        try await write("update team '\(team.id)'", duplicate: "team '\(team.id)' already exists") { db in
            try db.execute(sql: "UPDATE teams SET name = ?, tenant_id = ? WHERE id = ?", arguments: [team.name, team.tenantID, team.id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no team with id '\(team.id)'") }
        }
    }

    /// Replaces a user's name and team; `.notFound` if there is none.
    public func updateUser(_ user: UserRecord) async throws {
        try await write("update user '\(user.id)'", duplicate: "user '\(user.id)' already exists") { db in
            try db.execute(sql: "UPDATE users SET name = ?, team_id = ?, tenant_id = ? WHERE id = ?", arguments: [user.name, user.teamID, user.tenantID, user.id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no user with id '\(user.id)'") }
        }
    }

    /// Every tenant, oldest first.
    public func tenants() async throws -> [TenantRecord] {
        try await read("list tenants") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tenants ORDER BY created_at, id").map(TenantRecord.init(row:))
        }
    }

    /// Adds a team; `.duplicate` if the id exists.
    public func insertTeam(_ team: TeamRecord) async throws {
        try await write("insert team '\(team.id)'", duplicate: "team '\(team.id)' already exists") { db in
            try db.execute(
                sql: "INSERT INTO teams (id, tenant_id, name, created_at) VALUES (?, ?, ?, ?)",
                arguments: [team.id, team.tenantID, team.name, team.createdAt]
            )
        }
    }

    /// Teams of one tenant (or all), oldest first.
    public func teams(tenantID: String?) async throws -> [TeamRecord] {
        try await read("list teams") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM teams \(Self.tenantFilter) ORDER BY created_at, id", arguments: [tenantID])
                .map(TeamRecord.init(row:))
        }
    }

    /// Adds a user; `.duplicate` if the id exists.
    public func insertUser(_ user: UserRecord) async throws {
        try await write("insert user '\(user.id)'", duplicate: "user '\(user.id)' already exists") { db in
            try db.execute(
                sql: "INSERT INTO users (id, tenant_id, team_id, name, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [user.id, user.tenantID, user.teamID, user.name, user.createdAt]
            )
        }
    }

    /// Users of one tenant (or all), oldest first.
    public func users(tenantID: String?) async throws -> [UserRecord] {
        try await read("list users") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users \(Self.tenantFilter) ORDER BY created_at, id", arguments: [tenantID])
                .map(UserRecord.init(row:))
        }
    }

    /// Adds a key; `.duplicate` if its id or secret hash exists.
    public func insertKey(_ key: KeyRecord) async throws {
        try await write("insert key '\(key.id)'", duplicate: "a key with id '\(key.id)' or the same secret already exists") { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, name, secret_hash, hint, tenant_id, team_id, user_id, tags, allowed_tags,
                                      allowed_models, default_max_output_tokens, status, created_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: Self.arguments(key))
        }
    }

    /// Replaces every field of the key with id `key.id`; `.notFound` if there is none.
    public func updateKey(_ key: KeyRecord) async throws {
        try await write("update key '\(key.id)'", duplicate: "another key has the same secret") { db in
            var arguments = Self.arguments(key)
            arguments += [key.id]
            try db.execute(sql: """
                UPDATE api_keys SET id = ?, name = ?, secret_hash = ?, hint = ?, tenant_id = ?, team_id = ?,
                       user_id = ?, tags = ?, allowed_tags = ?, allowed_models = ?, default_max_output_tokens = ?,
                       status = ?, created_at = ?, revoked_at = ?
                WHERE id = ?
                """, arguments: arguments)
            if db.changesCount == 0 { throw StoreError(.notFound, "no key with id '\(key.id)'") }
        }
    }

    /// Keys of one tenant (or all), oldest first.
    public func keys(tenantID: String?) async throws -> [KeyRecord] {
        try await read("list keys") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys \(Self.tenantFilter) ORDER BY created_at, id", arguments: [tenantID])
                .map(KeyRecord.init(row:))
        }
    }

    /// Inserts or replaces a budget by id. Its recorded usage is kept.
    public func upsertBudget(_ budget: BudgetRecord) async throws {
        try await write("save budget '\(budget.id)'") { db in
            try db.execute(sql: """
                INSERT INTO budgets (id, tenant_id, scope_kind, scope_id, period, limit_nanos, time_zone, created_at, downgrade_at_percent, shadow, alert_thresholds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET tenant_id = excluded.tenant_id, scope_kind = excluded.scope_kind,
                    scope_id = excluded.scope_id, period = excluded.period, limit_nanos = excluded.limit_nanos,
                    time_zone = excluded.time_zone, created_at = excluded.created_at,
                    downgrade_at_percent = excluded.downgrade_at_percent, shadow = excluded.shadow,
                    alert_thresholds = excluded.alert_thresholds
                """, arguments: [
                    budget.id, budget.tenantID, budget.scope.kind.rawValue, budget.scope.id, budget.period.rawValue,
                    budget.limit.nanodollars, budget.timeZone, budget.createdAt, budget.downgradeAtPercent, budget.shadow,
                    budget.alertThresholds.map(JSONText.encode),
                ])
        }
    }

    /// Deletes a budget; `.notFound` if there is none. Its usage rows stay (history).
    public func deleteBudget(id: String) async throws {
        try await write("delete budget '\(id)'") { db in
            try db.execute(sql: "DELETE FROM budgets WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no budget with id '\(id)'") }
        }
    }

    /// Budgets of one tenant (or all), oldest first.
    public func budgets(tenantID: String?) async throws -> [BudgetRecord] {
        try await read("list budgets") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM budgets \(Self.tenantFilter) ORDER BY created_at, id", arguments: [tenantID])
                .map(BudgetRecord.init(row:))
        }
    }

    // MARK: Helpers

    /// `WHERE` clause matching one tenant, or every row when the argument is NULL.
    static let tenantFilter = "WHERE ?1 IS NULL OR tenant_id = ?1"

    static func arguments(_ key: KeyRecord) -> StatementArguments {
        [
            key.id, key.name, key.secretHash, key.hint, key.tenantID, key.teamID, key.userID,
            ColumnJSON.encode(key.tags), ColumnJSON.encode(key.allowedTags), ColumnJSON.encode(key.allowedModels),
            key.defaultMaxOutputTokens, key.status.rawValue, key.createdAt, key.revokedAt,
        ]
    }

    /// A control-plane write in its own transaction, errors mapped to `StoreError`.
    func write<T: Sendable>(
        _ action: String, duplicate: String? = nil, _ updates: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch {
            throw StoreError.wrapping(error, action: action, duplicate: duplicate)
        }
    }

    /// A read on a reader connection, errors mapped to `StoreError`.
    func read<T: Sendable>(_ action: String, _ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(value)
        } catch {
            throw StoreError.wrapping(error, action: action)
        }
    }
}
