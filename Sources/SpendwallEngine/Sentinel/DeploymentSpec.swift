import Foundation
import SpendwallCore
import SpendwallStorage

/// What `spendwall deploy` asks the server for.
public struct DeploymentSpec: Sendable, Codable, Hashable {
    /// The model requests name; also what the default engine command loads.
    public var model: String
    public var tenant: String
    /// The team that owns the deployment and its GPU time.
    public var team: String?
    /// The GPU-time budget in dollars, e.g. `0.10`.
    public var budget: String
    /// A GPU the price table knows (`nvidia-l4`, `l4`) or any name with `rate`.
    public var gpu: String
    public var count: Int
    /// Dollars per GPU-hour; nil: the cheapest on-demand price of the GPU in the table.
    public var rate: String?
    /// Take the rate from this provider's rows of the table.
    public var provider: String?
    public var engine: DeploymentRecord.Engine
    /// The command for `engine: command`, or to replace the engine's default; `{port}` and
    /// `{model}` are replaced.
    public var command: [String]?
    /// Dollars per million tokens callers are charged; both or neither. Neither: the
    /// allocated GPU cost per token served so far.
    public var inputPerMillion: String?
    public var outputPerMillion: String?

    public init(
        model: String, tenant: String, team: String? = nil, budget: String, gpu: String, count: Int = 1, rate: String? = nil,
        provider: String? = nil, engine: DeploymentRecord.Engine = .vllm, command: [String]? = nil, inputPerMillion: String? = nil,
        outputPerMillion: String? = nil
    ) {
        self.model = model
        self.tenant = tenant
        self.team = team
        self.budget = budget
        self.gpu = gpu
        self.count = count
        self.rate = rate
        self.provider = provider
        self.engine = engine
        self.command = command
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    enum CodingKeys: String, CodingKey {
        case model, tenant, team, budget, gpu, count, rate, provider, engine, command
        case inputPerMillion = "input_per_million"
        case outputPerMillion = "output_per_million"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        tenant = try container.decode(String.self, forKey: .tenant)
        team = try container.decodeIfPresent(String.self, forKey: .team)
        budget = try container.decode(String.self, forKey: .budget)
        gpu = try container.decode(String.self, forKey: .gpu)
        count = try container.decodeIfPresent(Int.self, forKey: .count) ?? 1
        rate = try container.decodeIfPresent(String.self, forKey: .rate)
        provider = try container.decodeIfPresent(String.self, forKey: .provider)
        engine = try container.decodeIfPresent(DeploymentRecord.Engine.self, forKey: .engine) ?? .vllm
        command = try container.decodeIfPresent([String].self, forKey: .command)
        inputPerMillion = try container.decodeIfPresent(String.self, forKey: .inputPerMillion)
        outputPerMillion = try container.decodeIfPresent(String.self, forKey: .outputPerMillion)
    }

    /// The command line to start, with `{port}` and `{model}` filled in.
    public func commandLine(port: Int) throws(ConfigurationError) -> [String] {
        let template: [String]
        if let command, !command.isEmpty {
            template = command
        } else {
            switch engine {
            case .vllm: template = ["vllm", "serve", "{model}", "--port", "{port}"]
            case .sglang: template = ["python3", "-m", "sglang.launch_server", "--model-path", "{model}", "--port", "{port}"]
            case .tgi: template = ["text-generation-launcher", "--model-id", "{model}", "--port", "{port}"]
            case .command: throw ConfigurationError(.invalidValue, "engine 'command' needs the command to run after `--`")
            }
        }
        return template.map { $0.replacingOccurrences(of: "{port}", with: String(port)).replacingOccurrences(of: "{model}", with: model) }
    }

    /// The rate for the whole deployment and where it came from.
    public func resolveRate(table: GPUPriceTable) throws -> (rate: GPURate, gpu: String, source: String) {
        guard count > 0, count <= 1024 else { throw ConfigurationError(.invalidValue, "--count must be from 1 to 1024") }
        if let rate {
            guard let perGPU = GPURate(dollarsPerHour: rate) else {
                throw ConfigurationError(.invalidValue, "--rate '\(rate)' is not a dollar amount per GPU-hour (e.g. 0.80)")
            }
            let gpuName = (try? table.model(named: gpu).id) ?? gpu
            return (perGPU.times(count), gpuName, "--rate \(Money(nanodollars: perGPU.nanodollarsPerHour)) per GPU-hour × \(count)")
        }
        let model: GPUModel
        do {
            model = try table.model(named: gpu)
        } catch {
            throw ConfigurationError(.invalidValue, "\(error.message); or give --rate USD per GPU-hour")
        }
        guard let cheapest = table.offers(gpuModel: model.id, provider: provider).first, let perGPU = cheapest.perGPU(spot: false) else {
            throw ConfigurationError(.notFound, "no on-demand price for \(model.id)\(provider.map { " from \($0)" } ?? "") in the GPU price table; give --rate USD per GPU-hour")
        }
        let source = "\(cheapest.provider) \(cheapest.sku) \(cheapest.region) on-demand \(perGPU) per GPU (observed \(cheapest.observedOn)) × \(count)"
        return (perGPU.times(count), model.id, source)
    }

    /// The configured token prices, if any.
    public func tokenRates() throws(ConfigurationError) -> TokenRates? {
        switch (inputPerMillion, outputPerMillion) {
        case (nil, nil): return nil
        case (let input?, let output?):
            do {
                return TokenRates(input: try PerMillionPrice.picodollarsPerToken(input), output: try PerMillionPrice.picodollarsPerToken(output))
            } catch {
                throw ConfigurationError(.invalidValue, "token prices: \(error.reason)")
            }
        default:
            throw ConfigurationError(.invalidValue, "give both --input-price and --output-price (dollars per million tokens), or neither")
        }
    }
}
