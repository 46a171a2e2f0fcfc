import Crypto

/// The signature every alert webhook request carries in `x-spendwall-signature`:
/// `sha256=` + the lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the webhook's
/// secret. Receivers recompute it over the raw body and compare in constant time.
public enum WebhookSignature {
    public static let headerName = "x-spendwall-signature"

    public static func sign(body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in code { hex.append(digits[Int(byte >> 4)]); hex.append(digits[Int(byte & 0x0F)]) }
        return "sha256=" + String(decoding: hex, as: UTF8.self)
    }
}
