#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` with `posix_spawn` attributes under which a child starts as it would from a
/// shell: no signal blocked, every signal at its default action. The test process's threads
/// block most signals and `posix_spawn` hands the calling thread's mask on: a tmux server started
/// with it never saw SIGCHLD, kept its finished pane as a zombie and outlived `kill-server`, one
/// leaked server per test run.
func withCleanSpawnAttributes<T>(_ body: (inout posix_spawnattr_t) throws -> T) rethrows -> T {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    return try body(&attributes)
}
