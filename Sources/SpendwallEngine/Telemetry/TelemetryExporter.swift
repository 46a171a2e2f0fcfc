import Foundation
import Logging
import ServiceLifecycle
import SpendwallStorage

/// Exports every ledger event to the configured sinks, at least once and in ledger order: the
/// ledger is the outbox, and each sink's cursor (stored with the ledger) moves only after the sink
/// took the batch. A failed batch is retried with doubling waits (up to a minute) and nothing
/// after it goes first; after a restart each sink goes on from its cursor, so nothing is lost.
public struct TelemetryExporter: Service {
    /// Delivers one batch of JSON lines; throws when the sink did not take it.
    public typealias Deliver = @Sendable (_ sink: TelemetrySettings.Sink, _ lines: [String]) async throws -> Void

    let store: any SpendStore
    let settings: TelemetrySettings
    let clock: any WallClock
    let deliver: Deliver
    let logger: Logger
    /// Rows finished this recently wait, so rows committed a little later (other replicas) are
    /// not passed by the cursor.
    static let settleMillis: Int64 = 2_000

    public init(store: any SpendStore, settings: TelemetrySettings, clock: any WallClock, logger: Logger, deliver: @escaping Deliver) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.deliver = deliver
        self.logger = logger
    }

    public func run() async throws {
        guard !settings.sinks.isEmpty else {
            // Nothing to export; a service that returned would end the whole group.
            try? await gracefulShutdown()
            return
        }
        let interval = Duration.milliseconds(Int64(settings.flushIntervalSeconds * 1000))
        var waits: [String: (until: ContinuousClock.Instant, backoff: Duration)] = [:]
        while !Task.isCancelled {
            for sink in settings.sinks {
                if let wait = waits[sink.name], ContinuousClock.now < wait.until { continue }
                do {
                    while try await exportBatch(sink) {}
                    waits[sink.name] = nil
                } catch {
                    let backoff = min((waits[sink.name]?.backoff ?? .milliseconds(250)) * 2, .seconds(60))
                    waits[sink.name] = (ContinuousClock.now + backoff, backoff)
                    logger.warning("a telemetry sink did not take a batch; it is retried", metadata: ["sink": "\(sink.name)", "error": "\(error)"])
                }
            }
            if Task.isShuttingDownGracefully { return }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                // One last pass exports what settled before the shutdown.
                for sink in settings.sinks { _ = try? await exportBatch(sink) }
                return
            }
        }
    }

    /// Sends the next batch of a sink and moves its cursor; false when there was nothing to send.
    @discardableResult
    public func exportBatch(_ sink: TelemetrySettings.Sink) async throws -> Bool {
        let cursor = try await store.exportCursor(sink: sink.name)
        let rows = try await store.ledgerRows(after: cursor, finishedBefore: clock.nowMillis() - Self.settleMillis, limit: sink.batch ?? 100)
        guard let last = rows.last else { return false }
        try await deliver(sink, rows.map { TelemetryEvent.json($0.entry) })
        try await store.setExportCursor(sink: sink.name, position: last.position)
        return true
    }
}

/// A JSON-lines file, rotated past `max_bytes`: `events.jsonl` → `events.jsonl.1` → … up to `keep`.
public enum JSONLinesSink {
    public static func append(_ lines: [String], to path: String, maxBytes: Int64?, keep: Int?) throws {
        let manager = FileManager.default
        let url = URL(fileURLWithPath: path)
        try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let maxBytes, let size = (try? manager.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value, size >= maxBytes {
            let keep = max(1, keep ?? 5)
            try? manager.removeItem(atPath: "\(path).\(keep)")
            for index in stride(from: keep - 1, through: 1, by: -1) where manager.fileExists(atPath: "\(path).\(index)") {
                try manager.moveItem(atPath: "\(path).\(index)", toPath: "\(path).\(index + 1)")
            }
            try manager.moveItem(atPath: path, toPath: "\(path).1")
        }
        if !manager.fileExists(atPath: path) { _ = manager.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
        try handle.synchronize()
    }
}
