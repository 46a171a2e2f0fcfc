import SpendwallCatalog
import SpendwallCore

/// `gpu_prices:` in the configuration: hardware the operator owns or reserved, priced by them.
///
/// ```yaml
/// gpu_prices:
///   - gpu: nvidia-h100
///     count: 8
///     usd_per_hour: "14.00"      # the whole machine
///     provider: on-prem           # default: operator
///     sku: dgx-rack-3
///     note: 3-year amortisation, power included
/// ```
public struct OperatorGPUPrice: Sendable, Codable, Hashable {
    public var gpu: String
    public var count: Int
    public var usdPerHour: String
    public var spotUSDPerHour: String?
    public var provider: String?
    public var sku: String?
    public var region: String?
    public var memoryGiB: Double?
    public var note: String?
    /// `YYYY-MM-DD`; default: when the configuration was loaded.
    public var observedOn: String?

    enum CodingKeys: String, CodingKey {
        case gpu, count, provider, sku, region, note
        case usdPerHour = "usd_per_hour"
        case spotUSDPerHour = "spot_usd_per_hour"
        case memoryGiB = "memory_gib"
        case observedOn = "observed_on"
    }

    /// The row it adds to the table (`gpu` must be the table's id, e.g. `nvidia-h100`).
    public func row(index: Int, models: [GPUModel] = [], today: String = "operator") throws(ConfigurationError) -> GPUPriceRow {
        guard count > 0 else { throw ConfigurationError(.invalidValue, "gpu_prices[\(index)].count must be positive") }
        guard let rate = GPURate(dollarsPerHour: usdPerHour), rate.nanodollarsPerHour > 0 else {
            throw ConfigurationError(.invalidValue, "gpu_prices[\(index)].usd_per_hour '\(usdPerHour)' is not a positive dollar amount")
        }
        var spot: GPURate?
        if let spotUSDPerHour {
            guard let parsed = GPURate(dollarsPerHour: spotUSDPerHour) else {
                throw ConfigurationError(.invalidValue, "gpu_prices[\(index)].spot_usd_per_hour '\(spotUSDPerHour)' is not a dollar amount")
            }
            spot = parsed
        }
        let memory = memoryGiB ?? models.first { $0.id == gpu }?.memoryGiB ?? 0
        return GPUPriceRow(
            provider: provider ?? "operator", sku: sku ?? "configured", gpuModel: gpu, gpuCount: count, gpuMemoryGiB: memory,
            region: region ?? "-", onDemand: rate, spot: spot, source: note.map { "configuration: \($0)" } ?? "configuration",
            observedOn: observedOn ?? today, isOperatorRow: true
        )
    }
}

extension GatewayConfiguration {
    /// The shipped GPU price table with the operator's rows (`gpu_prices:`).
    public func gpuPriceTable(today: String) throws -> GPUPriceTable {
        let shipped = try BundledGPUPrices.load()
        let rows = try gpuPrices.enumerated().map { index, price in try price.row(index: index, models: shipped.models, today: today) }
        return try BundledGPUPrices.load(operatorRows: rows)
    }
}
