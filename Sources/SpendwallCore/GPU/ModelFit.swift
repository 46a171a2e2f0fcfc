/// Whether a model's weights fit on a GPU, at the precisions engines commonly load them in.
///
/// Weights take `parameters × bytes per parameter` (fp16/bf16: 2, int8: 1, int4: 0.5). The
/// engine also needs room for the KV cache, activations and the CUDA context: a model is said to
/// fit when its weights use at most ``usableShare`` of the GPUs' memory, leaving the rest as
/// headroom (vLLM reserves 90 % of the memory by default and fills what the weights leave with
/// KV cache).
public enum ModelFit {
    public enum Precision: String, Sendable, Hashable, Codable, CaseIterable {
        case fp16, int8, int4

        /// Bytes per parameter, in tenths (int4 is half a byte).
        var tenthsOfByte: Int64 {
            switch self {
            case .fp16: 20
            case .int8: 10
            case .int4: 5
            }
        }
    }

    /// The share of GPU memory the weights may use; the rest is KV-cache headroom.
    public static let usableShare = 0.70

    /// Weight memory in GiB for `parameters` at `precision`.
    public static func weightsGiB(parameters: Int64, precision: Precision) -> Double {
        Double(parameters) * Double(precision.tenthsOfByte) / 10 / 1_073_741_824
    }

    /// The fewest GPUs of `memoryGiB` each that hold the weights with headroom, among 1, 2, 4
    /// and 8 (tensor parallelism); nil when even 8 do not.
    public static func gpusNeeded(parameters: Int64, precision: Precision, memoryGiB: Double) -> Int? {
        let weights = weightsGiB(parameters: parameters, precision: precision)
        return [1, 2, 4, 8].first { weights <= Double($0) * memoryGiB * usableShare }
    }

    /// Reads a parameter count: `7b`, `1.1B`, `70B`, `560m`, `8000000000`; or from a model name
    /// with a size in it, such as `TinyLlama/TinyLlama-1.1B-Chat-v1.0` or `Qwen2.5-7B-Instruct`.
    /// Nil when there is no unambiguous size in it.
    public static func parameters(from text: String) -> Int64? {
        if let plain = Int64(text), plain > 0 { return plain }
        let lowered = text.lowercased()
        let name = lowered.split(separator: "/").last.map(String.init) ?? lowered
        let pieces = name.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " || $0 == ":" })
        var found: [Int64] = []
        for piece in pieces {
            guard let unit = piece.last, unit == "b" || unit == "m" || unit == "t" else { continue }
            let number = piece.dropLast()
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), number.filter({ $0 == "." }).count <= 1,
                  let value = scaled(String(number), unit: unit) else { continue }
            found.append(value)
        }
        return found.count == 1 ? found[0] : nil
    }

    /// `1.1` with unit `b` → 1,100,000,000, exactly (no floating point).
    static func scaled(_ number: String, unit: Character) -> Int64? {
        let scale: Int64 = unit == "t" ? 1_000_000_000_000 : unit == "b" ? 1_000_000_000 : 1_000_000
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])) else { return nil }
        var value = whole.saturatingMultiplied(by: scale)
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 9, let fraction = Int64(digits) else { return nil }
            var divisor: Int64 = 1
            for _ in 0..<digits.count { divisor *= 10 }
            value = value.saturatingAdding(fraction.saturatingMultiplied(by: scale) / divisor)
        }
        return value > 0 ? value : nil
    }
}
