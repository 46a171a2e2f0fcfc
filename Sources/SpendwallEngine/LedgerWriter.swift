import ServiceLifecycle
import Synchronization

/// Writes ledger rows after the answer has gone out. On a shared store (PostgreSQL) a settlement
/// is a round trip to the database that the client need not wait for: the charge is decided (and
/// shown in `x-spendwall-decision`) before the answer leaves; the durable row follows it. Until
/// the row lands the hold stays in the database at its full amount, so budgets only err on the
/// side of refusing.
///
/// Rows are written in batches (``LedgerBatches``): at most ``writers`` statements in flight, each
/// carrying every row that arrived while the others were busy, so that under load each budget
/// window is locked and updated once per batch instead of once per row. Each row is written
/// exactly once (a failed batch is queued and retried like any other write). On graceful
/// shutdown the service returns only when every row handed over is in the store or queued; after
/// that, `settle` writes rows itself. Run it after the data plane in the service group's shutdown
/// order (before it in the list), so streams draining at shutdown are still written. Should the
/// process die before a row lands, its hold expires and is charged in full by any replica, once.
public struct LedgerWriter: Service {
    /// Settlement statements in flight at once.
    static let writers = 2
    /// The most rows one statement carries.
    static let batchSize = 256

    let enforcer: Enforcer

    public init(enforcer: Enforcer) {
        self.enforcer = enforcer
    }

    public func run() async {
        guard let rows = enforcer.startDeferring() else { return }
        let batches = Batches(LedgerBatches(writers: Self.writers, batchSize: Self.batchSize))
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await entry in rows {
                    guard batches.state.withLock({ $0.add(entry) }) else { continue }
                    group.addTask {
                        while let batch = batches.state.withLock({ $0.next() }) {
                            await enforcer.writeHandedOver(batch)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            enforcer.stopDeferring()
        }
        enforcer.stopDeferring()
    }

    private final class Batches: Sendable {
        let state: Mutex<LedgerBatches>
        init(_ batches: LedgerBatches) { state = Mutex(batches) }
    }
}
