import Foundation
import SpendwallCore
import SpendwallStorage
import Synchronization

/// Tenants, teams, users, keys and budgets: the admin operations, kept consistent between the
/// store, the gateway's key directory and the enforcer's budgets.
///
/// Changes are rare next to requests, so each one writes the store, then rebuilds the
/// `Directory` snapshot and swaps it in; the hot path only reads the snapshot.
public final class ControlPlane: Sendable {
    public let store: any SpendStore
    let enforcer: Enforcer
    let clock: any WallClock
    let defaultTimeZone: String
    let snapshot = Mutex(Installed())
    /// Numbers reloads in the order they start, so a slow one never replaces a newer snapshot.
    let reloads = Atomic<UInt64>(0)
    /// Streams being relayed, which a kill switch cuts.
    public let liveStreams = LiveStreams()

    struct Installed {
        var directory = Directory()
        var generation: UInt64 = 0
    }

    public init(store: any SpendStore, enforcer: Enforcer, clock: any WallClock, defaultTimeZone: String) {
        self.store = store
        self.enforcer = enforcer
        self.clock = clock
        self.defaultTimeZone = defaultTimeZone
    }

    /// The directory now in force.
    public var directory: Directory { snapshot.withLock { $0.directory } }

    /// Reads keys, budgets, blocks, policies and tenant admin tokens from the store into a fresh snapshot. Of two reloads that
    /// overlap, the one started last wins: it read everything the other did.
    @discardableResult
    public func reload() async throws -> Directory {
        let generation = reloads.add(1, ordering: .sequentiallyConsistent).newValue
        let directory = Directory(
            keys: try await store.keys(tenantID: nil), budgets: try await store.budgets(tenantID: nil),
            blocks: try await store.blocks(tenantID: nil), policies: try await store.policies(tenantID: nil),
            adminTokens: try await store.adminTokens(tenantID: nil)
        )
        snapshot.withLock { installed in
            if generation > installed.generation { installed = Installed(directory: directory, generation: generation) }
        }
        return directory
    }

    // MARK: Tenants, teams, users

    public func createTenant(id: String?, name: String) async throws -> TenantRecord {
        let id = try Self.identifier(id ?? Self.slug(name), field: "tenant id")
        if try await store.tenants().contains(where: { $0.id == id }) {
            throw ConfigurationError(.conflict, "tenant '\(id)' already exists")
        }
        let tenant = TenantRecord(id: id, name: name, createdAt: clock.nowMillis())
        try await store.insertTenant(tenant)
        return tenant
    }

    public func createTeam(tenantID: String, id: String?, name: String) async throws -> TeamRecord {
        try await requireTenant(tenantID)
        let id = try Self.identifier(id ?? Self.slug(name), field: "team id")
        if try await store.teams(tenantID: nil).contains(where: { $0.id == id }) {
            throw ConfigurationError(.conflict, "team '\(id)' already exists")
        }
        let team = TeamRecord(id: id, tenantID: tenantID, name: name, createdAt: clock.nowMillis())
        try await store.insertTeam(team)
        return team
    }

    public func createUser(tenantID: String, teamID: String?, id: String?, name: String) async throws -> UserRecord {
        try await requireTenant(tenantID)
        if let teamID { try await requireTeam(teamID, tenantID: tenantID) }
        let id = try Self.identifier(id ?? Self.slug(name), field: "user id")
        if try await store.users(tenantID: nil).contains(where: { $0.id == id }) {
            throw ConfigurationError(.conflict, "user '\(id)' already exists")
        }
        let user = UserRecord(id: id, tenantID: tenantID, teamID: teamID, name: name, createdAt: clock.nowMillis())
        try await store.insertUser(user)
        return user
    }

    /// Renames a tenant.
    public func renameTenant(id: String, name: String) async throws -> TenantRecord {
        guard var tenant = try await store.tenants().first(where: { $0.id == id }) else {
            throw ConfigurationError(.notFound, "tenant '\(id)' does not exist")
        }
        tenant.name = name
        try await store.updateTenant(tenant)
        return tenant
    }

    /// Renames a team.
    public func renameTeam(id: String, name: String) async throws -> TeamRecord {
        guard var team = try await store.teams(tenantID: nil).first(where: { $0.id == id }) else {
            throw ConfigurationError(.notFound, "team '\(id)' does not exist")
        }
        team.name = name
        try await store.updateTeam(team)
        return team
    }

    /// Renames a user or moves them to another team of their tenant (`teamID` "" removes the team).
    public func updateUser(id: String, name: String?, teamID: String?) async throws -> UserRecord {
        guard var user = try await store.users(tenantID: nil).first(where: { $0.id == id }) else {
            throw ConfigurationError(.notFound, "user '\(id)' does not exist")
        }
        if let name { user.name = name }
        if let teamID {
            if teamID.isEmpty {
                user.teamID = nil
            } else {
                try await requireTeam(teamID, tenantID: user.tenantID)
                user.teamID = teamID
            }
        }
        try await store.updateUser(user)
        return user
    }

