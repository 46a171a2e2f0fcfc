import SpendwallCore
import Synchronization

/// A `SpendStore` kept in memory, for tests and experiments. Nothing survives the process.
///
/// It has the same semantics as the SQLite store (the shared conformance suite checks both):
/// duplicate ids and secret hashes are refused with `.duplicate`, updating or deleting a missing
/// row throws `.notFound`, settling is idempotent per hold id, lists are ordered by creation time
/// then id, spend rows by cost (highest first) then group, and the ledger newest first.
public final class InMemoryStore: SpendStore {
    struct State {
        var tenants: [String: TenantRecord] = [:]
        var teams: [String: TeamRecord] = [:]
        var users: [String: UserRecord] = [:]
        var keys: [String: KeyRecord] = [:]
        var adminTokens: [String: AdminTokenRecord] = [:]
        var deployments: [String: DeploymentRecord] = [:]
        var refusals: [RefusalRecord] = []
        var exportCursors: [String: Int64] = [:]
        var traces: [String: [String]] = [:]
        var outcomes: [String: OutcomeRecord] = [:]
        var budgets: [String: BudgetRecord] = [:]
        var holds: [HoldID: HoldRecord] = [:]
        var ledger: [LedgerEntry] = []
        var settledHolds: Set<HoldID> = []
        var usage: [HoldShare: Money] = [:]
        var blocks: [TenantScope: BlockRecord] = [:]
        var policies: [TenantScope: PolicyRecord] = [:]
        var alerts: [AlertRecord] = []
        var deliveries: [DeliveryRecord] = []
        var audit: [AuditEntry] = []
    }

    /// A scope within its tenant.
    struct TenantScope: Hashable {
        var tenantID: String
        var scope: Scope
    }

    let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    // MARK: Control plane

    /// Adds a tenant; `.duplicate` if the id exists.
    public func insertTenant(_ tenant: TenantRecord) async throws {
        try state.withLock { state in
            guard state.tenants[tenant.id] == nil else { throw StoreError(.duplicate, "tenant '\(tenant.id)' already exists") }
            state.tenants[tenant.id] = tenant
        }
    }

    /// Replaces a tenant; `.notFound` if there is none.
    public func updateTenant(_ tenant: TenantRecord) async throws {
        try state.withLock { state in
            guard state.tenants[tenant.id] != nil else { throw StoreError(.notFound, "no tenant with id '\(tenant.id)'") }
            state.tenants[tenant.id] = tenant
        }
    }

    /// Replaces a team; `.notFound` if there is none.
    public func updateTeam(_ team: TeamRecord) async throws {
        try state.withLock { state in
            guard state.teams[team.id] != nil else { throw StoreError(.notFound, "no team with id '\(team.id)'") }
            state.teams[team.id] = team
        }
    }

    /// Replaces a user; `.notFound` if there is none.
    public func updateUser(_ user: UserRecord) async throws {
        try state.withLock { state in
            guard state.users[user.id] != nil else { throw StoreError(.notFound, "no user with id '\(user.id)'") }
            state.users[user.id] = user
        }
    }

    /// Every tenant, oldest first.
    public func tenants() async throws -> [TenantRecord] {
        state.withLock { Self.ordered(Array($0.tenants.values), \.createdAt, \.id) }
    }

    /// Adds a team; `.duplicate` if the id exists.
    public func insertTeam(_ team: TeamRecord) async throws {
        try state.withLock { state in
            guard state.teams[team.id] == nil else { throw StoreError(.duplicate, "team '\(team.id)' already exists") }
            state.teams[team.id] = team
        }
    }

    /// Teams of one tenant (or all), oldest first.
    public func teams(tenantID: String?) async throws -> [TeamRecord] {
        state.withLock { state in
            Self.ordered(state.teams.values.filter { tenantID == nil || $0.tenantID == tenantID }, \.createdAt, \.id)
        }
    }

    /// Adds a user; `.duplicate` if the id exists.
    public func insertUser(_ user: UserRecord) async throws {
        try state.withLock { state in
            guard state.users[user.id] == nil else { throw StoreError(.duplicate, "user '\(user.id)' already exists") }
            state.users[user.id] = user
        }
    }

