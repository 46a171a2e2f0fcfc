import ServiceLifecycle

/// Periodically charges in full the holds that outlived their lifetime (a hung upstream, a
/// stream that never ended). Generic over the clock so tests drive it without sleeping.
public struct HoldReaper<C: Clock>: Service where C.Duration == Duration {
    let enforcer: Enforcer
    let interval: Duration
    let clock: C

    public init(enforcer: Enforcer, interval: Duration = .seconds(5), clock: C) {
        self.enforcer = enforcer
        self.interval = interval
        self.clock = clock
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
            } catch {
                return
            }
            await enforcer.expireOverdue()
        }
    }
}

extension HoldReaper where C == ContinuousClock {
    public init(enforcer: Enforcer, interval: Duration = .seconds(5)) {
        self.init(enforcer: enforcer, interval: interval, clock: ContinuousClock())
    }
}
