/// Where a budget is heading at its burn rate.
public struct BudgetForecast: Sendable, Hashable, Codable {
    /// The exponentially weighted spend per hour now.
    public var burnRatePerHour: Money
    /// Spent plus the burn rate until the window ends; nil for a budget whose window never ends.
    public var projectedAtWindowEnd: Money?
    /// When the limit is reached at this rate (ms), if it is before the window ends (or, for a
    /// `total` budget, ever); nil when the rate is zero or the window ends first.
    public var exhaustsAt: Int64?

    public init(burnRatePerHour: Money, projectedAtWindowEnd: Money?, exhaustsAt: Int64?) {
        self.burnRatePerHour = burnRatePerHour
        self.projectedAtWindowEnd = projectedAtWindowEnd
        self.exhaustsAt = exhaustsAt
    }

    /// The forecast of `account` at `now` from its burn rate (nano-dollars per millisecond);
    /// held money counts as spent.
    public static func make(account: BudgetAccount, nanodollarsPerMilli perMilli: Double, now: Int64) -> BudgetForecast {
        let committed = account.spent + account.held
        var projected: Money?
        if let end = account.window.end, end > now {
            projected = committed + Money(nanodollars: Int64((perMilli * Double(end - now)).rounded()))
        } else if account.window.end != nil {
            projected = committed
        }
        var exhaustsAt: Int64?
        let left = account.limit.nanodollars - committed.nanodollars
        if left <= 0 {
            exhaustsAt = now
        } else if perMilli > 0 {
            let at = Double(now) + Double(left) / perMilli
            if at < Double(Int64.max), account.window.end.map({ at < Double($0) }) ?? true { exhaustsAt = Int64(at.rounded(.up)) }
        }
        return BudgetForecast(burnRatePerHour: Money(nanodollars: Int64((perMilli * 3_600_000).rounded())), projectedAtWindowEnd: projected, exhaustsAt: exhaustsAt)
    }
}
