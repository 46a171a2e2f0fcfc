import NIOHTTP1
import ArgumentParser
import Foundation
import SpendwallEngine
import SpendwallStorage

/// `spendwall deploy --model M --budget 0.10 --gpu nvidia-l4 [-- command…]`.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Run a self-hosted model under a GPU-time budget.",
        discussion: """
            The running server starts the engine (default `vllm serve MODEL --port PORT`) as a process group, \
            waits until it answers its health check, routes requests for MODEL to it, and charges its GPU time \
            to the deployment's budget every few seconds. When the budget cannot pay for the next interval the \
            whole process group gets SIGTERM, then SIGKILL after the grace period (reason budget_exhausted).
            The rate is --rate (USD per GPU-hour) or the cheapest on-demand price of --gpu in the GPU price \
            table (`spendwall lookup --gpu …`), times --count.

            Examples:
              spendwall deploy --model TinyLlama/TinyLlama-1.1B-Chat-v1.0 --budget 0.10 --gpu nvidia-l4
              spendwall deploy --model my-model --budget 2 --gpu h100 --rate 2.49 --engine command -- ./serve.sh --port {port}
              spendwall deploy --foreground --model my-model --budget 0.05 --gpu l4 --engine command -- python3 server.py
            """
    )
    @Option(help: "The model: what requests name, and what the engine loads.") var model: String
    @Option(help: "GPU-time budget in dollars, e.g. 0.10.") var budget: String
    @Option(help: "GPU (nvidia-l4, h100, …; see `spendwall lookup --gpu`).") var gpu: String
    @Option(help: "Number of GPUs.") var count = 1
    @Option(help: "USD per GPU-hour (default: the cheapest on-demand price in the table).") var rate: String?
    @Option(help: "Take the table's price from this provider (aws, gcp, lambda, …).") var provider: String?
    @Option(help: "Tenant that owns it.") var tenant = "default"
    @Option(help: "Team that owns it: its GPU time is attributed to the team.") var team: String?
    @Option(help: "vllm, sglang, tgi or command (give the command after --).") var engine: DeploymentRecord.Engine = .vllm
    @Option(name: .customLong("input-price"), help: "USD per million input tokens charged to callers (with --output-price; default: derived from the GPU cost per token served).")
    var inputPrice: String?
    @Option(name: .customLong("output-price"), help: "USD per million output tokens charged to callers.") var outputPrice: String?
    @Flag(help: "Supervise it in this process, without a server, until it ends or Ctrl-C.") var foreground = false
    @Option(help: "YAML configuration (with --foreground: `sentinel:` settings and `gpu_prices:`).") var config: String?
    @OptionGroup var admin: AdminOptions
    @Argument(parsing: .postTerminator, help: "The engine command; {port} and {model} are replaced.") var command: [String] = []

    var spec: DeploymentSpec {
        DeploymentSpec(
            model: model, tenant: tenant, team: team, budget: budget, gpu: gpu, count: count, rate: rate, provider: provider,
            engine: engine, command: command.isEmpty ? nil : command, inputPerMillion: inputPrice, outputPerMillion: outputPrice
        )
    }

    func run() async throws {
        try await CLIError.reporting {
            if engine == .command && command.isEmpty {
                throw CLIError("--engine command needs the command after `--`", exitCode: .usage)
            }
            if foreground {
                try await ForegroundDeployment(spec: spec, configPath: config, json: admin.json).run()
                return
            }
            let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(spec)) as? [String: Any] ?? [:]
            let status = try await AdminClient.make(options: admin).send(.POST, "/deployments", body: body) as? [String: Any] ?? [:]
            if admin.json { Output.printJSON(status); return }
            let deployment = status["deployment"] as? [String: Any] ?? [:]
            print("deployment \(Output.string(deployment["id"])) of \(model) is starting (pid \(Output.string(deployment["pid"])), port \(Output.string(deployment["port"])))")
            print("rate: \(DeploymentText.rate(deployment)) (\(Output.string(deployment["rate_source"])))")
            print("budget: \(Output.dollars(deployment["budget_limit"])) — lasts \(DeploymentText.duration(status["time_left_ms"])) at this rate")
            print("engine log: \(Output.string(deployment["log_path"]))")
            print("follow it with: spendwall status \(Output.string(deployment["id"]))")
        }
    }
}

extension DeploymentRecord.Engine: ExpressibleByArgument {}
