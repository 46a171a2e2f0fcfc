public import NIOCore

/// Splits a `text/event-stream` body into events, following the WHATWG parsing rules.
///
/// Feed chunks as they arrive; chunk boundaries may fall anywhere, even between the `\r` and `\n`
/// of a line break. Lines may end in `\n`, `\r\n` or `\r`; `data:` lines of one event are joined
/// by `"\n"`; `:` comment lines are skipped for parsing but kept in ``SSEEvent/raw``, and blocks
/// made only of comments come back as keep-alive events so they can be forwarded.
///
/// ```swift
/// var framer = SSEFramer()
/// for event in framer.append(chunk) { forward(event.raw) }
/// for event in framer.finish() { forward(event.raw) }
/// ```
///
/// Events are slices of the received chunks; bytes are copied only when an event spans chunks.
public struct SSEFramer: Sendable {
    /// Bytes of the event being assembled; the reader index is the event's first byte.
    private var pending = ByteBuffer()
    /// Offset from the reader index of the first line not yet parsed.
    private var parsedUpTo = 0
    private var fields = FieldState()

    /// Creates a framer at the start of a stream.
    public init() {}

    /// Whether bytes of an event not yet complete are waiting for the rest.
    public var hasPendingBytes: Bool { pending.readableBytes > 0 }

    /// Adds received bytes and returns the events they complete, in order.
    public mutating func append(_ chunk: ByteBuffer) -> [SSEEvent] {
        guard chunk.readableBytes > 0 else { return [] }
        if pending.readableBytes == 0 {
            pending = chunk
        } else {
            var chunk = chunk
            pending.writeBuffer(&chunk)
        }
        return drain(atEnd: false)
    }

    /// Ends the stream: returns the events still pending, including trailing bytes without a
    /// terminating blank line as an event with `isComplete == false`.
    public mutating func finish() -> [SSEEvent] {
        var events = drain(atEnd: true)
        if pending.readableBytes > 0 {
            events.append(fields.makeEvent(raw: pending, isComplete: false))
        }
        pending = ByteBuffer()
        parsedUpTo = 0
        fields = FieldState()
        return events
    }

    private mutating func drain(atEnd: Bool) -> [SSEEvent] {
        let buffer = pending
        var fields = self.fields
        var boundaries: [(end: Int, event: SSEEvent)] = []
        let lineStart = buffer.withUnsafeReadableBytes { bytes -> Int in
            var lineStart = parsedUpTo
            var index = parsedUpTo
            while index < bytes.count {
                let byte = bytes[index]
                guard byte == 0x0A || byte == 0x0D else {
                    index += 1
                    continue
                }
                var lineEnd = index + 1
                if byte == 0x0D {
                    if index + 1 < bytes.count {
                        if bytes[index + 1] == 0x0A { lineEnd += 1 }
                    } else if !atEnd {
                        break  // a "\n" may follow in the next chunk
                    }
                }
                let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<index])
                if line.isEmpty {
                    let eventStart = boundaries.last?.end ?? 0
                    let raw = buffer.getSlice(at: buffer.readerIndex + eventStart, length: lineEnd - eventStart)!
                    boundaries.append((lineEnd, fields.makeEvent(raw: raw, isComplete: true)))
                    fields = FieldState()
                } else {
                    fields.parse(line: line)
                }
                lineStart = lineEnd
                index = lineEnd
            }
            if atEnd, lineStart < bytes.count {
                fields.parse(line: UnsafeRawBufferPointer(rebasing: bytes[lineStart...]))
                lineStart = bytes.count
            }
            return lineStart
        }
        self.fields = fields
        let consumed = boundaries.last?.end ?? 0
        pending.moveReaderIndex(forwardBy: consumed)
        parsedUpTo = lineStart - consumed
        if pending.readableBytes == 0 { pending = ByteBuffer() }
        return boundaries.map(\.event)
    }
}

/// The fields of the event being parsed.
private struct FieldState: Sendable {
    var event: String?
    var data: [UInt8] = []
    var sawData = false

    mutating func parse(line: UnsafeRawBufferPointer) {
        var line = line
        // A UTF-8 byte order mark may precede the first field of a stream.
        if line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
            line = UnsafeRawBufferPointer(rebasing: line[3...])
        }
        guard let first = line.first, first != UInt8(ascii: ":") else { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
        let name = UnsafeRawBufferPointer(rebasing: line[0..<colon])
        var valueStart = min(colon + 1, line.count)
        if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart...])
        if name.elementsEqual("data".utf8) {
            if sawData { data.append(0x0A) }
            data.append(contentsOf: value)
            sawData = true
        } else if name.elementsEqual("event".utf8) {
            event = String(decoding: value, as: UTF8.self)
        }
        // `id` and `retry` do not matter to the gateway; unknown fields are ignored.
    }

    func makeEvent(raw: ByteBuffer, isComplete: Bool) -> SSEEvent {
        SSEEvent(raw: raw, event: event, data: String(decoding: data, as: UTF8.self), isComplete: isComplete)
    }
}
