/// A GPU model the price table knows: `nvidia-h100`, with the names users type for it.
public struct GPUModel: Sendable, Hashable, Codable {
    public var id: String
    public var displayName: String
    public var aliases: [String]
    /// Memory per GPU in GiB, as its sources state it.
    public var memoryGiB: Double
    public var source: String

    public init(id: String, displayName: String, aliases: [String], memoryGiB: Double, source: String) {
        self.id = id
        self.displayName = displayName
        self.aliases = aliases
        self.memoryGiB = memoryGiB
        self.source = source
    }
}

/// One row of the GPU price table: a provider's SKU and what it costs an hour.
public struct GPUPriceRow: Sendable, Hashable, Codable {
    public var provider: String
    public var sku: String
    /// A ``GPUModel`` id.
    public var gpuModel: String
    public var gpuCount: Int
    public var gpuMemoryGiB: Double
    public var region: String
    /// The whole SKU, per hour.
    public var onDemand: GPURate?
    public var spot: GPURate?
    public var source: String
    /// `YYYY-MM-DD`.
    public var observedOn: String
    /// Rows an operator added (owned or reserved hardware) rather than the shipped table.
    public var isOperatorRow: Bool

    public init(
        provider: String, sku: String, gpuModel: String, gpuCount: Int, gpuMemoryGiB: Double, region: String, onDemand: GPURate?,
        spot: GPURate?, source: String, observedOn: String, isOperatorRow: Bool = false
    ) {
        self.provider = provider
        self.sku = sku
        self.gpuModel = gpuModel
        self.gpuCount = gpuCount
        self.gpuMemoryGiB = gpuMemoryGiB
        self.region = region
        self.onDemand = onDemand
        self.spot = spot
        self.source = source
        self.observedOn = observedOn
        self.isOperatorRow = isOperatorRow
    }

    /// The price of one GPU-hour: the SKU's rate divided by its GPU count, rounded up.
    public func perGPU(spot: Bool) -> GPURate? {
        guard let rate = spot ? self.spot : onDemand, gpuCount > 0 else { return nil }
        let (quotient, remainder) = rate.nanodollarsPerHour.quotientAndRemainder(dividingBy: Int64(gpuCount))
        return GPURate(nanodollarsPerHour: quotient + (remainder > 0 ? 1 : 0))
    }
}

/// Why a GPU name did not resolve.
public struct GPULookupError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case unknownGPU = "unknown_gpu"
        case ambiguousGPU = "ambiguous_gpu"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// The dated, sourced GPU price table with the operator's own rows.
public struct GPUPriceTable: Sendable, Hashable {
    public var models: [GPUModel]
    public var rows: [GPUPriceRow]

    public init(models: [GPUModel], rows: [GPUPriceRow]) {
        self.models = models
        self.rows = rows
    }

    /// The GPU model a name means: its id (`nvidia-h100`), an alias (`h100`), or the id
    /// without the `nvidia-` prefix; case and `_` versus `-` do not matter. Never a guess: an
    /// unknown name is an error listing the known ones, a name that could mean several is an
    /// error listing those.
    public func model(named name: String) throws(GPULookupError) -> GPUModel {
        let wanted = Self.normalized(name)
        if let exact = models.first(where: { Self.normalized($0.id) == wanted || $0.aliases.map(Self.normalized).contains(wanted) }) {
            return exact
        }
        let prefixed = models.filter { Self.normalized($0.id) == "nvidia-" + wanted }
        if prefixed.count == 1 { return prefixed[0] }
        let partial = models.filter { Self.normalized($0.id).hasPrefix("nvidia-" + wanted + "-") }
        if partial.count > 1 {
            throw GPULookupError(.ambiguousGPU, "'\(name)' could mean \(partial.map(\.id).joined(separator: " or ")); name one of them")
        }
        if partial.count == 1 { return partial[0] }
        throw GPULookupError(.unknownGPU, "unknown GPU '\(name)'; known GPUs: \(knownNames)")
    }

    /// Every model id with its aliases, for error messages.
    public var knownNames: String {
        models.map { model in model.aliases.isEmpty ? model.id : "\(model.id) (\(model.aliases.joined(separator: ", ")))" }
            .joined(separator: "; ")
    }

    /// The offers of one GPU model, cheapest per GPU-hour first (on-demand, or spot with
    /// `spot`); rows without that kind of price are left out.
    public func offers(gpuModel: String, provider: String? = nil, spot: Bool = false) -> [GPUPriceRow] {
        rows.filter { $0.gpuModel == gpuModel && (provider == nil || $0.provider == provider?.lowercased()) && $0.perGPU(spot: spot) != nil }
            .enumerated()
            .sorted { lhs, rhs in
                let left = lhs.element.perGPU(spot: spot)!.nanodollarsPerHour
                let right = rhs.element.perGPU(spot: spot)!.nanodollarsPerHour
                return (left, lhs.offset) < (right, rhs.offset)
            }
            .map(\.element)
    }

    static func normalized(_ name: String) -> String {
        String(name.lowercased().map { $0 == "_" || $0 == " " ? "-" : $0 })
    }
}
