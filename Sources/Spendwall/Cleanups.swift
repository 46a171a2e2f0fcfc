import Synchronization

/// Work registered to run before the `terminate` strategy exits the process.
final class Cleanups: Sendable {
    /// Each action in a box of its own: closures kept directly in the generic `Mutex` were
    /// miscompiled in release builds.
    final class Action: Sendable {
        let run: @Sendable () async -> Void
        init(_ run: @escaping @Sendable () async -> Void) { self.run = run }
    }

    private let actions = Mutex<[Action]>([])

    func add(_ action: @escaping @Sendable () async -> Void) {
        actions.withLock { $0.append(Action(action)) }
    }

    /// Runs every registered action once, in the order registered.
    func runAll() async {
        let all = actions.withLock { actions in
            defer { actions.removeAll() }
            return actions
        }
        for action in all { await action.run() }
    }
}
