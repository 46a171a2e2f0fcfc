import Logging
import NIOHTTP1
import ArgumentParser
import Foundation
import SpendwallCatalog
import SpendwallCore
import SpendwallEngine

/// `spendwall lookup --model NAME`: the prices the gateway would charge; `--gpu` and `--fit`:
/// what GPU time costs and which GPUs hold a model.
struct LookupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup", abstract: "Print the prices the gateway would use for a model, or GPU hourly prices.",
        discussion: """
            Examples:
              spendwall lookup --model gpt-4o-mini --json
              spendwall lookup --gpu h100 --budget 5
              spendwall lookup --gpu nvidia-l4 --provider aws --spot
              spendwall lookup --fit TinyLlama/TinyLlama-1.1B-Chat-v1.0
              spendwall lookup --fit 70b
            """
    )
    @Option(help: "Model name as a client sends it.") var model: String?
    @Option(help: "A GPU (nvidia-l4, h100, a100-80gb, …): its hourly prices, cheapest first.") var gpu: String?
    @Option(help: "A model name with its size (Qwen2.5-7B-Instruct) or a parameter count (7b, 70B, 1.1b): the GPUs that hold it.") var fit: String?
    @Option(help: "With --model: openai, anthropic or gemini; with --gpu: aws, gcp, azure, lambda, runpod, coreweave, vast or your own.") var provider: String?
    @Flag(help: "With --gpu: spot prices instead of on-demand.") var spot = false
    @Option(help: "With --gpu: the hours each option buys for this many dollars.") var budget: String?
    @Option(help: "YAML configuration file (for operator prices).") var config: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await CLIError.reporting {
            let configuration = try ConfigurationLoader.load(path: config)
            let chosen = [model, gpu, fit].compactMap { $0 }.count
            guard chosen == 1 else { throw CLIError("give one of --model, --gpu or --fit", exitCode: .usage) }
            if gpu != nil || fit != nil {
                let table = try configuration.gpuPriceTable(today: GPULookup.today())
                if let gpu { try GPULookup(table: table, json: json).prices(gpu: gpu, provider: provider, spot: spot, budget: budget) }
                if let fit { try GPULookup(table: table, json: json).fit(fit, spot: spot) }
                return
            }
            guard let model else { return }
            let runtime = GatewayRuntime(configuration: configuration, home: SpendwallHome(), logger: .init(label: "lookup")) { _, _, _, _ in }
            let catalog = try runtime.loadCatalog()
            let providers: [ProviderKind]
            if let provider {
                guard let kind = ProviderKind(rawValue: provider) else { throw CLIError("--provider must be openai, anthropic or gemini", exitCode: .usage) }
                providers = [kind]
            } else {
                providers = ProviderKind.allCases
            }
            let found = providers.compactMap { catalog.resolve(model: model, provider: $0) }
            guard !found.isEmpty else {
                throw CLIError("no price for '\(model)' in \(catalog.version); requests for it are refused (model_not_priced) unless you price it under `prices:` in the config", exitCode: .notFound)
            }
            if json {
                Output.printJSON(found.map { Self.jsonObject($0, catalog: catalog.version) })
                return
            }
            for price in found {
                print("\(price.name)  (\(price.provider.rawValue), \(price.mode.rawValue); catalog \(catalog.version))")
                var rows = Self.rows(price.rates, label: "base")
                for tier in price.longContextTiers { rows += Self.rows(tier.rates, label: "input > \(tier.aboveInputTokens) tokens") }
                for tier in ServiceTier.allCases {
                    if let rates = price.rates(for: tier) { rows += Self.rows(rates, label: "service_tier \(tier.rawValue)") }
                }
                Output.printTable(["TIER", "KIND", "USD / 1M TOKENS", "PICO-USD / TOKEN"], rows)
                print("max input tokens: \(price.maxInputTokens.map(String.init) ?? "unknown"), max output tokens: \(price.maxOutputTokens.map(String.init) ?? "unknown")")
            }
        }
    }

    static func rows(_ rates: TokenRates, label: String) -> [[String]] {
        var rows = [[label, "input", perMillion(rates.input), String(rates.input)], [label, "output", perMillion(rates.output), String(rates.output)]]
        if let value = rates.cachedInput { rows.append([label, "cached input", perMillion(value), String(value)]) }
        if let value = rates.cacheWrite { rows.append([label, "cache write", perMillion(value), String(value)]) }
        if let value = rates.extendedCacheWrite { rows.append([label, "cache write 1h", perMillion(value), String(value)]) }
        if let value = rates.reasoning { rows.append([label, "reasoning", perMillion(value), String(value)]) }
        if let value = rates.audioInput { rows.append([label, "audio input", perMillion(value), String(value)]) }
        if let value = rates.audioOutput { rows.append([label, "audio output", perMillion(value), String(value)]) }
        return rows
    }

    /// Pico-dollars per token = micro-dollars per million tokens → "$2.50".
    static func perMillion(_ picos: Int64) -> String {
        Money(nanodollars: picos.saturatingMultiplied(by: 1000)).description
    }

    static func jsonObject(_ price: ModelPrice, catalog: String) -> [String: Any] {
        func rates(_ rates: TokenRates) -> [String: Any] {
            var object: [String: Any] = ["input_per_token_picodollars": rates.input, "output_per_token_picodollars": rates.output,
                                         "input_per_million_usd": perMillion(rates.input), "output_per_million_usd": perMillion(rates.output)]
            if let value = rates.cachedInput { object["cached_input_per_token_picodollars"] = value }
            if let value = rates.cacheWrite { object["cache_write_per_token_picodollars"] = value }
            if let value = rates.extendedCacheWrite { object["extended_cache_write_per_token_picodollars"] = value }
            if let value = rates.reasoning { object["reasoning_per_token_picodollars"] = value }
            if let value = rates.audioInput { object["audio_input_per_token_picodollars"] = value }
            if let value = rates.audioOutput { object["audio_output_per_token_picodollars"] = value }
            return object
        }
        var object: [String: Any] = [
            "model": price.name, "provider": price.provider.rawValue, "mode": price.mode.rawValue, "catalog_version": catalog,
            "rates": rates(price.rates),
            "long_context_tiers": price.longContextTiers.map { ["above_input_tokens": $0.aboveInputTokens, "rates": rates($0.rates)] },
        ]
        for tier in ServiceTier.allCases {
            if let value = price.rates(for: tier) { object["\(tier.rawValue)_rates"] = rates(value) }
        }
        if let value = price.maxInputTokens { object["max_input_tokens"] = value }
        if let value = price.maxOutputTokens { object["max_output_tokens"] = value }
        return object
    }
}

