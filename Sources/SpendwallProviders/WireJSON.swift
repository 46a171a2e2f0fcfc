import Foundation

/// Decoding of small provider JSON fragments into the `Decodable` wire shapes.
enum WireJSON {
    /// Decodes `text`, or nil when it is not a `T`.
    static func decode<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Decodes the bytes, or nil when they are not a `T`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) -> T? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        return try? JSONDecoder().decode(type, from: data)
    }
}

/// `max(0, value)`: provider counts are never negative after normalisation.
@inline(__always)
func nonNegative(_ value: Int64) -> Int64 { max(0, value) }
