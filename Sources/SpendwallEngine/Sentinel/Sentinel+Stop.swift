import Logging
import Synchronization
import Foundation
import SpendwallCore
import SpendwallStorage

// The kill path and adoption after a restart.
extension Sentinel {
    /// Stops a deployment by hand: the same path as budget exhaustion, recording who and why.
    /// `.notFound` for an unknown id (or another tenant's), `.conflict` when it has already ended.
    public func stop(id: String, reason: String, by actor: String, tenantID: String?) async throws -> DeploymentRecord {
        let known = try await status(id: id, tenantID: tenantID).deployment
        guard known.state.isLive else {
            throw ConfigurationError(.conflict, "deployment '\(id)' has already ended (\(known.state.rawValue)\(known.killReason.map { ", \($0)" } ?? ""))")
        }
        // A round of the sentinel may hold it for a moment (a health check); wait for that.
        for _ in 0..<100 {
            if let record = await terminate(id, state: .killed, reason: reason, by: actor) { return record }
            guard live.withLock({ $0[id] != nil }) else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ConfigurationError(.conflict, "deployment '\(id)' is being stopped already, or is not supervised by this server")
    }

    /// Takes the deployment out of service and stops its process group: SIGTERM, the grace
    /// period, SIGKILL; then charges the time used up to the moment it was gone and records the
    /// end. Nil when someone else is stopping it.
    @discardableResult
    func terminate(_ id: String, state: DeploymentRecord.State, reason: String, by actor: String, exit: String? = nil) async -> DeploymentRecord? {
        guard var entry = claim(id) else { return nil }
        entry.record.state = state
        entry.record.killReason = reason
        entry.record.killedBy = actor
        publish(entry.record)
        let now = clock.nowMillis()
        // The kill must be paid for: keep the open hold if it still covers the grace period,
        // else charge the time used and hold the grace period.
        let needed = entry.record.accrual.graceMillis
        if entry.record.accrual.open.map({ $0.through - now < needed }) ?? true {
            await settleOpenHold(&entry, at: now)
            do {
                try await placeNextHold(&entry, at: now, covering: needed)
            } catch {
                logger.error("no budget left to hold the kill's grace period; stopping at once", metadata: ["deployment": "\(id)"])
            }
        }
        var exitDescription = exit
        if let group = entry.group {
            let hurry = entry.open == nil
            exitDescription = await Self.stopGroup(group, grace: hurry ? .zero : .milliseconds(Int64(settings.killGraceSeconds * 1000))) ?? exitDescription
        }
        let ended = clock.nowMillis()
        await settleOpenHold(&entry, at: ended)
        entry.record.endedAt = ended
        entry.record.exitDescription = exitDescription
        let served = routes.takeServed(deploymentID: id)
        entry.record.requests += served.requests
        entry.record.inputTokens += served.input
        entry.record.outputTokens += served.output
        await save(entry.record)
        live.withLock { _ = $0.removeValue(forKey: id) }
        publish(entry.record)
        logger.warning("deployment stopped", metadata: [
            "deployment": "\(id)", "state": "\(state.rawValue)", "reason": "\(reason)", "by": "\(actor)",
            "gpu_cost": "\(entry.record.accrual.charged)",
        ])
        return entry.record
    }

    /// SIGTERM to the group, up to `grace` for it to go, then SIGKILL; returns the leader's exit
    /// when this process could collect it.
    static func stopGroup(_ group: ProcessGroup, grace: Duration) async -> String? {
        var exit = group.reap()
        if grace > .zero {
            group.signal(SIGTERM)
            let deadline = ContinuousClock.now + grace
            while ContinuousClock.now < deadline {
                exit = exit ?? group.reap()
                if group.livingMembers.isEmpty { return exit }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        group.signal(SIGKILL)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            exit = exit ?? group.reap()
            if group.livingMembers.isEmpty { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exit ?? group.reap()
    }

    /// At start: adopts the deployments of this host whose engine still runs (same pid, same
    /// start time), marks the others lost. The hold a previous run left open was charged in full
    /// by the enforcer's recovery (or will be when it expires), so accrual goes on from its end.
    public func adopt() async throws {
        let budgets = try await store.budgets(tenantID: nil)
        for var record in try await store.deployments(tenantID: nil) where record.state.isLive && record.host == host {
            record.accrual.openHoldChargedInFull()
            let group = record.pid.map(ProcessGroup.init(pid:))
            let alive = group.map { $0.leaderAlive && $0.startTicks == record.processStartTicks } ?? false
            guard alive, let budget = budgets.first(where: { $0.id == record.budgetID }) else {
                record.state = .lost
                record.endedAt = clock.nowMillis()
                record.killReason = "engine_gone_while_server_down"
                record.killedBy = "sentinel"
                try await store.upsertDeployment(record)
                publish(record)
                logger.warning("a deployment's engine is gone; marked lost, charging stopped", metadata: ["deployment": "\(record.id)"])
                continue
            }
            try await store.upsertDeployment(record)
            live.withLock { $0[record.id] = Live(record: record, budget: budget, group: group) }
            publish(record)
            logger.info("adopted a running deployment", metadata: ["deployment": "\(record.id)", "pid": "\(record.pid ?? 0)"])
        }
    }
}
