import Foundation
import NIOCore
import PropertyBased
import SpendwallProviders
import Testing

/// Rewrites of generated bodies: random member order, whitespace, decoy keys inside strings and
/// nested objects, and present/null/absent target fields.
@Suite struct RequestRewriterPropertyTests {
    static let spaces = ["", " ", "\n  ", "\t", "\r\n"]
    static let decoys = [
        #""messages":[{"role":"user","content":"\"max_tokens\": 1, \"generationConfig\": {}"}]"#,
        #""metadata":{"max_completion_tokens":{"max_tokens":[1,{"}":"{"}]}}"#,
        #""contents":[{"parts":[{"text":"maxOutputTokens \\\" } ]"}]}]"#,
        #""temperature":1.5e-1"#,
        #""stream_options":{"include_obfuscation":false}"#,
    ]

    /// A body from member picks, a target-field state (0 absent, 1 null, 2 number) and spacing.
    static func body(picks: [Int], state: Int, key: String, space: Int) -> String {
        let gap = spaces[space % spaces.count]
        var members = [#""model":"m""#] + picks.map { decoys[$0 % decoys.count] }
        var seen = Set<String>()
        members = members.filter { seen.insert(String($0.prefix(12))).inserted }
        switch state {
        case 1: members.insert("\"\(key)\"\(gap):\(gap)null", at: members.count / 2)
        case 2: members.insert("\"\(key)\":\(gap)123456", at: members.count / 2)
        default: break
        }
        return "{" + gap + members.joined(separator: gap + "," + gap) + gap + "}"
    }

    @Test func cappedBodiesKeepEverythingElse() async {
        let cases: [(Endpoint, String)] = [(.openaiChatCompletions, "max_completion_tokens"), (.openaiResponses, "max_output_tokens"), (.anthropicMessages, "max_tokens")]
        await propertyCheck(count: 300, input: Gen.int(in: 0...9).array(of: 0...6), Gen.int(in: 0...2), Gen.int(in: 0...2), Gen.int(in: 0...4)) { picks, state, which, space in
            let (endpoint, key) = cases[which]
            let original = Self.body(picks: picks, state: state, key: key, space: space)
            guard let rewritten = try? RequestRewriter.setOutputCap(buffer(original), endpoint: endpoint, cap: 77),
                  let parsed = jsonObject(rewritten), let base = jsonObject(buffer(original)) else {
                Issue.record("rewrite failed for \(original)")
                return
            }
            let expected = base.mutableCopy() as! NSMutableDictionary
            expected[key] = 77
            #expect(parsed.isEqual(expected), "\(original) -> \(string(rewritten))")
            #expect((try? RequestPeeker.peek(rewritten, endpoint: endpoint, pathModel: nil).outputCap) == 77)
            // Only the target field's bytes changed: deleting "77" and the inserted key restores the original.
            let text = string(rewritten)
            if state == 2 {
                #expect(text.replacingOccurrences(of: ":\(Self.spaces[space % 5])77", with: ":\(Self.spaces[space % 5])123456") == original)
            }
        }
    }

    @Test func geminiCapsNestedOrCreated() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...9).array(of: 0...5), Gen.int(in: 0...3), Gen.int(in: 0...4)) { picks, config, space in
            let gap = Self.spaces[space]
            let configMember: String? = switch config {
            case 0: nil
            case 1: "\"generationConfig\":\(gap)null"
            case 2: "\"generationConfig\":\(gap){\(gap)}"
            default: "\"generationConfig\":{\"temperature\":\(gap)0.5,\(gap)\"maxOutputTokens\":\(gap)9000\(gap)}"
            }
            var members = Array(Set(picks.map { Self.decoys[$0 % Self.decoys.count] })).sorted()
            if let configMember { members.insert(configMember, at: members.count / 2) }
            let original = "{" + gap + members.joined(separator: "," + gap) + gap + "}"
            guard let rewritten = try? RequestRewriter.setOutputCap(buffer(original), endpoint: .geminiGenerateContent, cap: 64),
                  let parsed = jsonObject(rewritten), let base = jsonObject(buffer(original)) else {
                Issue.record("rewrite failed for \(original)")
                return
            }
            let expected = base.mutableCopy() as! NSMutableDictionary
            let generation = (base["generationConfig"] as? NSDictionary)?.mutableCopy() as? NSMutableDictionary ?? NSMutableDictionary()
            generation["maxOutputTokens"] = 64
            expected["generationConfig"] = generation
            #expect(parsed.isEqual(expected), "\(original) -> \(string(rewritten))")
            let peek = try? RequestPeeker.peek(rewritten, endpoint: .geminiGenerateContent, pathModel: "gemini-2.5-pro")
            #expect(peek?.outputCap == 64)
        }
    }
}
