import SpendwallCore

/// Where Spendwall keeps keys, budgets, holds and the ledger.
///
/// Implementations: the in-memory store (tests), SQLite (the embedded default), PostgreSQL
/// (several gateway replicas). All must pass the same conformance tests.
///
/// The hot path calls only `recordHold` and `settle`; both must be durable when they return.
public protocol SpendStore: Sendable {
    // MARK: Control plane
    func insertTenant(_ tenant: TenantRecord) async throws
    /// Replaces the tenant with id `tenant.id`; `.notFound` if there is none.
    func updateTenant(_ tenant: TenantRecord) async throws
    func tenants() async throws -> [TenantRecord]
    func insertTeam(_ team: TeamRecord) async throws
    /// Replaces the team with id `team.id`; `.notFound` if there is none.
    func updateTeam(_ team: TeamRecord) async throws
    func teams(tenantID: String?) async throws -> [TeamRecord]
    func insertUser(_ user: UserRecord) async throws
    /// Replaces the user with id `user.id`; `.notFound` if there is none.
    func updateUser(_ user: UserRecord) async throws
    func users(tenantID: String?) async throws -> [UserRecord]
    func insertKey(_ key: KeyRecord) async throws
    func updateKey(_ key: KeyRecord) async throws
    func keys(tenantID: String?) async throws -> [KeyRecord]
    /// Inserts or replaces a budget by id.
    func upsertBudget(_ budget: BudgetRecord) async throws
    func deleteBudget(id: String) async throws
    func budgets(tenantID: String?) async throws -> [BudgetRecord]

    // MARK: Tenant admin tokens
    /// Adds a tenant admin token; `.duplicate` if its id or secret hash exists.
    func insertAdminToken(_ token: AdminTokenRecord) async throws
    /// Replaces the token with id `token.id`; `.notFound` if there is none.
    func updateAdminToken(_ token: AdminTokenRecord) async throws
    /// Tenant admin tokens of one tenant (or all), oldest first.
    func adminTokens(tenantID: String?) async throws -> [AdminTokenRecord]

    // MARK: Policies
    /// Inserts or replaces the policy of a scope.
    func upsertPolicy(_ record: PolicyRecord) async throws
    /// Removes the policy of a scope; `.notFound` if it has none.
    func deletePolicy(tenantID: String, scope: Scope) async throws
    /// Policies of one tenant (or all), by scope.
    func policies(tenantID: String?) async throws -> [PolicyRecord]

    // MARK: Alerts
    /// Records a fired alert with its deliveries, in one transaction. Returns false (and writes
    /// nothing) when an alert of the same budget, window and kind was already recorded.
    @discardableResult
    func insertAlert(_ alert: AlertRecord, deliveries: [DeliveryRecord]) async throws -> Bool
    /// Alerts of one tenant (or all), newest first.
    func alerts(tenantID: String?, limit: Int) async throws -> [AlertRecord]
    /// The kinds already fired for a budget's window, e.g. `["threshold-50"]`.
    func firedAlertKinds(budgetID: String, windowStart: Int64) async throws -> Set<String>
    /// Claims the pending deliveries whose next attempt is due at `now`, oldest first: each is
    /// returned to one caller, due again only ``DeliveryRecord/claimMillis`` later (the caller
    /// records its attempt with `updateDelivery` before that).
    func dueDeliveries(now: Int64, limit: Int) async throws -> [DeliveryRecord]
    /// Replaces a delivery (after an attempt).
    func updateDelivery(_ delivery: DeliveryRecord) async throws
    /// The deliveries of one alert (or all), newest first.
    func deliveries(alertID: String?, limit: Int) async throws -> [DeliveryRecord]

    // MARK: Kill switch
    /// Puts a block in force and appends its audit entry, in one transaction; `.duplicate` if
    /// the scope is already blocked (nothing is written then).
    func insertBlock(_ block: BlockRecord, audit: AuditEntry) async throws
    /// Lifts the block on `scope` and appends its audit entry, in one transaction; `.notFound` if
    /// the scope is not blocked (nothing is written then).
    func deleteBlock(tenantID: String, scope: Scope, audit: AuditEntry) async throws
    /// Blocks in force for one tenant (or all), oldest first.
    func blocks(tenantID: String?) async throws -> [BlockRecord]
    /// The audit log of one tenant (or all), newest first. Entries are never changed or removed.
    func auditLog(tenantID: String?, limit: Int) async throws -> [AuditEntry]

    // MARK: Deployments
    /// Inserts or replaces a deployment by id.
    func upsertDeployment(_ deployment: DeploymentRecord) async throws
    /// Deployments of one tenant (or all), oldest first.
    func deployments(tenantID: String?) async throws -> [DeploymentRecord]

    // MARK: Refusals and outcomes (reports)
    /// Keeps a refused request for reports.
    func insertRefusal(_ refusal: RefusalRecord) async throws
    /// Refusals in the query's tenant and window, by group and reason.
    func refusalCounts(_ query: SpendQuery) async throws -> [RefusalCount]
    /// Links a client's trace id to a request of it.
    func insertTraceLink(tenantID: String, traceID: String, requestID: String) async throws
    /// The requests of a trace, in the tenant.
    func requestIDs(traceID: String, tenantID: String) async throws -> [String]
    /// Records a verdict; a later verdict on the same request replaces it.
    func insertOutcome(_ outcome: OutcomeRecord) async throws
    /// Verdicts by group (the judged requests' ledger rows decide the group), in the query's
    /// tenant and window (by the requests' start).
    func outcomeSummaries(_ query: SpendQuery) async throws -> [OutcomeSummary]

    // MARK: Telemetry export
    /// Ledger rows in write order after `position` (a store's own sequence), at most `limit`,
    /// leaving out rows finished after `finishedBefore` (so a row committed late is not passed).
    func ledgerRows(after position: Int64, finishedBefore: Int64, limit: Int) async throws -> [PositionedEntry]
    /// Where an export sink has got to in the ledger (0: the start).
    func exportCursor(sink: String) async throws -> Int64
    func setExportCursor(sink: String, position: Int64) async throws

    // MARK: Hot path
    /// Makes a hold durable. Returns once it is committed.
    func recordHold(_ hold: HoldRecord) async throws
    /// Atomically: appends the ledger row, deletes its hold, and adds `entry.cost` to the usage
    /// of every share's budget window. A second call for the same hold id changes nothing and
    /// returns false.
    @discardableResult
    func settle(_ entry: LedgerEntry) async throws -> Bool

    // MARK: Reads
    func openHolds() async throws -> [HoldRecord]
    /// Spend charged to a budget in the window starting at `windowStart`.
    func spent(budgetID: String, windowStart: Int64) async throws -> Money
    func spend(_ query: SpendQuery) async throws -> [SpendRow]
    /// Ledger rows, newest first.
    func ledger(tenantID: String?, limit: Int) async throws -> [LedgerEntry]
    /// The newest ledger row of `tenantID` whose provider response id is `upstreamID`; nil when
    /// that tenant has none (another tenant's row never answers).
    func ledgerEntry(upstreamID: String, tenantID: String) async throws -> LedgerEntry?
    /// Spend, holds and ledger totals read in one snapshot, for ``LedgerCheck``.
    func ledgerFacts() async throws -> LedgerFacts
}

/// Errors a store raises, with stable codes.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Another process holds the database.
        case locked = "database_locked"
        /// A row with that id or unique value exists.
        case duplicate = "duplicate"
        /// A referenced row does not exist.
        case notFound = "not_found"
        /// The database could not be opened, read or written.
        case io = "storage_io"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
