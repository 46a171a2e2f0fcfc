import ServiceLifecycle
import SpendwallStorage

/// The enforcer's upkeep, every `interval`: writes again the ledger rows the store could not
/// take, charges in full the holds that outlived their lifetime (a hung upstream, a stream that
/// never ended, a replica that died), and on a shared store refreshes the budgets' standings.
/// Generic over the clock so tests drive it without sleeping.
public struct HoldReaper<C: Clock>: Service where C.Duration == Duration {
    let enforcer: Enforcer
    let interval: Duration
    let clock: C
    /// The keys now in force, to attribute the rows of expired holds placed by other replicas.
    let keys: @Sendable () -> [String: KeyRecord]

    public init(enforcer: Enforcer, interval: Duration = .seconds(1), clock: C, keys: @escaping @Sendable () -> [String: KeyRecord] = { [:] }) {
        self.enforcer = enforcer
        self.interval = interval
        self.clock = clock
        self.keys = keys
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
            } catch {
                return
            }
            await enforcer.retryUnsettled()
            await enforcer.expireOverdue(keys: keys())
            await enforcer.refreshStandings()
        }
    }
}

extension HoldReaper where C == ContinuousClock {
    public init(enforcer: Enforcer, interval: Duration = .seconds(1), keys: @escaping @Sendable () -> [String: KeyRecord] = { [:] }) {
        self.init(enforcer: enforcer, interval: interval, clock: ContinuousClock(), keys: keys)
    }
}
