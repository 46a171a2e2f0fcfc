#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// Runs Swift concurrency's global (generic) executor on NIO's event loops.
///
/// NIO's own `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()` runs
/// each job *as the event loop's serial executor*. The runtime then believes every task is
/// isolated to that executor, so each entry into a nonisolated `async` function (which must run
/// on the generic executor) cannot continue in place: it is enqueued back onto the loop and run
/// on a later tick. A proxied request took ~80 such round trips through the loop's queue.
///
/// Here a job runs as the generic executor on the loop's thread, as it would on the cooperative
/// pool: switches between nonisolated functions continue in place, tasks still never leave the
/// event-loop threads, and code isolated to an event loop's executor still hops to it as usual.
public enum EventLoopGlobalExecutor {
    private typealias EnqueueHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// The generic executor: the runtime represents it as a null executor reference.
    private static let generic = unsafeBitCast((Int(0), Int(0)), to: UnownedSerialExecutor.self)

    /// Installs the hook. Call once, on the main thread, before any task runs; returns false
    /// (changing nothing) when the runtime has no hook or another one is installed.
    public static func install() -> Bool {
        guard MemoryLayout<UnownedSerialExecutor>.size == MemoryLayout<(Int, Int)>.size,
              let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return false }
        let slot = symbol.assumingMemoryBound(to: UnsafeRawPointer?.self)
        guard slot.pointee == nil else { return false }
        let hook: EnqueueHook = { job, _ in
            // `any()` is sticky: on one of the group's loops it returns that loop, so a task
            // stays on its thread.
            MultiThreadedEventLoopGroup.singleton.any().execute {
                swiftJobRun(job, EventLoopGlobalExecutor.generic)
            }
        }
        slot.pointee = unsafeBitCast(hook, to: UnsafeRawPointer.self)
        return true
    }

    /// Lets every task ready to run on this event loop run first, then resumes: what
    /// `Task.yield()` does on the cooperative pool. (`Task.yield()` itself would hand a task
    /// running as the generic executor to Dispatch's pool, off the event loops.) Off the event loops
    /// (the hook not installed, as in tests) it is `Task.yield()`.
    public static func yield() async {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return await Task.yield() }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            loop.execute { continuation.resume() }
        }
    }
}

/// The runtime's entry that runs a job on an executor (what `UnownedJob.runSynchronously` calls).
@_silgen_name("swift_job_run")
private func swiftJobRun(_ job: UnownedJob, _ executor: UnownedSerialExecutor)
