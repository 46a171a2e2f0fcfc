/// Splits a streamed top-level JSON array into its elements' bytes, tracking only nesting depth and
/// string state, so it works across arbitrary chunk boundaries.
struct JSONArraySplitter: Sendable {
    let maximumElementBytes: Int
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var element: [UInt8] = []
    private var elementTooLarge = false
    private(set) var sawEnd = false
    private(set) var skippedElements = 0
    /// The last structural byte outside the elements: `[`, `,`, the `}` or `]` that closed an
    /// element, or the final `]`; nil before the array opened.
    private(set) var lastTopLevelByte: UInt8?

    init(maximumElementBytes: Int) {
        self.maximumElementBytes = maximumElementBytes
    }

    /// Bytes of the element still open (they end the input seen so far); 0 between elements, and
    /// for an element too large to keep.
    var unfinishedElementBytes: Int { depth >= 2 && !elementTooLarge ? element.count : 0 }

    mutating func reset() {
        depth = 0
        inString = false
        escaped = false
        element = []
        elementTooLarge = false
    }

    /// Scans `bytes` and calls `emit` with each element completed in them.
    mutating func append(_ bytes: UnsafeRawBufferPointer, emit: ([UInt8]) -> Void) {
        var elementStart: Int? = depth >= 2 ? 0 : nil
        for index in bytes.indices {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth == 1 { lastTopLevelByte = byte }
                if depth == 2 { elementStart = index }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth <= 1 { lastTopLevelByte = byte }
                if depth == 1, let start = elementStart {
                    keep(UnsafeRawBufferPointer(rebasing: bytes[start...index]))
                    if elementTooLarge { skippedElements += 1 } else { emit(element) }
                    element.removeAll(keepingCapacity: true)
                    elementTooLarge = false
                    elementStart = nil
                } else if depth == 0 {
                    sawEnd = true
                }
                depth = max(depth, 0)
            case UInt8(ascii: ","):
                if depth == 1 { lastTopLevelByte = byte }
            default:
                break
            }
        }
        if let start = elementStart, depth >= 2 {
            keep(UnsafeRawBufferPointer(rebasing: bytes[start...]))
        }
    }

    private mutating func keep(_ bytes: UnsafeRawBufferPointer) {
        guard !elementTooLarge else { return }
        guard element.count + bytes.count <= maximumElementBytes else {
            elementTooLarge = true
            element.removeAll()
            return
        }
        element.append(contentsOf: bytes)
    }
}
