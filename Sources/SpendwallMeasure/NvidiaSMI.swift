/// One GPU's line of `nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,power.draw
/// --format=csv,noheader,nounits`. Fields the driver reports as `[N/A]`, `N/A` or
/// `[Not Supported]` are `nil`.
public struct GPUReading: Sendable, Hashable {
    /// The GPU's index.
    public var index: Int
    /// The product name, e.g. `NVIDIA H100 80GB HBM3`.
    public var name: String
    /// Utilization, percent.
    public var utilizationPercent: Double?
    /// Memory in use, MiB.
    public var memoryUsedMiB: Double?
    /// Memory on the board, MiB.
    public var memoryTotalMiB: Double?
    /// Power draw, watts.
    public var powerDrawWatts: Double?

    /// Creates a reading.
    public init(index: Int, name: String, utilizationPercent: Double?, memoryUsedMiB: Double?, memoryTotalMiB: Double?, powerDrawWatts: Double?) {
        self.index = index
        self.name = name
        self.utilizationPercent = utilizationPercent
        self.memoryUsedMiB = memoryUsedMiB
        self.memoryTotalMiB = memoryTotalMiB
        self.powerDrawWatts = powerDrawWatts
    }
}

/// Why an `nvidia-smi` output line could not be read.
public struct NvidiaSMIParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// What is wrong with it.
    public var message: String
    /// `nvidia-smi line N: message`.
    public var description: String { "nvidia-smi line \(line): \(message)" }
}

/// The reader of `nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,power.draw
/// --format=csv,noheader,nounits` output (the CLI runs the command; this only reads its text).
public enum NvidiaSMI {
    /// The `--query-gpu` field list this reader expects, in order.
    public static let queryFields = "index,name,utilization.gpu,memory.used,memory.total,power.draw"

    /// Parses one invocation's output: one GPU per non-empty line.
    public static func parse(_ text: String) throws(NvidiaSMIParseError) -> [GPUReading] {
        var readings: [GPUReading] = []
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = rawLine.trimmingCharacters(" \t\r")
            if line.isEmpty { continue }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(" \t") }
            // A product name never holds a comma today; if one ever does, rejoin the middle fields.
            if fields.count > 6 { fields = [fields[0], fields[1..<(fields.count - 4)].joined(separator: ","), fields[fields.count - 4], fields[fields.count - 3], fields[fields.count - 2], fields[fields.count - 1]] }
            guard fields.count == 6 else {
                throw NvidiaSMIParseError(line: offset + 1, message: "expected 6 comma-separated fields (\(queryFields)), got \(fields.count)")
            }
            guard let index = Int(fields[0]) else {
                throw NvidiaSMIParseError(line: offset + 1, message: "the GPU index is not a number")
            }
            var numbers: [Double?] = []
            for (position, field) in fields[2...].enumerated() {
                if isUnavailable(field) {
                    numbers.append(nil)
                } else if let value = Double(field), value.isFinite {
                    numbers.append(value)
                } else {
                    throw NvidiaSMIParseError(line: offset + 1, message: "field \(position + 3) is not a number; was --format=csv,noheader,nounits used?")
                }
            }
            readings.append(GPUReading(
                index: index, name: fields[1], utilizationPercent: numbers[0], memoryUsedMiB: numbers[1],
                memoryTotalMiB: numbers[2], powerDrawWatts: numbers[3]
            ))
        }
        return readings
    }

    private static func isUnavailable(_ field: String) -> Bool {
        let bare = field.hasPrefix("[") && field.hasSuffix("]") ? String(field.dropFirst().dropLast()) : field
        return bare == "N/A" || bare == "Not Supported" || bare.isEmpty
    }
}

extension StringProtocol {
    /// The text without the given leading and trailing characters.
    func trimmingCharacters(_ set: String) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }
}
