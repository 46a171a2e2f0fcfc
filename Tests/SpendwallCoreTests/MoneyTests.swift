import Foundation
import PropertyBased
import SpendwallCore
import Testing

@Suite("Money")
struct MoneyTests {
    @Test(arguments: [
        (Int64(0), "$0.00"),
        (1, "$0.000000001"),
        (1_000, "$0.000001"),
        (1_250_000, "$0.00125"),
        (10_000_000, "$0.01"),
        (500_000_000, "$0.50"),
        (12_500_000_000, "$12.50"),
        (1_000_000_000, "$1.00"),
        (-1_500_000_000, "-$1.50"),
        (Int64.max, "$9223372036.854775807"),
    ])
    func formatsEverySignificantDigit(nanodollars: Int64, text: String) {
        #expect(Money(nanodollars: nanodollars).description == text)
    }

    @Test(arguments: [
        ("12", Int64(12_000_000_000)),
        ("12.5", 12_500_000_000),
        ("$0.000001", 1_000),
        ("0.000000001", 1),
        (" $3.75 ", 3_750_000_000),
        (".5", 500_000_000),
        ("$-2", -2_000_000_000),
        ("9223372036.854775807", Int64.max),
    ])
    func parsesDollarStrings(text: String, nanodollars: Int64) {
        #expect(Money(dollarString: text) == Money(nanodollars: nanodollars))
    }

    @Test(arguments: ["", "$", "-", ".", "abc", "1.0000000001", "1e3", "1,5", "+1", "9223372036.854775808", "1.2.3"])
    func rejectsMalformedDollarStrings(text: String) {
        #expect(Money(dollarString: text) == nil)
    }

    @Test func formattingAndParsingRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.int64(in: 0 ... .max)) { nanos in
            let money = Money(nanodollars: nanos)
            #expect(Money(dollarString: money.description) == money)
        }
    }

    @Test func negativeAmountsRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.int64(in: Int64.min ... -1)) { nanos in
            let money = Money(nanodollars: nanos)
            #expect(Money(dollarString: money.description) == money)
        }
        #expect(Money(dollarString: "-$1.50") == Money(nanodollars: -1_500_000_000))
        #expect(Money(dollarString: "$-1.50") == Money(nanodollars: -1_500_000_000))
    }

    @Test func unitConstructors() {
        #expect(Money.microdollars(1) == Money(nanodollars: 1_000))
        #expect(Money.cents(1) == Money(nanodollars: 10_000_000))
        #expect(Money.dollars(1) == Money(nanodollars: 1_000_000_000))
        #expect(Money.dollars(Int64.max) == Money(nanodollars: .max))
        #expect(Money.cents(Int64.min) == Money(nanodollars: .min))
    }

    @Test func arithmeticSaturatesInsteadOfTrapping() {
        let max = Money(nanodollars: .max)
        let min = Money(nanodollars: .min)
        #expect(max + Money(nanodollars: 1) == max)
        #expect(min + Money(nanodollars: -1) == min)
        #expect(min - Money(nanodollars: 1) == min)
        #expect(max - Money(nanodollars: -1) == max)
        #expect(Money.zero - min == max)
        #expect(max * 2 == max)
        #expect(max * -2 == min)
        #expect(min * -1 == max)
        var total = Money.dollars(1)
        total += .cents(50)
        total -= .cents(25)
        #expect(total == Money(nanodollars: 1_250_000_000))
    }

    @Test func saturatingArithmeticNeverTraps() async {
        await propertyCheck(count: 300, input: Gen.int64(), Gen.int64()) { a, b in
            let sum = Money(nanodollars: a) + Money(nanodollars: b)
            let difference = Money(nanodollars: a) - Money(nanodollars: b)
            let product = Money(nanodollars: a) * b
            let (exactSum, sumOverflow) = a.addingReportingOverflow(b)
            if !sumOverflow { #expect(sum.nanodollars == exactSum) }
            let (exactDifference, differenceOverflow) = a.subtractingReportingOverflow(b)
            if !differenceOverflow { #expect(difference.nanodollars == exactDifference) }
            let (exactProduct, productOverflow) = a.multipliedReportingOverflow(by: b)
            if !productOverflow { #expect(product.nanodollars == exactProduct) }
            else { #expect(product.nanodollars == .max || product.nanodollars == .min) }
        }
    }

    @Test func ordersByAmount() {
        #expect(Money.cents(1) < Money.cents(2))
        #expect(Money(nanodollars: -1) < .zero)
    }

    @Test func codesAsABareIntegerOfNanodollars() throws {
        let data = try JSONEncoder().encode([Money(nanodollars: 1_250_000)])
        #expect(String(decoding: data, as: UTF8.self) == "[1250000]")
        #expect(try JSONDecoder().decode([Money].self, from: data) == [Money(nanodollars: 1_250_000)])
    }
}
