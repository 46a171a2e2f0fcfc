/// String tokens that mark a request part whose token cost cannot be bounded from its byte size
/// (an image URL is short; the image costs many tokens).
///
/// The check is conservative: any string token, key or value, equal to one of these names counts,
/// so a prompt that merely contains the JSON string `"image"` is treated as media.
enum MediaTokens {
    static let names: [[UInt8]] = [
        "image_url", "input_image", "input_audio", "input_file", "image", "image_file", "audio", "video",
        "video_url", "document", "file", "file_data", "fileData", "inline_data", "inlineData",
    ].map { Array($0.utf8) }

    private static let shortest = names.map(\.count).min() ?? 0
    private static let longest = names.map(\.count).max() ?? 0

    /// True when the string token whose content is `range` names a media part. Escaped tokens are
    /// decoded first, so `"\u0069mage"` is caught too.
    static func matches(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, hasEscapes: Bool) -> Bool {
        if hasEscapes {
            // An escape can only shorten the text: 6 bytes per `\uXXXX` become 1.
            guard range.count <= longest * 6 else { return false }
            let decoded = Array(JSONText.unescape(bytes, range).utf8)
            return names.contains(decoded)
        }
        guard range.count >= shortest, range.count <= longest else { return false }
        let token = UnsafeRawBufferPointer(rebasing: bytes[range])
        return names.contains { $0.count == token.count && $0.elementsEqual(token) }
    }
}