/// `spendwall prices import FILE`.
struct PricesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prices", abstract: "Manage the price catalog.",
        subcommands: [Import.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a newer price file in LiteLLM's format (model_prices_and_context_window.json).",
            discussion: """
                The file is checked, saved in $SPENDWALL_HOME and used from then on; a running gateway switches at once.
                Example: spendwall prices import model_prices_and_context_window.json
                """
        )
        @Argument(help: "Path of the LiteLLM JSON file.") var file: String
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)", exitCode: .usage) }
                let imported: LiteLLMImport
                do {
                    imported = try LiteLLMImporter().importPrices(from: data)
                } catch {
                    throw CLIError("\(file): \(error)", exitCode: .usage)
                }
                let home = SpendwallHome()
                try home.create()
                try data.write(to: URL(fileURLWithPath: home.importedPricesPath), options: .atomic)
                let sha = ContentDigest.sha256Hex(data)
                var reloaded = false
                if let client = try? AdminClient.make(options: admin), (try? await client.sendRaw(.POST, "/prices/reload", body: data)) != nil {
                    reloaded = true
                }
                if admin.json {
                    Output.printJSON(["imported": imported.summary.importedCount, "sha256": sha, "running_gateway_reloaded": reloaded])
                } else {
                    print("imported \(imported.summary)")
                    print("saved to \(home.importedPricesPath) (sha256 \(sha))")
                    print(reloaded ? "the running gateway now uses it" : "no running gateway answered; `spendwall serve` will use it at start")
                }
            }
        }
    }
}
