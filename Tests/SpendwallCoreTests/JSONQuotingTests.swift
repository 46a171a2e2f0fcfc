import Foundation
import PropertyBased
import SpendwallCore
import Testing

@Suite struct JSONQuotingTests {
    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(JSONQuoting.quoted("plain") == #""plain""#)
        #expect(JSONQuoting.quoted(#"say "hi" \ bye"#) == #""say \"hi\" \\ bye""#)
        #expect(JSONQuoting.quoted("a\nb\u{01}") == #""a\nb\u0001""#)
    }

    @Test func anyStringRoundTripsThroughAJSONParser() async {
        await propertyCheck(count: 300, input: Gen.unicodeScalar(in: "\u{0}"..."\u{2FF}").array(of: 0...40)) { scalars in
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            let json = "[" + JSONQuoting.quoted(text) + "]"
            let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
            #expect(parsed == [text])
        }
    }
}
