import Foundation

/// OpenAI Embeddings response shape, with deterministic vectors.
///
/// Components are multiples of 1e-6 in (-1, 1), drawn from a hash of each input. With
/// `encoding_format: "base64"` (the Python SDK's default) each vector is its little-endian
/// float32 bytes, base64-encoded.
enum EmbeddingsFormat {
    /// The vector size for `model` unless the request names `dimensions`.
    static func defaultDimensions(model: String) -> Int {
        model.contains("3-large") ? 3072 : 1536
    }

    static func response(model: String, inputs: EmbeddingsRequest.Inputs, dimensions: Int, base64: Bool) -> String {
        let inputTokens = inputs.tokenCounts
        var out = #"{"object":"list","data":["#
        out.reserveCapacity(inputTokens.count * dimensions * (base64 ? 6 : 10) + 256)
        for index in inputTokens.indices {
            if index > 0 { out += "," }
            out += #"{"object":"embedding","index":\#(index),"embedding":"#
            let vectorSeed = SimulatorHash.mix(inputs.seeds[index])
            if base64 {
                out += "\"" + base64Vector(seed: vectorSeed, dimensions: dimensions) + "\""
            } else {
                appendDecimalVector(to: &out, seed: vectorSeed, dimensions: dimensions)
            }
            out += "}"
        }
        let total = inputTokens.reduce(0, +)
        out += #"],"model":\#(JSONText.quoted(model)),"usage":{"prompt_tokens":\#(total),"total_tokens":\#(total)}}"#
        return out
    }

    /// Component `index` in millionths.
    private static func component(seed: UInt64, index: Int) -> Int {
        Int(SimulatorHash.mix(seed ^ UInt64(index)) % 1_999_999) - 999_999
    }

    private static func appendDecimalVector(to out: inout String, seed: UInt64, dimensions: Int) {
        out += "["
        for index in 0..<dimensions {
            if index > 0 { out += "," }
            let value = component(seed: seed, index: index)
            let magnitude = String(abs(value))
            out += (value < 0 ? "-0." : "0.") + String(repeating: "0", count: 6 - magnitude.count) + magnitude
        }
        out += "]"
    }

    private static func base64Vector(seed: UInt64, dimensions: Int) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(dimensions * 4)
        for index in 0..<dimensions {
            let bits = (Float(component(seed: seed, index: index)) / 1_000_000).bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }
}
