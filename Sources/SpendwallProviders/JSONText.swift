import SpendwallCore

/// Decoding of the few scalar JSON tokens the peek reads, straight from body bytes.
enum JSONText {
    /// The bytes in `range` as a string (no escapes present).
    static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Decodes a string token's content (the bytes between the quotes), resolving escapes.
    /// Lone surrogates become U+FFFD. The content must already have passed the scanner.
    static func unescape(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                let decoded = Unicode.Scalar(escapedScalar(bytes, at: &index, end: range.upperBound)) ?? "\u{FFFD}"
                out.append(contentsOf: String(Character(decoded)).utf8)
            default: out.append(escaped)  // " \ /
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The UTF-8 length of a string token's content once its escapes are resolved, exactly as
    /// `unescape` would produce it, without building the string.
    static func unescapedByteCount(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        var count = 0
        var index = range.lowerBound
        while index < range.upperBound {
            guard bytes[index] == UInt8(ascii: "\\") else {
                count += 1
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            index += 2
            guard escaped == UInt8(ascii: "u") else {
                count += 1
                continue
            }
            let scalar = escapedScalar(bytes, at: &index, end: range.upperBound)
            // Lone surrogates become U+FFFD (3 bytes), as in `unescape`.
            let length = switch scalar {
            case 0..<0x80: 1
            case 0x80..<0x800: 2
            case 0xD800...0xDFFF, 0x800..<0x10000: 3
            default: 4
            }
            count += length
        }
        return count
    }

    /// The code point of the `\\uXXXX` escape whose hex digits start at `index` (a surrogate pair
    /// when a low surrogate escape follows), moving `index` past it. A lone surrogate is returned
    /// as is; callers turn it into U+FFFD.
    private static func escapedScalar(_ bytes: UnsafeRawBufferPointer, at index: inout Int, end: Int) -> UInt32 {
        var scalar = hex4(bytes, at: index)
        index += 4
        if (0xD800...0xDBFF).contains(scalar), index + 6 <= end,
           bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
            let low = hex4(bytes, at: index + 2)
            if (0xDC00...0xDFFF).contains(low) {
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                index += 6
            }
        }
        return scalar
    }

    /// The value of a hexadecimal digit, or nil.
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 4 | (hexValue(bytes[index + $1]) ?? 0) }
    }

    /// Parses an integer token (`-?[0-9]+`), saturating at the bounds of `Int64`.
    static func int64(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64 {
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value: Int64 = 0
        while index < range.upperBound {
            let digit = Int64(bytes[index] - UInt8(ascii: "0"))
            value = value.saturatingMultiplied(by: 10).saturatingAdding(negative ? -digit : digit)
            index += 1
        }
        return value
    }
}