    /// Changes a key's name, tags, allowed tags or models, or default cap; takes effect at once.
    public func updateKey(id: String, _ update: KeyUpdate) async throws -> KeyRecord {
        guard var record = try await store.keys(tenantID: nil).first(where: { $0.id == id }) else {
            throw ConfigurationError(.notFound, "key '\(id)' does not exist")
        }
        if let cap = update.defaultMaxOutputTokens, cap <= 0 {
            throw ConfigurationError(.invalidValue, "default_max_output_tokens must be positive")
        }
        if let name = update.name { record.name = name }
        if let tags = update.tags { record.tags = tags }
        if let allowedTags = update.allowedTags { record.allowedTags = allowedTags }
        if let allowedModels = update.allowedModels { record.allowedModels = allowedModels }
        if let cap = update.defaultMaxOutputTokens { record.defaultMaxOutputTokens = cap }
        try await store.updateKey(record)
        try await reload()
        return record
    }

    // MARK: Keys

    /// Creates a key; the secret is returned here once and never again.
    public func createKey(_ spec: KeySpec) async throws -> (record: KeyRecord, secret: String) {
        try await requireTenant(spec.tenant)
        if let team = spec.team { try await requireTeam(team, tenantID: spec.tenant) }
        if let user = spec.user {
            guard let found = try await store.users(tenantID: spec.tenant).first(where: { $0.id == user }) else {
                throw ConfigurationError(.notFound, "user '\(user)' does not exist in tenant '\(spec.tenant)'")
            }
            if let team = spec.team, let userTeam = found.teamID, userTeam != team {
                throw ConfigurationError(.invalidValue, "user '\(user)' belongs to team '\(userTeam)', not '\(team)'")
            }
        }
        if let cap = spec.defaultMaxOutputTokens, cap <= 0 {
            throw ConfigurationError(.invalidValue, "default_max_output_tokens must be positive")
        }
        for tag in (spec.tags ?? []) + (spec.allowedTags ?? []) where tag.isEmpty || tag.count > 200 {
            throw ConfigurationError(.invalidValue, "tags must be 1 to 200 characters")
        }
        let key = VirtualKey.generate()
        let record = KeyRecord(
            id: "key_" + Self.randomHex(bytes: 8), name: spec.name, secretHash: key.secretHash, hint: key.hint,
            tenantID: spec.tenant, teamID: spec.team, userID: spec.user, tags: spec.tags ?? [],
            allowedTags: spec.allowedTags ?? [], allowedModels: spec.allowedModels ?? [],
            defaultMaxOutputTokens: spec.defaultMaxOutputTokens, status: .active, createdAt: clock.nowMillis(), revokedAt: nil
        )
        try await store.insertKey(record)
        try await reload()
        return (record, key.secret)
    }

    /// Revokes a key at once: the next request with it is refused.
    public func revokeKey(id: String) async throws -> KeyRecord {
        guard var record = try await store.keys(tenantID: nil).first(where: { $0.id == id }) else {
            throw ConfigurationError(.notFound, "key '\(id)' does not exist")
        }
        if record.status != .revoked {
            record.status = .revoked
            record.revokedAt = clock.nowMillis()
            try await store.updateKey(record)
            try await reload()
        }
        return record
    }

    // MARK: Budgets

