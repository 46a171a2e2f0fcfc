import Synchronization

/// Request ids: `req_` and 24 hex digits; they also name the request's hold.
///
/// The first 16 digits are a random block prefix and the last 8 count requests within the block;
/// a new random prefix starts every 2³² ids. Ids are unique without a system call per request.
enum RequestID {
    private static let state = Mutex(Block.fresh())

    private struct Block {
        var prefix: UInt64
        var next: UInt32 = 0

        static func fresh() -> Block {
            var generator = SystemRandomNumberGenerator()
            return Block(prefix: generator.next())
        }
    }

    static func make() -> String {
        let (prefix, counter) = state.withLock { block -> (UInt64, UInt32) in
            let taken = (block.prefix, block.next)
            if block.next == .max { block = .fresh() } else { block.next += 1 }
            return taken
        }
        return "req_" + hex(prefix, digits: 16) + hex(UInt64(counter), digits: 8)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
