/// The UTF-8 byte count of the text inside a provider content value, whatever its shape.
///
/// Decodes leniently: a string; an array of parts; or one part, where a part is an object whose
/// `text` string counts and whose `content` / `parts` values are measured recursively. That covers
/// OpenAI message content, Responses `input` items, Anthropic content blocks (and `tool_result`
/// content) and Gemini `contents` / `systemInstruction`. Anything else counts as zero.
struct TextBytes: Decodable, Sendable {
    var count: Int

    init(count: Int = 0) {
        self.count = count
    }

    private struct Part: Decodable {
        var count = 0

        private enum CodingKeys: String, CodingKey {
            case text, content, parts
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let text = try? container.decodeIfPresent(String.self, forKey: .text) { count += text.utf8.count }
            if let content = try? container.decodeIfPresent(TextBytes.self, forKey: .content) { count += content.count }
            if let parts = try? container.decodeIfPresent(TextBytes.self, forKey: .parts) { count += parts.count }
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            count = 0
        } else if let text = try? container.decode(String.self) {
            count = text.utf8.count
        } else if let parts = try? container.decode([Part].self) {
            count = parts.reduce(0) { $0 + $1.count }
        } else if let part = try? container.decode(Part.self) {
            count = part.count
        } else {
            count = 0
        }
    }
}
