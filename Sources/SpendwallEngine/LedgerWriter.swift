import ServiceLifecycle

/// Writes ledger rows after the answer has gone out. On a shared store (PostgreSQL) a settlement
/// is a round trip to the database that the client need not wait for: the charge is decided (and
/// shown in `x-spendwall-decision`) before the answer leaves; the durable row follows it. Until
/// the row lands the hold stays in the database at its full amount, so budgets only err on the
/// side of refusing.
///
/// Rows are written concurrently, each exactly once (a failed write is queued and retried like
/// any other). On graceful shutdown the service returns only when every row handed over is in the
/// store or queued; after that, `settle` writes rows itself. Run it after the data plane in the
/// service group's shutdown order (before it in the list), so streams draining at shutdown are
/// still written. Should the process die before a row lands, its hold expires and is charged in
/// full by any replica, once.
public struct LedgerWriter: Service {
    let enforcer: Enforcer

    public init(enforcer: Enforcer) {
        self.enforcer = enforcer
    }

    public func run() async {
        guard let rows = enforcer.startDeferring() else { return }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await entry in rows {
                    group.addTask { await enforcer.write(entry, counted: true) }
                }
            }
        } onGracefulShutdown: {
            enforcer.stopDeferring()
        }
        enforcer.stopDeferring()
    }
}
