import Logging
import Synchronization
import Foundation
import SpendwallCore
import SpendwallStorage

// Paying for GPU time interval by interval, and watching the engines.
extension Sentinel {
    /// One round: for every deployment, notice an engine that ended, check a starting one's
    /// health, fold in the tokens served, and when its interval is used up charge it and hold the
    /// next, stopping the engine when the budget cannot pay for it.
    public func tick() async {
        let ids = live.withLock { $0.filter { !$0.value.stopping }.keys.sorted() }
        for id in ids { await tick(id) }
    }

    func tick(_ id: String) async {
        guard var entry = claim(id) else { return }
        let before = entry.record
        let now = clock.nowMillis()
        if let group = entry.group, !group.leaderAlive {
            let exit = group.reap() ?? "exit status unknown"
            release(entry)
            let state: DeploymentRecord.State = entry.record.state == .starting ? .failed : .exited
            await terminate(id, state: state, reason: "engine_exited", by: "sentinel", exit: exit)
            return
        }
        if entry.record.state == .starting {
            if Double(now - entry.record.createdAt) > settings.readyTimeoutSeconds * 1000 {
                release(entry)
                await terminate(id, state: .failed, reason: "not_ready", by: "sentinel")
                return
            }
            if await probe(entry.record.port, settings.healthPath) {
                entry.record.state = .running
                entry.record.readyAt = clock.nowMillis()
                logger.info("deployment is healthy", metadata: ["deployment": "\(id)", "port": "\(entry.record.port)"])
            }
        }
        let served = routes.takeServed(deploymentID: id)
        entry.record.requests += served.requests
        entry.record.inputTokens += served.input
        entry.record.outputTokens += served.output
        var exhausted = false
        if let open = entry.record.accrual.open, now >= open.through - entry.record.accrual.graceMillis {
            await settleOpenHold(&entry, at: now)
            do {
                try await placeNextHold(&entry, at: now)
            } catch {
                exhausted = true
                logger.warning("the deployment's budget cannot pay for the next interval; stopping it", metadata: [
                    "deployment": "\(id)", "error": "\(error)",
                ])
            }
        } else if entry.record.accrual.open == nil {
            do { try await placeNextHold(&entry, at: now) } catch { exhausted = true }
        }
        // Most rounds change nothing (the interval is not up, no tokens): nothing to write.
        let changed = entry.record != before
        if changed { await save(entry.record) }
        release(entry)
        if changed { publish(entry.record) }
        if exhausted { await terminate(id, state: .killed, reason: "budget_exhausted", by: "sentinel") }
    }

    /// Holds the next interval on the deployment's budget; throws the enforcer's refusal.
    func placeNextHold(_ entry: inout Live, at now: Int64, covering millis: Int64? = nil) async throws {
        let accrual = entry.record.accrual
        guard let request = millis.map({ accrual.hold(at: now, covering: $0) }) ?? accrual.nextHold(at: now) else { return }
        let reservation = try await enforcer.reserve(ReservationRequest(
            requestID: "\(entry.record.id)~g\(request.sequence)", key: attribution(entry.record), tags: [entry.budget.scope.id],
            model: ModelPrice(name: entry.record.model, provider: .openai, mode: .chat, rates: TokenRates(input: 0, output: 0)),
            endpoint: LedgerEntry.gpuTimeEndpoint, amount: request.amount, budgets: [entry.budget]
        ))
        entry.record.accrual.holdPlaced(request)
        entry.open = reservation
    }

    /// Charges the open hold for the time used up to `now` (a `gpu_time` ledger row).
    func settleOpenHold(_ entry: inout Live, at now: Int64) async {
        guard let charge = entry.record.accrual.settle(at: now) else { return }
        guard let reservation = entry.open else { return }
        entry.open = nil
        var settlement = Settlement(usage: .zero, status: .settled)
        settlement.charge = charge.amount
        await enforcer.settle(reservation, settlement)
    }

    /// The identity GPU-time rows are attributed to: the deployment, in its tenant and team.
    func attribution(_ record: DeploymentRecord) -> KeyRecord {
        KeyRecord(
            id: record.id, name: "deployment \(record.model)", secretHash: "", hint: "", tenantID: record.tenantID, teamID: record.teamID,
            userID: nil, tags: [], allowedTags: [], allowedModels: [record.model], defaultMaxOutputTokens: nil, status: .active,
            createdAt: record.createdAt, revokedAt: nil
        )
    }

    /// Tells the data plane where the deployment's model is served, and at what token price.
    func publish(_ record: DeploymentRecord) {
        let status = DeploymentStatus(deployment: record, at: clock.nowMillis())
        var reason: String?
        if !record.state.isLive {
            reason = "deployment \(record.id) of \(record.model) is \(record.state.rawValue)" + (record.killReason.map { " (\($0))" } ?? "")
                + (record.endedAt.map { " since \(ISOTime.format(millis: $0))" } ?? "")
        }
        routes.publish(DeploymentRoutes.Route(
            deploymentID: record.id, tenantID: record.tenantID, model: record.model, baseURL: "http://127.0.0.1:\(record.port)",
            state: record.state, rates: status.tokenRates, stopReason: reason
        ))
    }

    func save(_ record: DeploymentRecord) async {
        do {
            try await store.upsertDeployment(record)
        } catch {
            logger.error("could not save a deployment; retrying at the next interval", metadata: ["deployment": "\(record.id)", "error": "\(error)"])
        }
    }

    /// Takes a deployment for one caller; nil when it is gone or being stopped.
    func claim(_ id: String) -> Live? {
        live.withLock { live in
            guard var entry = live[id], !entry.stopping else { return nil }
            entry.stopping = true
            live[id] = entry
            return entry
        }
    }

    /// Puts back a claimed deployment with its changes.
    func release(_ entry: Live) {
        live.withLock { live in
            var entry = entry
            entry.stopping = false
            live[entry.record.id] = entry
        }
    }
}

/// A free loopback TCP port, picked by binding port 0.
enum FreePort {
    static func pick() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ConfigurationError(.invalidValue, "no socket for a free port: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0 else { throw ConfigurationError(.invalidValue, "could not find a free port: errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        guard named == 0 else { throw ConfigurationError(.invalidValue, "could not find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
