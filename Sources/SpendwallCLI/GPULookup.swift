import Foundation
import SpendwallCore

/// `spendwall lookup --gpu` and `--fit`, over the GPU price table.
struct GPULookup {
    var table: GPUPriceTable
    var json: Bool
    var now = Date()

    static func today() -> String { String(Date().formatted(.iso8601).prefix(10)) }

    /// The offers of one GPU, cheapest per GPU-hour first, the cheapest marked, each with the age
    /// of its price and, with a budget, the GPU-hours it buys.
    func prices(gpu: String, provider: String?, spot: Bool, budget: String?) throws {
        let model: GPUModel
        do { model = try table.model(named: gpu) } catch { throw CLIError(error.message, exitCode: .notFound) }
        var money: Money?
        if let budget {
            guard let parsed = Money(dollarString: budget), parsed > .zero else { throw CLIError("--budget must be a positive dollar amount", exitCode: .usage) }
            money = parsed
        }
        let offers = table.offers(gpuModel: model.id, provider: provider, spot: spot)
        guard !offers.isEmpty else {
            let providers = Set(table.rows.filter { $0.gpuModel == model.id }.map(\.provider)).sorted()
            throw CLIError("no \(spot ? "spot" : "on-demand") price for \(model.id)\(provider.map { " from \($0)" } ?? "") in the table; it has \(model.id) from: \(providers.isEmpty ? "nobody" : providers.joined(separator: ", "))", exitCode: .notFound)
        }
        if json {
            Output.printJSON(offers.enumerated().map { index, row in object(row, spot: spot, budget: money, cheapest: index == 0) })
            return
        }
        print("\(model.displayName) (\(model.id)), \(spot ? "spot" : "on-demand"), cheapest per GPU-hour first; prices are as observed on the date shown")
        var header = ["", "PROVIDER", "SKU", "GPUS", "REGION", "USD/GPU-H", "USD/H (SKU)", "OBSERVED", "AGE"]
        if money != nil { header.append("GPU-HOURS") }
        Output.printTable(header, offers.enumerated().map { index, row in
            let perGPU = row.perGPU(spot: spot)!
            var cells = [
                index == 0 ? "*" : "", row.provider, row.sku, "\(row.gpuCount)×\(Int(row.gpuMemoryGiB.rounded()))GiB", row.region,
                Money(nanodollars: perGPU.nanodollarsPerHour).description, Money(nanodollars: (spot ? row.spot : row.onDemand)!.nanodollarsPerHour).description,
                row.observedOn, age(row.observedOn),
            ]
            if let money { cells.append(hours(money, at: perGPU)) }
            return cells
        })
        print("* cheapest. Sources: the `source` of each row (`--json`); see docs/gpu-prices.md. Add your own hardware under gpu_prices: in the config.")
    }

