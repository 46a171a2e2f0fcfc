import PropertyBased
import SpendwallCore
import Testing

@Suite struct GCRATests {
    static let second: Int64 = 1_000_000_000

    @Test("a fresh limit admits a burst of its rate, then one unit per emission interval; the wait is exact")
    func burstThenSteady() {
        let limit = GCRA(rate: 60)  // one per second, bursts of 60
        var tat: Int64?
        for index in 0..<60 {
            guard case .conforms(let next) = limit.check(tat: tat, cost: 1, now: 0) else {
                Issue.record("request \(index) of the burst was refused")
                return
            }
            tat = next
        }
        #expect(limit.check(tat: tat, cost: 1, now: 0) == .exceeds(retryAfterNanos: Self.second))
        #expect(limit.check(tat: tat, cost: 1, now: Self.second - 1) == .exceeds(retryAfterNanos: 1))
        guard case .conforms = limit.check(tat: tat, cost: 1, now: Self.second) else {
            Issue.record("one unit is earned back per second")
            return
        }
        // A refund gives the units back at once.
        if case .exceeds = limit.check(tat: limit.refund(tat: tat!, cost: 5), cost: 5, now: 0) {
            Issue.record("refunded units must be usable again")
        }
    }

    @Test("property: over any sequence of arrivals, admitted units never exceed rate + elapsed × rate / period")
    func neverExceedsTheRate() async {
        let gaps = Gen.int64(in: 0...(3 * Self.second)).array(of: 1...200)
        let costs = Gen.int64(in: 1...20).array(of: 200)
        await propertyCheck(count: 200, input: gaps, costs, Gen.int64(in: 1...120)) { gaps, costs, rate in
            let limit = GCRA(rate: rate)
            var tat: Int64?
            var now: Int64 = 0
            var admitted: Int64 = 0
            for (gap, cost) in zip(gaps, costs) {
                now += gap
                if case .conforms(let next) = limit.check(tat: tat, cost: cost, now: now) {
                    tat = next
                    admitted += cost
                }
                // The budget of units up to `now`: a full burst plus what the time since earned.
                #expect(admitted <= rate + now / limit.emissionInterval + 1)
            }
        }
    }
}
