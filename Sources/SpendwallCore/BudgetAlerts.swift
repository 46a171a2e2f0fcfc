/// Which alerts a budget's standing calls for: the spend thresholds it has crossed in its
/// window (50 / 80 / 100 % by default), and the forecast — at the burn rate of the window so
/// far, the budget runs out before the window ends.
public enum BudgetAlerts {
    /// Spend thresholds, in percent of the limit, unless a budget sets its own.
    public static let defaultThresholds = [50, 80, 100]

    /// One alert a budget is due.
    public enum Kind: Sendable, Hashable {
        /// Spend reached this percentage of the limit.
        case threshold(Int)
        /// At the current burn rate the budget runs out at `exhaustedAt` (ms), before its window ends.
        case forecast(exhaustedAt: Int64)

        /// A stable name, one per kind and threshold, so each fires once per window.
        public var name: String {
            switch self {
            case .threshold(let percent): "threshold-\(percent)"
            case .forecast: "forecast"
            }
        }
    }

    /// The alerts `account` calls for at `now` (ms), thresholds lowest first.
    ///
    /// A threshold is reached when the spend reaches that share of the limit. Because each
    /// request holds its worst case, a budget usually runs out before its spend reaches the
    /// limit: `exhausted` (it refused a request it could not cover) also reaches 100 %.
    ///
    /// The forecast needs a window with an end and a tenth of it (at most an hour) behind it, so
    /// that a first request early in the window does not project a storm; it projects the spend
    /// so far at the same rate to the window's end.
    public static func due(account: BudgetAccount, thresholds: [Int], now: Int64, exhausted: Bool = false) -> [Kind] {
        var due: [Kind] = []
        let limit = account.limit.nanodollars
        let spent = account.spent.nanodollars
        for percent in thresholds.sorted() where percent > 0 {
            // spent / limit ≥ percent / 100, in integers; a zero limit has crossed everything.
            if spent.saturatingMultiplied(by: 100) >= limit.saturatingMultiplied(by: Int64(percent)) || (exhausted && percent == 100) {
                due.append(.threshold(percent))
            }
        }
        if let exhaustedAt = exhaustion(account: account, now: now) { due.append(.forecast(exhaustedAt: exhaustedAt)) }
        return due
    }

    /// The forecast from the recent burn rate (exponentially weighted, see `BudgetForecast`): due
    /// when that rate runs the budget out before its window ends, with the same guard as the
    /// window's average (a tenth of the window, at most an hour, behind it), so a first burst
    /// early in the window does not fire it.
    public static func recentForecast(account: BudgetAccount, exhaustsAt: Int64?, now: Int64) -> Kind? {
        guard let exhaustsAt, let end = account.window.end, now < end, exhaustsAt < end, exhaustsAt > now else { return nil }
        let elapsed = now - account.window.start
        guard elapsed >= min(3_600_000, (end - account.window.start) / 10), account.spent > .zero else { return nil }
        return .forecast(exhaustedAt: exhaustsAt)
    }

    /// When the budget runs out at the burn rate of its window so far, if that is before the
    /// window ends; nil when it does not, the window never ends, or too little of it has passed.
    public static func exhaustion(account: BudgetAccount, now: Int64) -> Int64? {
        guard let end = account.window.end, now < end else { return nil }
        let elapsed = now - account.window.start
        let length = end - account.window.start
        guard elapsed > 0, elapsed >= min(3_600_000, length / 10), account.spent > .zero else { return nil }
        let remaining = account.limit.nanodollars - account.spent.nanodollars
        if remaining <= 0 { return nil }  // already spent: the 100 % threshold says so
        // Time to spend `remaining` at spent/elapsed per ms.
        let toExhaustion = Double(remaining) / Double(account.spent.nanodollars) * Double(elapsed)
        guard toExhaustion < Double(end - now) else { return nil }
        return now + Int64(toExhaustion.rounded(.up))
    }
}