    /// Users of one tenant (or all), oldest first.
    public func users(tenantID: String?) async throws -> [UserRecord] {
        state.withLock { state in
            Self.ordered(state.users.values.filter { tenantID == nil || $0.tenantID == tenantID }, \.createdAt, \.id)
        }
    }

    /// Adds a key; `.duplicate` if its id or secret hash exists.
    public func insertKey(_ key: KeyRecord) async throws {
        try state.withLock { state in
            guard state.keys[key.id] == nil, !state.keys.values.contains(where: { $0.secretHash == key.secretHash }) else {
                throw StoreError(.duplicate, "a key with id '\(key.id)' or the same secret already exists")
            }
            state.keys[key.id] = key
        }
    }

    /// Replaces every field of the key with id `key.id`; `.notFound` if there is none.
    public func updateKey(_ key: KeyRecord) async throws {
        try state.withLock { state in
            guard state.keys[key.id] != nil else { throw StoreError(.notFound, "no key with id '\(key.id)'") }
            guard !state.keys.values.contains(where: { $0.id != key.id && $0.secretHash == key.secretHash }) else {
                throw StoreError(.duplicate, "another key has the same secret")
            }
            state.keys[key.id] = key
        }
    }

    /// Keys of one tenant (or all), oldest first.
    public func keys(tenantID: String?) async throws -> [KeyRecord] {
        state.withLock { state in
            Self.ordered(state.keys.values.filter { tenantID == nil || $0.tenantID == tenantID }, \.createdAt, \.id)
        }
    }

    /// Inserts or replaces a budget by id. Its recorded usage is kept.
    public func upsertBudget(_ budget: BudgetRecord) async throws {
        state.withLock { $0.budgets[budget.id] = budget }
    }

    /// Deletes a budget; `.notFound` if there is none. Its usage stays.
    public func deleteBudget(id: String) async throws {
        try state.withLock { state in
            guard state.budgets.removeValue(forKey: id) != nil else { throw StoreError(.notFound, "no budget with id '\(id)'") }
        }
    }

    /// Budgets of one tenant (or all), oldest first.
    public func budgets(tenantID: String?) async throws -> [BudgetRecord] {
        state.withLock { state in
            Self.ordered(state.budgets.values.filter { tenantID == nil || $0.tenantID == tenantID }, \.createdAt, \.id)
        }
    }

    // MARK: Policies

    /// Inserts or replaces the policy of a scope.
    public func upsertPolicy(_ record: PolicyRecord) async throws {
        state.withLock { $0.policies[TenantScope(tenantID: record.tenantID, scope: record.scope)] = record }
    }

    /// Removes the policy of a scope; `.notFound` if it has none.
    public func deletePolicy(tenantID: String, scope: Scope) async throws {
        try state.withLock { state in
            guard state.policies.removeValue(forKey: TenantScope(tenantID: tenantID, scope: scope)) != nil else {
                throw StoreError(.notFound, "\(scope) has no policy")
            }
        }
    }

    /// Policies of one tenant (or all), by scope kind then id.
    public func policies(tenantID: String?) async throws -> [PolicyRecord] {
        state.withLock { state in
            state.policies.values.filter { tenantID == nil || $0.tenantID == tenantID }
                .sorted { ($0.tenantID, $0.scope.kind.rawValue, $0.scope.id) < ($1.tenantID, $1.scope.kind.rawValue, $1.scope.id) }
        }
    }

    // MARK: Alerts

    /// Records an alert and its deliveries; false when the same budget, window and kind fired.
    @discardableResult
    public func insertAlert(_ alert: AlertRecord, deliveries: [DeliveryRecord]) async throws -> Bool {
        state.withLock { state in
            if alert.budgetID != nil, state.alerts.contains(where: {
                $0.budgetID == alert.budgetID && $0.windowStart == alert.windowStart && $0.kind == alert.kind
            }) {
                return false
            }
            state.alerts.append(alert)
            state.deliveries.append(contentsOf: deliveries)
            return true
        }
    }

    /// Alerts of one tenant (or all), newest first.
    public func alerts(tenantID: String?, limit: Int) async throws -> [AlertRecord] {
        state.withLock { state in
            Array(state.alerts.reversed().lazy.filter { tenantID == nil || $0.tenantID == tenantID }.prefix(max(0, limit)))
        }
    }

