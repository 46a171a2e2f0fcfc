import Synchronization

/// Work registered to run before the `terminate` strategy exits the process.
final class Cleanups: Sendable {
    private let actions = Mutex<[@Sendable () async -> Void]>([])

    func add(_ action: @escaping @Sendable () async -> Void) {
        actions.withLock { $0.append(action) }
    }

    /// Runs every registered action once, in the order registered.
    func runAll() async {
        let all = actions.withLock { actions in
            defer { actions.removeAll() }
            return actions
        }
        for action in all { await action() }
    }
}