    /// Which GPUs hold a model at fp16, int8 and int4, with the cheapest that fits.
    func fit(_ text: String, spot: Bool) throws {
        guard let parameters = ModelFit.parameters(from: text) else {
            throw CLIError("cannot tell the size of '\(text)': give a parameter count such as 7b, 1.1B or 70000000000, or a name with its size in it (Llama-3.1-8B-Instruct)", exitCode: .usage)
        }
        var results: [[String: Any]] = []
        var rows: [[String]] = []
        for precision in ModelFit.Precision.allCases {
            let weights = ModelFit.weightsGiB(parameters: parameters, precision: precision)
            var best: (model: GPUModel, count: Int, perHour: Int64, row: GPUPriceRow)?
            for model in table.models.sorted(by: { $0.memoryGiB < $1.memoryGiB }) {
                guard let count = ModelFit.gpusNeeded(parameters: parameters, precision: precision, memoryGiB: model.memoryGiB) else {
                    rows.append([precision.rawValue, String(format: "%.1f", weights), model.id, "no (more than 8 GPUs)", "-", "-"])
                    continue
                }
                // A SKU is rented whole: the cheapest one with at least `count` GPUs, at its own price.
                let cheapest = table.offers(gpuModel: model.id, spot: spot).filter { $0.gpuCount >= count }
                    .min { Self.instanceRate($0, spot: spot) < Self.instanceRate($1, spot: spot) }
                let perHour = cheapest.map { Self.instanceRate($0, spot: spot) }
                rows.append([
                    precision.rawValue, String(format: "%.1f", weights), model.id, "\(count) × \(Self.memory(model.memoryGiB)) GiB",
                    perHour.map { Money(nanodollars: $0).description + "/h" } ?? "no price", cheapest.map { "\($0.provider) \($0.sku)" } ?? "-",
                ])
                if let perHour, let cheapest, best == nil || perHour < best!.perHour { best = (model, count, perHour, cheapest) }
                results.append([
                    "precision": precision.rawValue, "weights_gib": weights, "gpu": model.id, "gpus_needed": count,
                    "usd_per_hour_cheapest": perHour.map { Money(nanodollars: $0).decimalDollars } as Any? ?? NSNull(),
                    "cheapest_offer": cheapest.map { "\($0.provider) \($0.sku) \($0.region)" } as Any? ?? NSNull(),
                ])
            }
            if let best { rows.append(["", "", "→ cheapest at \(precision.rawValue): \(best.count) × \(best.model.id)", "", Money(nanodollars: best.perHour).description + "/h", "\(best.row.provider) \(best.row.sku)"]) }
        }
        if json {
            Output.printJSON(["parameters": parameters, "usable_share_for_weights": ModelFit.usableShare, "fits": results])
            return
        }
        print("\(text): \(parameters) parameters. A GPU set fits when the weights use at most \(Int(ModelFit.usableShare * 100)) % of its memory (the rest is KV cache and runtime headroom); prices are of the cheapest whole SKU with enough GPUs.")
        Output.printTable(["PRECISION", "WEIGHTS GIB", "GPU", "FITS ON", "CHEAPEST \(spot ? "SPOT" : "ON-DEMAND")", "OFFER"], rows)
    }

    static func instanceRate(_ row: GPUPriceRow, spot: Bool) -> Int64 {
        ((spot ? row.spot : row.onDemand)?.nanodollarsPerHour) ?? .max
    }

    func object(_ row: GPUPriceRow, spot: Bool, budget: Money?, cheapest: Bool) -> [String: Any] {
        let perGPU = row.perGPU(spot: spot)!
        var object: [String: Any] = [
            "provider": row.provider, "sku": row.sku, "gpu_model": row.gpuModel, "gpu_count": row.gpuCount, "gpu_memory_gib": row.gpuMemoryGiB,
            "region": row.region, "usd_per_gpu_hour": Money(nanodollars: perGPU.nanodollarsPerHour).decimalDollars,
            "on_demand_usd_per_hour": row.onDemand.map { Money(nanodollars: $0.nanodollarsPerHour).decimalDollars } as Any? ?? NSNull(),
            "spot_usd_per_hour": row.spot.map { Money(nanodollars: $0.nanodollarsPerHour).decimalDollars } as Any? ?? NSNull(),
            "source": row.source, "observed_on": row.observedOn, "age_days": ageDays(row.observedOn) as Any? ?? NSNull(), "cheapest": cheapest,
            "operator_row": row.isOperatorRow,
        ]
        if let budget, let millis = perGPU.millis(affordableWith: budget) { object["gpu_hours_for_budget"] = Double(millis) / 3_600_000 }
        return object
    }

    func hours(_ money: Money, at rate: GPURate) -> String {
        guard let millis = rate.millis(affordableWith: money) else { return "-" }
        return String(format: "%.2f", Double(millis) / 3_600_000)
    }

    func ageDays(_ observed: String) -> Int? {
        guard let date = try? Date(observed + "T00:00:00Z", strategy: .iso8601) else { return nil }
        return max(0, Int(now.timeIntervalSince(date) / 86_400))
    }

    func age(_ observed: String) -> String {
        ageDays(observed).map { "\($0) d" } ?? "-"
    }

    static func memory(_ gib: Double) -> String {
        gib == gib.rounded() ? String(Int(gib)) : String(format: "%.1f", gib)
    }
}
