import Foundation
import NIOHTTP1
import Testing

extension EndToEnd {
    @Suite struct Prices {
        /// A file in LiteLLM's own format, as an operator would download a newer one.
        static let litellmFile = """
        {
          "sample_spec": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 0},
          "gpt-4o-mini": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1.5e-07,
                          "output_cost_per_token": 6e-07, "max_input_tokens": 128000, "max_output_tokens": 16384},
          "acme-tuned-1": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2e-06,
                           "output_cost_per_token": 8e-06, "max_input_tokens": 32000, "max_output_tokens": 4096}
        }
        """

        @Test("prices import loads a LiteLLM file into the running gateway: a new model prices at the file's rates")
        func importIntoRunningGateway() async throws {
            try await withGateway { gateway, scratch in
                let account = try await gateway.makeAccount("prices")
                let chat: [String: Any] = ["model": "acme-tuned-1", "max_tokens": 8, "messages": [["role": "user", "content": "hi"]]]
                let before = try await gateway.call("/v1/chat/completions", .openai, secret: account.secret, json: chat)
                #expect(before.status == 400)
                #expect(before.openAIErrorType == "model_not_priced")

                let file = try scratch.write("prices.json", Self.litellmFile)
                let imported = try SpendwallCommand.run(["prices", "import", file, "--json"], home: scratch.home)
                #expect(imported.exitCode == 0, "\(imported.stderr)")
                let summary = try #require(try? JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any])
                #expect(summary["imported"] as? Int == 2)
                #expect(summary["running_gateway_reloaded"] as? Bool == true)
                #expect(try await gateway.status().catalogVersion.contains("imported LiteLLM file"))

                let after = try await gateway.call("/v1/chat/completions", .openai, secret: account.secret, json: chat)
                #expect(after.status == 200, "\(after.text)")
                let row = try #require(try await gateway.settled(rows: 1).first { $0.model == "acme-tuned-1" })
                #expect(row.rates.input == 2_000_000 && row.rates.output == 8_000_000)
                #expect(row.catalogVersion.contains("imported LiteLLM file"))
            }
        }

        @Test("a price file that does not import is refused with a clear 4xx, and the catalog in force stays")
        func badFileIsRefused() async throws {
            try await withGateway { gateway, scratch in
                let before = try await gateway.status().catalogVersion
                let negative = try scratch.write("bad.json", #"{"gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": -1, "output_cost_per_token": 1e-06}}"#)
                let result = try SpendwallCommand.run(["prices", "import", negative], home: scratch.home)
                #expect(result.exitCode == 2, "exit \(result.exitCode): \(result.stderr)")
                #expect(result.stderr.contains("gpt-4o"))
                let direct = try await HTTP.request(.POST, gateway.adminURL + "/admin/v1/prices/reload", headers: gateway.adminHeaders, body: Data("not json".utf8))
                #expect(direct.status == 400, "\(direct.text)")
                #expect(try await gateway.status().catalogVersion == before)
            }
        }

        @Test("operator prices in the config file price a model the catalog lacks, and lookup shows them")
        func configOverrides() async throws {
            let yaml = """
            prices:
              - model: acme-finetune
                provider: openai
                input_per_million: "0.50"
                output_per_million: "1.50"
                max_output_tokens: 1000
            """
            try await withGateway(configYAML: yaml) { gateway, scratch in
                let account = try await gateway.makeAccount("override")
                let chat: [String: Any] = ["model": "acme-finetune", "max_tokens": 8, "messages": [["role": "user", "content": "hi"]]]
                let answer = try await gateway.call("/v1/chat/completions", .openai, secret: account.secret, json: chat)
                #expect(answer.status == 200, "\(answer.text)")
                let row = try #require(try await gateway.settled(rows: 1).first)
                #expect(row.rates.input == 500_000 && row.rates.output == 1_500_000)
                #expect(row.catalogVersion.contains("operator prices"))

                let config = try scratch.write("lookup.yaml", yaml)
                let lookup = try SpendwallCommand.run(["lookup", "--model", "acme-finetune", "--config", config, "--json"], home: scratch.home)
                #expect(lookup.exitCode == 0, "\(lookup.stderr)")
                #expect(lookup.stdout.contains("\"input_per_token_picodollars\" : 500000"))
            }
        }
    }
}