    /// Creates a budget, or updates the one with the same id (or the same scope and period).
    public func setBudget(_ spec: BudgetSpec) async throws -> BudgetRecord {
        try await requireTenant(spec.tenant)
        guard let limit = Money(dollarString: spec.limit), limit >= .zero else {
            throw ConfigurationError(.invalidValue, "limit '\(spec.limit)' is not a non-negative dollar amount (e.g. 25 or 0.50)")
        }
        let scopeID: String
        switch spec.scope {
        case .tenant: scopeID = spec.tenant
        case .team:
            guard let id = spec.scopeID else { throw ConfigurationError(.invalidValue, "a team budget needs the team id") }
            try await requireTeam(id, tenantID: spec.tenant)
            scopeID = id
        case .user:
            guard let id = spec.scopeID else { throw ConfigurationError(.invalidValue, "a user budget needs the user id") }
            guard try await store.users(tenantID: spec.tenant).contains(where: { $0.id == id }) else {
                throw ConfigurationError(.notFound, "user '\(id)' does not exist in tenant '\(spec.tenant)'")
            }
            scopeID = id
        case .key:
            guard let id = spec.scopeID else { throw ConfigurationError(.invalidValue, "a key budget needs the key id") }
            guard try await store.keys(tenantID: spec.tenant).contains(where: { $0.id == id }) else {
                throw ConfigurationError(.notFound, "key '\(id)' does not exist in tenant '\(spec.tenant)'")
            }
            scopeID = id
        case .tag:
            guard let id = spec.scopeID, !id.isEmpty else { throw ConfigurationError(.invalidValue, "a tag budget needs the tag, e.g. feature:search") }
            scopeID = id
        }
        let timeZone = spec.timeZone ?? defaultTimeZone
        try PeriodCalendar().validate(timeZone: timeZone)
        let scope = Scope(kind: spec.scope, id: scopeID)
        let existing = try await store.budgets(tenantID: spec.tenant)
        let previous = existing.first { $0.id == spec.id } ?? existing.first { spec.id == nil && $0.scope == scope && $0.period == spec.period }
        // A tag is not unique across tenants, so a tag budget's generated id names its tenant.
        let generated = spec.scope == .tag ? "tag-\(spec.tenant)-\(Self.slug(scopeID))" : "\(spec.scope.rawValue)-\(Self.slug(scopeID))"
        let id = try Self.identifier(spec.id ?? previous?.id ?? "\(generated)-\(spec.period.rawValue)", field: "budget id")
        if previous == nil, try await store.budgets(tenantID: nil).contains(where: { $0.id == id }) {
            throw ConfigurationError(.conflict, "budget id '\(id)' is taken by another tenant; give another id")
        }
        if let thresholds = spec.alertThresholds, thresholds.contains(where: { !(1...1000).contains($0) }) {
            throw ConfigurationError(.invalidValue, "alert_thresholds are percentages from 1 to 1000, got \(thresholds)")
        }
        if let percent = spec.downgradeAtPercent, !(1...100).contains(percent) {
            throw ConfigurationError(.invalidValue, "downgrade_at_percent must be 1 to 100, got \(percent)")
        }
        let record = BudgetRecord(
            id: id, tenantID: spec.tenant, scope: scope, period: spec.period, limit: limit, timeZone: timeZone,
            createdAt: previous?.createdAt ?? clock.nowMillis(), downgradeAtPercent: spec.downgradeAtPercent,
            shadow: spec.shadow ?? false, alertThresholds: spec.alertThresholds
        )
        try await store.upsertBudget(record)
        try await enforcer.load(budget: record)
        try await reload()
        return record
    }

    public func deleteBudget(id: String) async throws {
        guard try await store.budgets(tenantID: nil).contains(where: { $0.id == id }) else {
            throw ConfigurationError(.notFound, "budget '\(id)' does not exist")
        }
        try await store.deleteBudget(id: id)
        enforcer.unload(budgetID: id)
        try await reload()
    }

    public func budgetStatuses(tenantID: String?) async throws -> [BudgetStatus] {
        try await store.budgets(tenantID: tenantID).compactMap { budget in
            guard let account = enforcer.account(budgetID: budget.id) else { return nil }
            return BudgetStatus(
                budget: budget, spent: account.spent, held: account.held, available: max(.zero, account.available),
                windowStart: account.window.start, resetsAt: account.window.end, forecast: enforcer.forecast(budgetID: budget.id)
            )
        }
    }

    // MARK: Helpers

    /// The tenant a tenant, team, user or key belongs to; `.notFound` if it does not exist, and
    /// tags are refused (`purpose` completes "… a tenant, team, user or key, not a tag").
    public func tenant(of scope: Scope, purpose: String) async throws -> String {
        switch scope.kind {
        case .tenant:
            guard try await store.tenants().contains(where: { $0.id == scope.id }) else { break }
            return scope.id
        case .team:
            if let team = try await store.teams(tenantID: nil).first(where: { $0.id == scope.id }) { return team.tenantID }
        case .user:
            if let user = try await store.users(tenantID: nil).first(where: { $0.id == scope.id }) { return user.tenantID }
        case .key:
            if let key = try await store.keys(tenantID: nil).first(where: { $0.id == scope.id }) { return key.tenantID }
        case .tag:
            throw ConfigurationError(.invalidValue, "\(purpose) a tenant, team, user or key, not a tag")
        }
        throw ConfigurationError(.notFound, "\(scope.kind.rawValue) '\(scope.id)' does not exist")
    }

    func requireTenant(_ id: String) async throws {
        guard try await store.tenants().contains(where: { $0.id == id }) else {
            throw ConfigurationError(.notFound, "tenant '\(id)' does not exist; create it first")
        }
    }

    private func requireTeam(_ id: String, tenantID: String) async throws {
        guard try await store.teams(tenantID: tenantID).contains(where: { $0.id == id }) else {
            throw ConfigurationError(.notFound, "team '\(id)' does not exist in tenant '\(tenantID)'")
        }
    }

    /// Ids are 1–64 characters of letters, digits, `-`, `_`, `.`, `:`.
    static func identifier(_ text: String, field: String) throws(ConfigurationError) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
        guard !text.isEmpty, text.count <= 64, text.allSatisfy({ allowed.contains($0) }) else {
            throw ConfigurationError(.invalidValue, "\(field) '\(text)' must be 1–64 letters, digits, '-', '_', '.' or ':'")
        }
        return text
    }

    static func slug(_ text: String) -> String {
        let lowered = text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(String(lowered).split(separator: "-").joined(separator: "-").prefix(64))
    }

    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }
}
