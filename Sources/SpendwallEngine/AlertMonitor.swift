import Foundation
import Logging
import ServiceLifecycle
import SpendwallCore
import SpendwallStorage
import Synchronization

/// Watches every budget's standing and fires its alerts — each spend threshold and the forecast
/// once per budget and window — to the log and, through the store's delivery log, to every
/// configured webhook (the `WebhookDispatcher` sends them).
public final class AlertMonitor: Service, Sendable {
    let controlPlane: ControlPlane
    let enforcer: Enforcer
    let settings: AlertSettings
    let webhookURLs: [String]
    let clock: any WallClock
    let interval: Duration
    let logger: Logger
    /// Alert kinds already fired, per budget and window start (loaded from the store on first sight).
    private let fired = Mutex<[FiredKey: Set<String>]>([:])

    private struct FiredKey: Hashable {
        var budgetID: String
        var windowStart: Int64
    }

    public init(
        controlPlane: ControlPlane, enforcer: Enforcer, settings: AlertSettings, webhookURLs: [String], clock: any WallClock,
        interval: Duration = .seconds(1), logger: Logger
    ) {
        self.controlPlane = controlPlane
        self.enforcer = enforcer
        self.settings = settings
        self.webhookURLs = webhookURLs
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await PeriodicWork.run(every: interval) { await self.checkAll() }
    }

    /// Checks every budget once; returns the alerts fired.
    @discardableResult
    public func checkAll() async -> [AlertRecord] {
        var firedNow: [AlertRecord] = []
        let now = clock.nowMillis()
        for budget in controlPlane.directory.budgetsByID.values.sorted(by: { $0.id < $1.id }) {
            guard let account = enforcer.account(budgetID: budget.id) else { continue }
            let exhausted = enforcer.hasRefused(budgetID: budget.id, windowStart: account.window.start)
            var due = BudgetAlerts.due(account: account, thresholds: budget.alertThresholds ?? settings.thresholds, now: now, exhausted: exhausted)
            // The recent (exponentially weighted) burn rate fires the forecast too, when the
            // window's average would not yet.
            if !due.contains(where: { if case .forecast = $0 { true } else { false } }),
               let recent = BudgetAlerts.recentForecast(account: account, exhaustsAt: enforcer.forecast(budgetID: budget.id)?.exhaustsAt, now: now) {
                due.append(recent)
            }
            if !settings.forecast { due.removeAll { if case .forecast = $0 { true } else { false } } }
            guard !due.isEmpty else { continue }
            let key = FiredKey(budgetID: budget.id, windowStart: account.window.start)
            var already = fired.withLock { $0[key] }
            if already == nil {
                already = (try? await controlPlane.store.firedAlertKinds(budgetID: budget.id, windowStart: account.window.start)) ?? []
            }
            for kind in due where !(already?.contains(kind.name) ?? false) {
                let alert = makeAlert(kind, budget: budget, account: account, exhausted: exhausted, now: now)
                do {
                    let inserted = try await controlPlane.store.insertAlert(alert, deliveries: deliveries(for: alert, now: now))
                    already?.insert(kind.name)
                    guard inserted else { continue }
                    firedNow.append(alert)
                    logger.warning("budget alert", metadata: ["alert": "\(alert.kind)", "budget": "\(budget.id)", "message": "\(alert.message)"])
                } catch {
                    logger.error("could not record a budget alert; it will be tried again", metadata: ["budget": "\(budget.id)", "error": "\(error)"])
                }
            }
            let seen = already ?? []
            fired.withLock { $0[key] = seen }
        }
        return firedNow
    }

    /// Fires a sample alert to every webhook (`spendwall alerts test`).
    public func sendTest(tenantID: String) async throws -> AlertRecord {
        let now = clock.nowMillis()
        let id = "alrt_" + ControlPlane.randomHex(bytes: 8)
        let message = "Test alert from Spendwall: webhooks are configured and reachable."
        let payload = Self.json([
            "id": id, "type": "test", "tenant": tenantID, "message": message, "fired_at": ISOTime.format(millis: now),
        ])
        let alert = AlertRecord(id: id, tenantID: tenantID, budgetID: nil, windowStart: now, kind: "test", message: message, payload: payload, firedAt: now)
        try await controlPlane.store.insertAlert(alert, deliveries: deliveries(for: alert, now: now))
        logger.notice("test alert", metadata: ["alert": "\(id)", "webhooks": "\(webhookURLs.count)"])
        return alert
    }

    private func deliveries(for alert: AlertRecord, now: Int64) -> [DeliveryRecord] {
        webhookURLs.map { url in
            DeliveryRecord(
                id: "dlv_" + ControlPlane.randomHex(bytes: 8), alertID: alert.id, url: url, body: alert.payload, status: .pending,
                attempts: 0, lastError: nil, nextAttemptAt: now, deliveredAt: nil
            )
        }
    }

    private func makeAlert(_ kind: BudgetAlerts.Kind, budget: BudgetRecord, account: BudgetAccount, exhausted: Bool, now: Int64) -> AlertRecord {
        let id = "alrt_" + ControlPlane.randomHex(bytes: 8)
        let name = "budget '\(budget.id)' (\(budget.scope), \(budget.period.rawValue))"
        var fields: [String: Any] = [
            "id": id, "tenant": budget.tenantID, "fired_at": ISOTime.format(millis: now),
            "budget": [
                "id": budget.id, "scope": budget.scope.description, "period": budget.period.rawValue,
                "limit_usd": account.limit.decimalDollars, "spent_usd": account.spent.decimalDollars, "held_usd": account.held.decimalDollars,
                "window_start": ISOTime.format(millis: account.window.start),
                "resets_at": account.window.end.map { ISOTime.format(millis: $0) } ?? NSNull(),
                "shadow": budget.shadow,
            ] as [String: Any],
        ]
        let message: String
        switch kind {
        case .threshold(let percent):
            fields["type"] = "budget.threshold"
            fields["threshold_percent"] = percent
            let refusing = exhausted && percent == 100 && account.spent < account.limit ? " and refused a request it could not cover" : ""
            message = "\(name) has spent \(account.spent) of its \(account.limit) limit\(refusing): \(percent) % reached."
        case .forecast(let exhaustedAt):
            fields["type"] = "budget.forecast"
            fields["exhausted_at"] = ISOTime.format(millis: exhaustedAt)
            message = "At the current burn rate \(name) runs out at \(ISOTime.format(millis: exhaustedAt)), before its period ends\(account.window.end.map { " at \(ISOTime.format(millis: $0))" } ?? "")."
        }
        fields["message"] = message
        return AlertRecord(
            id: id, tenantID: budget.tenantID, budgetID: budget.id, windowStart: account.window.start, kind: kind.name,
            message: message, payload: Self.json(fields), firedAt: now
        )
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
