import SpendwallCatalog
import SpendwallCore
import Testing

@Suite struct BundledGPUPricesTests {
    @Test("the shipped GPU table loads, every row is dated and sourced, and every requested GPU and provider is covered")
    func shippedTable() throws {
        let table = try BundledGPUPrices.load()
        #expect(table.rows.count >= 40)
        for row in table.rows {
            #expect(row.source.hasPrefix("https://"), "row \(row.provider) \(row.sku) has a source URL")
            #expect(row.observedOn.count == 10)
            #expect(row.perGPU(spot: false) != nil || row.perGPU(spot: true) != nil)
        }
        let gpus = Set(table.rows.map(\.gpuModel))
        for gpu in ["nvidia-l4", "nvidia-t4", "nvidia-a10g", "nvidia-a100-40gb", "nvidia-a100-80gb", "nvidia-h100", "nvidia-h200", "nvidia-b200"] {
            #expect(gpus.contains(gpu), "\(gpu) has a price")
        }
        let providers = Set(table.rows.map(\.provider))
        #expect(providers == ["aws", "gcp", "azure", "lambda", "runpod", "coreweave", "vast"])
    }

    @Test("operator rows join the table; one for an unknown GPU model is refused with the known ones")
    func operatorRows() throws {
        let own = GPUPriceRow(provider: "on-prem", sku: "rack-1", gpuModel: "nvidia-h100", gpuCount: 8, gpuMemoryGiB: 80, region: "-",
                              onDemand: GPURate(dollarsPerHour: "12"), spot: nil, source: "configuration", observedOn: "2026-12-07", isOperatorRow: true)
        let table = try BundledGPUPrices.load(operatorRows: [own])
        #expect(table.offers(gpuModel: "nvidia-h100", provider: "on-prem").first?.perGPU(spot: false)?.nanodollarsPerHour == 1_500_000_000)
        var wrong = own
        wrong.gpuModel = "h100"
        #expect(throws: CatalogError.self) { try BundledGPUPrices.load(operatorRows: [wrong]) }
    }
}
