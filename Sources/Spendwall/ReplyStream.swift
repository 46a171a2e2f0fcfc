import Foundation
import SpendwallCore
import SpendwallProviders

/// Turns a metered event stream into text deltas and a final `.finished`.
enum ReplyStream {
    static func deltas(
        _ items: AsyncThrowingStream<MeteredStream.Item, any Error>,
        text: @escaping @Sendable ([String: Any], String?) -> String?
    ) -> AsyncThrowingStream<ReplyDelta, any Error> {
        let (deltas, continuation) = AsyncThrowingStream<ReplyDelta, any Error>.makeStream()
        let task = Task {
            do {
                for try await item in items {
                    switch item {
                    case .chunk(_, let events):
                        for event in events where !event.data.isEmpty && event.data != "[DONE]" {
                            guard let object = (try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) as? [String: Any] else { continue }
                            if let piece = text(object, event.event), !piece.isEmpty { continuation.yield(.text(piece)) }
                        }
                    case .settled(let usage, let cost):
                        continuation.yield(.finished(usage: usage, cost: cost))
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return deltas
    }
}
