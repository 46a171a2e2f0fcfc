import ArgumentParser
import Foundation
import NIOHTTP1
import SpendwallCore
import Yams

/// `spendwall policies set|list|show|delete`.
struct PoliciesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policies", abstract: "Set, list, explain and delete the policies on tenants, teams, users and keys.",
        subcommands: [Set.self, List.self, Show.self, Delete.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set (replace) the policy of a tenant, team, user or key.",
            discussion: """
                The rules come from --file (YAML or JSON, the keys of a `policies:` entry in the config) \
                or from the options. A narrower scope can only tighten what the wider ones allow.

                Example: spendwall policies set team research --allow-model 'gpt-4o*' --max-output-tokens 2048 \
                --tier economy=gpt-4o-mini,claude-haiku-4-5 --tier premium=gpt-4o,claude-sonnet-4-5 --default-tier economy
                """
        )
        @Argument(help: "The scope: tenant, team, user or key.") var scope: BlockableScope
        @Argument(help: "Its id.") var id: String
        @Option(help: "A YAML or JSON file with the policy.") var file: String?
        @Option(name: .customLong("allow-model"), help: "Model pattern this scope may use (repeatable; * and ? wildcards).") var allowModels: [String] = []
        @Option(name: .customLong("deny-model"), help: "Model pattern this scope may not use (repeatable).") var denyModels: [String] = []
        @Option(name: .customLong("provider"), help: "Allowed provider, most preferred first (repeatable).") var providers: [ProviderKind] = []
        @Option(name: .customLong("max-output-tokens"), help: "Largest output cap per request.") var maxOutputTokens: Int64?
        @Option(name: .customLong("max-input-tokens"), help: "Context budget: largest estimated input per request, in tokens.") var maxInputTokens: Int64?
        @Option(name: .customLong("max-choices"), help: "Largest n (completions per request).") var maxChoices: Int64?
        @Option(name: .customLong("max-request-cost"), help: "Largest worst-case cost of one request, in US dollars.") var maxRequestCost: String?
        @Option(name: .customLong("unpriced"), help: "Unpriced models: 'refuse', or 'INPUT/OUTPUT' dollars per million tokens.") var unpriced: String?
        @Option(name: .customLong("tier"), help: "A model tier, cheapest first (repeatable): NAME=model,model,…") var tiers: [String] = []
        @Option(name: .customLong("default-tier"), help: "The tier requests are served from unless they name another.") var defaultTier: String?
        @Option(name: .customLong("tier-override"), help: "A tier x-spendwall-tier may ask for (repeatable).") var tierOverrides: [String] = []
        @Option(name: .customLong("requests-per-minute"), help: "Requests per minute over the scope's traffic; N, or N/shadow for shadow mode.") var requestsPerMinute: String?
        @Option(name: .customLong("tokens-per-minute"), help: "Tokens per minute over the scope's traffic; N or N/shadow.") var tokensPerMinute: String?
        @Option(name: .customLong("concurrent-streams"), help: "Streams open at once; N or N/shadow.") var concurrentStreams: String?
        @Option(name: .customLong("cache-ttl"), help: "Exact response cache for this scope: seconds an answer is reused (0 turns it off).") var cacheTTL: Int64?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let policy = try file.map(Self.load) ?? options()
                let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(policy)) as? [String: Any] ?? [:]
                let result = try await AdminClient.make(options: admin).send(.PUT, "/policies/\(scope.rawValue)/\(id)", body: object)
                if admin.json { Output.printJSON(result ?? [:]) } else { print("set the policy of \(scope.rawValue) \(id)") }
            }
        }

        /// `600` or `600/shadow`.
        static func rateLimit(_ text: String, option: String) throws -> RateLimit {
            let parts = text.split(separator: "/").map(String.init)
            guard let limit = parts.first.flatMap({ Int64($0) }), parts.count == 1 || (parts.count == 2 && parts[1] == "shadow") else {
                throw CLIError("\(option) is N or N/shadow (got '\(text)')", exitCode: .usage)
            }
            return RateLimit(limit, shadow: parts.count == 2)
        }

        static func load(_ path: String) throws -> Policy {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read \(path)", exitCode: .usage) }
            do {
                return try YAMLDecoder().decode(Policy.self, from: text)
            } catch {
                throw CLIError("\(path) is not a valid policy: \(error)", exitCode: .usage)
            }
        }

        func options() throws -> Policy {
            var policy = Policy(
                allowModels: allowModels.isEmpty ? nil : allowModels, denyModels: denyModels.isEmpty ? nil : denyModels,
                providers: providers.isEmpty ? nil : providers, maxOutputTokens: maxOutputTokens, maxInputTokens: maxInputTokens,
                maxChoices: maxChoices, defaultTier: defaultTier, tierOverrides: tierOverrides.isEmpty ? nil : tierOverrides,
                cacheTTLSeconds: cacheTTL
            )
            if let maxRequestCost {
                guard let cost = Money(dollarString: maxRequestCost), cost > .zero else { throw CLIError("--max-request-cost '\(maxRequestCost)' is not a positive dollar amount", exitCode: .usage) }
                policy.maxRequestCost = cost
            }
            if let unpriced {
                if unpriced == "refuse" {
                    policy.unpricedModels = .refuse
                } else {
                    let parts = unpriced.split(separator: "/").map(String.init)
                    guard parts.count == 2, let input = try? PerMillionPrice.picodollarsPerToken(parts[0]),
                          let output = try? PerMillionPrice.picodollarsPerToken(parts[1]) else {
                        throw CLIError("--unpriced is 'refuse' or INPUT/OUTPUT dollars per million tokens, e.g. 5/15", exitCode: .usage)
                    }
                    policy.unpricedModels = .price(inputPerToken: input, outputPerToken: output)
                }
            }
            policy.requestsPerMinute = try requestsPerMinute.map { try Self.rateLimit($0, option: "--requests-per-minute") }
            policy.tokensPerMinute = try tokensPerMinute.map { try Self.rateLimit($0, option: "--tokens-per-minute") }
            policy.concurrentStreams = try concurrentStreams.map { try Self.rateLimit($0, option: "--concurrent-streams") }
            if !tiers.isEmpty {
                policy.tiers = try tiers.map { text in
                    let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                        throw CLIError("--tier is NAME=model,model,… (got '\(text)')", exitCode: .usage)
                    }
                    return ModelTier(name: parts[0], models: parts[1].split(separator: ",").map(String.init))
                }
            }
            return policy
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the policies set on scopes.", discussion: "Example: spendwall policies list --tenant acme --json")
        @Option(help: "Only this tenant's policies.") var tenant: String?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let rows = try await AdminClient.make(options: admin).send(.GET, "/policies" + (tenant.map { "?tenant=\($0)" } ?? "")) as? [[String: Any]] ?? []
                if admin.json { Output.printJSON(rows); return }
                Output.printTable(["SCOPE", "TENANT", "RULES"], rows.map { row in
                    let scope = row["scope"] as? [String: Any] ?? [:]
                    let policy = row["policy"] as? [String: Any] ?? [:]
                    let rules = policy.keys.sorted().map { "\($0)=\(Output.compactJSON(policy[$0]))" }.joined(separator: " ")
                    return ["\(Output.string(scope["kind"])):\(Output.string(scope["id"]))", Output.string(row["tenant_id"]), rules]
                })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain the policies that apply to a key: each scope's, and what they add up to.",
            discussion: "Example: spendwall policies show --key key_0123abcd"
        )
        @Option(help: "Key id.") var key: String
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                let result = try await AdminClient.make(options: admin).send(.GET, "/policies/effective?key=\(key)") as? [String: Any] ?? [:]
                if admin.json { Output.printJSON(result); return }
                let levels = result["levels"] as? [[String: Any]] ?? []
                if levels.isEmpty { print("no policy applies to \(key)"); return }
                for level in levels {
                    let scope = level["scope"] as? [String: Any] ?? [:]
                    print("\(Output.string(scope["kind"])):\(Output.string(scope["id"])): \(Output.compactJSON(level["policy"]))")
                }
                print("effective: \(Output.compactJSON(result["effective"]))")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the policy of a scope.", discussion: "Example: spendwall policies delete team research")
        @Argument(help: "The scope: tenant, team, user or key.") var scope: BlockableScope
        @Argument(help: "Its id.") var id: String
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            try await CLIError.reporting {
                _ = try await AdminClient.make(options: admin).send(.DELETE, "/policies/\(scope.rawValue)/\(id)")
                if admin.json { Output.printJSON(["deleted": true]) } else { print("removed the policy of \(scope.rawValue) \(id)") }
            }
        }
    }
}

extension ProviderKind: ExpressibleByArgument {}