    /// The kinds already fired for a budget's window.
    public func firedAlertKinds(budgetID: String, windowStart: Int64) async throws -> Set<String> {
        state.withLock { state in
            Set(state.alerts.filter { $0.budgetID == budgetID && $0.windowStart == windowStart }.map(\.kind))
        }
    }

    /// Pending deliveries due at `now`, oldest first.
    public func dueDeliveries(now: Int64, limit: Int) async throws -> [DeliveryRecord] {
        state.withLock { state in
            let due = state.deliveries.enumerated().filter { $0.element.status == .pending && $0.element.nextAttemptAt <= now }
            let claimed = due.sorted { ($0.element.nextAttemptAt, $0.offset) < ($1.element.nextAttemptAt, $1.offset) }.prefix(max(0, limit))
            return claimed.map { index, _ in
                state.deliveries[index].nextAttemptAt = now + DeliveryRecord.claimMillis
                return state.deliveries[index]
            }
        }
    }

    /// Replaces a delivery; `.notFound` if there is none with its id.
    public func updateDelivery(_ delivery: DeliveryRecord) async throws {
        try state.withLock { state in
            guard let index = state.deliveries.firstIndex(where: { $0.id == delivery.id }) else {
                throw StoreError(.notFound, "no delivery with id '\(delivery.id)'")
            }
            state.deliveries[index] = delivery
        }
    }

    /// Deliveries of one alert (or all), newest first.
    public func deliveries(alertID: String?, limit: Int) async throws -> [DeliveryRecord] {
        state.withLock { state in
            Array(state.deliveries.reversed().lazy.filter { alertID == nil || $0.alertID == alertID }.prefix(max(0, limit)))
        }
    }

    // MARK: Kill switch

    /// Puts a block in force and logs it; `.duplicate` if the scope is already blocked.
    public func insertBlock(_ block: BlockRecord, audit: AuditEntry) async throws {
        try state.withLock { state in
            let key = TenantScope(tenantID: block.tenantID, scope: block.scope)
            guard state.blocks[key] == nil else { throw StoreError(.duplicate, "\(block.scope) is already blocked") }
            state.blocks[key] = block
            Self.append(audit, to: &state)
        }
    }

    /// Lifts a block and logs it; `.notFound` if the scope is not blocked.
    public func deleteBlock(tenantID: String, scope: Scope, audit: AuditEntry) async throws {
        try state.withLock { state in
            guard state.blocks.removeValue(forKey: TenantScope(tenantID: tenantID, scope: scope)) != nil else {
                throw StoreError(.notFound, "\(scope) is not blocked")
            }
            Self.append(audit, to: &state)
        }
    }

    /// Blocks in force of one tenant (or all), oldest first.
    public func blocks(tenantID: String?) async throws -> [BlockRecord] {
        state.withLock { state in
            state.blocks.values.filter { tenantID == nil || $0.tenantID == tenantID }
                .sorted { ($0.blockedAt, $0.scope.description) < ($1.blockedAt, $1.scope.description) }
        }
    }

    /// The audit log of one tenant (or all), newest first.
    public func auditLog(tenantID: String?, limit: Int) async throws -> [AuditEntry] {
        state.withLock { state in
            Array(state.audit.reversed().lazy.filter { tenantID == nil || $0.tenantID == tenantID }.prefix(max(0, limit)))
        }
    }

    private static func append(_ entry: AuditEntry, to state: inout State) {
        var entry = entry
        entry.sequence = Int64(state.audit.count + 1)
        state.audit.append(entry)
    }

    // MARK: Hot path

    /// Records a hold; `.duplicate` if one with that id is open.
    public func recordHold(_ hold: HoldRecord) async throws {
        try state.withLock { state in
            guard state.holds[hold.hold.id] == nil else { throw StoreError(.duplicate, "hold '\(hold.hold.id)' already exists") }
            state.holds[hold.hold.id] = hold
        }
    }

    /// Appends the ledger row, deletes its hold and adds the cost to every share's usage, once
    /// per hold id; returns whether this call did it.
    @discardableResult
    public func settle(_ entry: LedgerEntry) async throws -> Bool {
        state.withLock { state in
            guard state.settledHolds.insert(entry.holdID).inserted else { return false }
            state.ledger.append(entry)
            state.holds[entry.holdID] = nil
            for share in entry.shares { state.usage[share, default: .zero] += entry.cost }
            return true
        }
    }

    // MARK: Reads

