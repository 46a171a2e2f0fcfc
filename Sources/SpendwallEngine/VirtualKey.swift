import Crypto
import Foundation

/// Spendwall's data-plane API keys: `sw-` + 43 base62 characters of 32 random bytes + a 4-character
/// checksum. The checksum lets the gateway refuse a mistyped key without a lookup; only the SHA-256
/// of the whole key is ever stored.
///
/// ```swift
/// let key = VirtualKey.generate()
/// key.secret      // "sw-4fQ…Zk2a" — shown once
/// key.secretHash  // stored
/// ```
public struct VirtualKey: Sendable, Hashable {
    /// The full key. Shown to the operator once, never stored or logged.
    public let secret: String

    /// The prefix every key carries.
    public static let prefix = "sw-"
    static let bodyLength = 43
    static let checksumLength = 4
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    /// `isAlphabetByte[b]` is true when byte `b` is a base62 digit (a table: this runs per request).
    static let isAlphabetByte: [Bool] = (0..<256).map { alphabet.contains(UInt8($0)) }

    /// Makes a new random key from 32 bytes of system randomness.
    public static func generate() -> VirtualKey {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = generator.next() }
        let body = base62(bytes, length: bodyLength)
        return VirtualKey(secret: prefix + body + checksum(of: body))
    }

    /// Accepts a presented key only if its shape and checksum are right.
    public init?(presented: String) {
        let utf8 = presented.utf8
        guard utf8.count == Self.prefix.utf8.count + Self.bodyLength + Self.checksumLength,
              presented.hasPrefix(Self.prefix) else { return nil }
        let rest = presented.dropFirst(Self.prefix.count)
        let body = String(rest.prefix(Self.bodyLength))
        let sum = String(rest.suffix(Self.checksumLength))
        guard body.utf8.allSatisfy({ Self.isAlphabetByte[Int($0)] }), Self.checksum(of: body) == sum else { return nil }
        self.secret = presented
    }

    private init(secret: String) {
        self.secret = secret
    }

    /// Lowercase hex SHA-256 of the key: what the store keeps.
    public var secretHash: String { Self.hash(secret) }

    /// A hint that identifies the key without revealing it: `sw-…` and the last four characters.
    public var hint: String { Self.prefix + "…" + String(secret.suffix(4)) }

    /// Lowercase hex SHA-256 of any string.
    public static func hash(_ text: String) -> String {
        hex(digest(of: text))
    }

    /// SHA-256 of the UTF-8 of `parts`, hashed in place (no copy into `Data`).
    private static func digest(of parts: String...) -> SHA256.Digest {
        var hasher = SHA256()
        for var part in parts {
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return hasher.finalize()
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of a digest, built in one allocation (it runs on every request).
    static func hex(_ digest: some Sequence<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func checksum(of body: String) -> String {
        base62(Array(digest(of: "spendwall:", body).prefix(8)), length: checksumLength)
    }

    /// Big-endian base62 of `bytes`, left-padded or truncated to `length` characters.
    static func base62(_ bytes: [UInt8], length: Int) -> String {
        var number = bytes
        var digits: [UInt8] = []
        while number.contains(where: { $0 != 0 }) && digits.count < length {
            var remainder = 0
            for index in number.indices {
                let value = remainder * 256 + Int(number[index])
                number[index] = UInt8(value / 62)
                remainder = value % 62
            }
            digits.append(alphabet[remainder])
        }
        while digits.count < length { digits.append(alphabet[0]) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}

/// SHA-256 of arbitrary bytes, as lowercase hex.
public enum ContentDigest {
    public static func sha256Hex(_ data: Data) -> String {
        VirtualKey.hex(SHA256.hash(data: data))
    }
}
