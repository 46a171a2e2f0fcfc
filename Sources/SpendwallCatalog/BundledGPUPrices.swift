import Foundation
import SpendwallCore

/// The GPU price table that ships inside Spendwall: `gpu-prices.csv` (one row per provider SKU,
/// dated and sourced; see `docs/gpu-prices.md`) and `gpu-models.csv` (the GPU models and the
/// names users type for them).
public enum BundledGPUPrices {
    /// Loads the shipped table, with the operator's rows appended.
    public static func load(operatorRows: [GPUPriceRow] = []) throws -> GPUPriceTable {
        let models = try GPUPriceCSV.models(try resource("gpu-models"))
        let rows = try GPUPriceCSV.rows(try resource("gpu-prices"), models: models)
        for row in operatorRows where !models.contains(where: { $0.id == row.gpuModel }) {
            throw CatalogError(.malformedFile, "gpu_prices: '\(row.gpuModel)' is not a known GPU model; known: \(models.map(\.id).joined(separator: ", "))")
        }
        return GPUPriceTable(models: models, rows: rows + operatorRows)
    }

    static func resource(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "csv") else {
            throw CatalogError(.missingResource, "\(name).csv is missing from the SpendwallCatalog resource bundle")
        }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CatalogError(.missingResource, "cannot read the bundled \(name).csv: \(error.localizedDescription)")
        }
    }
}

/// Reads the two GPU CSV files: a header line naming the columns, then comma-separated rows
/// (no quoting; no field holds a comma).
enum GPUPriceCSV {
    static let priceColumns = [
        "provider", "sku", "gpu_model", "gpu_count", "gpu_memory_gib", "region", "on_demand_usd_per_hour", "spot_usd_per_hour",
        "source", "observed_on",
    ]
    static let modelColumns = ["gpu_model", "display_name", "aliases", "memory_gib", "source"]

    static func models(_ text: String) throws -> [GPUModel] {
        try records(text, columns: modelColumns, file: "gpu-models.csv").map { line, field in
            guard let memory = Double(field["memory_gib"]!), memory > 0 else {
                throw CatalogError(.malformedFile, "gpu-models.csv line \(line): memory_gib must be a positive number")
            }
            return GPUModel(
                id: field["gpu_model"]!, displayName: field["display_name"]!,
                aliases: field["aliases"]!.split(separator: "|").map { String($0).lowercased() }, memoryGiB: memory,
                source: field["source"]!
            )
        }
    }

    static func rows(_ text: String, models: [GPUModel]) throws -> [GPUPriceRow] {
        try records(text, columns: priceColumns, file: "gpu-prices.csv").map { line, field in
            func fail(_ reason: String) -> CatalogError { CatalogError(.malformedFile, "gpu-prices.csv line \(line): \(reason)") }
            let model = field["gpu_model"]!
            guard models.contains(where: { $0.id == model }) else { throw fail("unknown gpu_model '\(model)'") }
            guard let count = Int(field["gpu_count"]!), count > 0 else { throw fail("gpu_count must be a positive integer") }
            guard let memory = Double(field["gpu_memory_gib"]!), memory > 0 else { throw fail("gpu_memory_gib must be a positive number") }
            func rate(_ column: String) throws -> GPURate? {
                let text = field[column]!
                if text.isEmpty { return nil }
                guard let rate = GPURate(dollarsPerHour: text) else { throw fail("\(column) '\(text)' is not a dollar amount") }
                return rate
            }
            let onDemand = try rate("on_demand_usd_per_hour")
            let spot = try rate("spot_usd_per_hour")
            guard onDemand != nil || spot != nil else { throw fail("neither an on-demand nor a spot price") }
            let observed = field["observed_on"]!
            guard observed.count == 10, observed.split(separator: "-").count == 3 else { throw fail("observed_on must be YYYY-MM-DD") }
            return GPUPriceRow(
                provider: field["provider"]!, sku: field["sku"]!, gpuModel: model, gpuCount: count, gpuMemoryGiB: memory,
                region: field["region"]!, onDemand: onDemand, spot: spot, source: field["source"]!, observedOn: observed
            )
        }
    }

    /// Each data line as its number and a column → value map.
    static func records(_ text: String, columns: [String], file: String) throws -> [(Int, [String: String])] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first, header.split(separator: ",", omittingEmptySubsequences: false).map(String.init) == columns else {
            throw CatalogError(.malformedFile, "\(file): the header must be \(columns.joined(separator: ","))")
        }
        return try lines.dropFirst().enumerated().map { offset, line in
            let values = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard values.count == columns.count else {
                throw CatalogError(.malformedFile, "\(file) line \(offset + 2): \(values.count) fields, expected \(columns.count)")
            }
            return (offset + 2, Dictionary(uniqueKeysWithValues: zip(columns, values)))
        }
    }
}