    /// Every hold not yet settled, oldest first.
    public func openHolds() async throws -> [HoldRecord] {
        state.withLock { Self.ordered(Array($0.holds.values), \.createdAt, \.hold.id) }
    }

    /// Spend charged to a budget in the window starting at `windowStart`; zero if none.
    public func spent(budgetID: String, windowStart: Int64) async throws -> Money {
        state.withLock { $0.usage[HoldShare(budget: budgetID, windowStart: windowStart)] ?? .zero }
    }

    /// Spend summed per group, most expensive first (ties by group, in byte order). Rows without
    /// a team or user group under `""`; by tag, a row counts once per tag it carries.
    public func spend(_ query: SpendQuery) async throws -> [SpendRow] {
        let entries = state.withLock { state in
            state.ledger.filter { entry in
                (query.tenantID == nil || entry.tenantID == query.tenantID)
                    && (query.from.map { entry.startedAt >= $0 } ?? true)
                    && (query.to.map { entry.startedAt < $0 } ?? true)
            }
        }
        var rows: [String: SpendRow] = [:]
        for entry in entries {
            for group in Self.groups(of: entry, by: query.groupBy) {
                var row = rows[group] ?? SpendRow(group: group, requests: 0, usage: .zero, cost: .zero)
                if entry.status == .cached { row.cacheSavings += entry.listCost }
                if entry.kind == "gpu_time" {
                    row.gpuTimeCost += entry.cost
                } else {
                    row.requests += 1
                }
                row.usage.input = row.usage.input.saturatingAdding(entry.usage.input)
                row.usage.cachedInput = row.usage.cachedInput.saturatingAdding(entry.usage.cachedInput)
                row.usage.cacheWrite = row.usage.cacheWrite.saturatingAdding(entry.usage.cacheWrite)
                row.usage.extendedCacheWrite = row.usage.extendedCacheWrite.saturatingAdding(entry.usage.extendedCacheWrite)
                row.usage.output = row.usage.output.saturatingAdding(entry.usage.output)
                row.usage.reasoning = row.usage.reasoning.saturatingAdding(entry.usage.reasoning)
                row.usage.audioInput = row.usage.audioInput.saturatingAdding(entry.usage.audioInput)
                row.usage.audioOutput = row.usage.audioOutput.saturatingAdding(entry.usage.audioOutput)
                row.cost += entry.cost
                rows[group] = row
            }
        }
        return rows.values.sorted { lhs, rhs in
            lhs.cost != rhs.cost ? lhs.cost > rhs.cost : lhs.group.utf8.lexicographicallyPrecedes(rhs.group.utf8)
        }
    }

    /// Ledger rows of one tenant (or all), newest first by `startedAt`, then by insertion.
    public func ledger(tenantID: String?, limit: Int) async throws -> [LedgerEntry] {
        let entries = state.withLock { state in
            state.ledger.enumerated().filter { tenantID == nil || $0.element.tenantID == tenantID }
        }
        let newestFirst = entries.sorted { lhs, rhs in
            lhs.element.startedAt != rhs.element.startedAt
                ? lhs.element.startedAt > rhs.element.startedAt : lhs.offset > rhs.offset
        }
        return newestFirst.prefix(max(limit, 0)).map(\.element)
    }

    // MARK: Helpers

    static func groups(of entry: LedgerEntry, by grouping: SpendQuery.Grouping) -> [String] {
        switch grouping {
        case .tenant: [entry.tenantID]
        case .team: [entry.teamID ?? ""]
        case .user: [entry.userID ?? ""]
        case .key: [entry.keyID]
        case .tag: entry.tags
        case .model: [entry.model]
        case .provider: [entry.provider.rawValue]
        case .status: [entry.status.rawValue]
        }
    }

    /// Sorts by creation time, then id in byte order (as SQLite's default collation does).
    static func ordered<T>(_ values: [T], _ createdAt: KeyPath<T, Int64>, _ id: KeyPath<T, String>) -> [T] {
        values.sorted { lhs, rhs in
            lhs[keyPath: createdAt] != rhs[keyPath: createdAt]
                ? lhs[keyPath: createdAt] < rhs[keyPath: createdAt]
                : lhs[keyPath: id].utf8.lexicographicallyPrecedes(rhs[keyPath: id].utf8)
        }
    }
}
