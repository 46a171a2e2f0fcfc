import NIOCore

/// One splice into a body: the bytes in `range` are replaced by `bytes` (an empty range inserts).
struct ByteEdit: Sendable, Hashable {
    var range: Range<Int>
    var bytes: [UInt8]

    init(replacing range: Range<Int>, with bytes: [UInt8]) {
        self.range = range
        self.bytes = bytes
    }

    init(inserting bytes: [UInt8], at offset: Int) {
        self.range = offset..<offset
        self.bytes = bytes
    }

    /// Sets `key` to `value` in the object spanning `object` (`{` through `}`) whose members are
    /// `members`: replaces the value of every member named `key`, or appends the member after the
    /// last one.
    static func set(_ key: String, to value: [UInt8], in members: [JSONMember], object: Range<Int>) -> [ByteEdit] {
        let existing = members.filter { $0.key == key }
        if !existing.isEmpty { return existing.map { ByteEdit(replacing: $0.valueRange, with: value) } }
        let member = Array("\"\(key)\":".utf8) + value
        guard let last = members.last else { return [ByteEdit(inserting: member, at: object.lowerBound + 1)] }
        return [ByteEdit(inserting: [UInt8(ascii: ",")] + member, at: last.valueRange.upperBound)]
    }

    /// Copies `bytes` into a new buffer with non-overlapping `edits` (sorted by offset) applied.
    static func apply(_ edits: [ByteEdit], to bytes: UnsafeRawBufferPointer) -> ByteBuffer {
        let growth = edits.reduce(0) { $0 + $1.bytes.count }
        var out = ByteBufferAllocator().buffer(capacity: bytes.count + growth)
        var cursor = 0
        for edit in edits {
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[cursor..<edit.range.lowerBound]))
            out.writeBytes(edit.bytes)
            cursor = edit.range.upperBound
        }
        out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[cursor...]))
        return out
    }
}
