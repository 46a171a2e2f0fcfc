import SpendwallStorage
import Synchronization

/// The kill switch's hold on one stream being relayed: set once, by whichever block reaches it
/// first, and read by the relay to end the stream with the reason.
final class StreamCut: Sendable {
    private let block = Mutex<BlockRecord?>(nil)

    /// Records the block; false if the stream was already cut.
    func set(_ record: BlockRecord) -> Bool {
        block.withLock { current in
            guard current == nil else { return false }
            current = record
            return true
        }
    }

    /// The block that cut the stream, if any.
    var by: BlockRecord? { block.withLock { $0 } }
}
