/// GPU time paid for in intervals, the way requests are: a hold covers the next stretch of time
/// before it is used, and is settled to the time actually used.
///
/// Time is a line of milliseconds. `settledThrough` is where charged time ends; an open hold
/// covers `[settledThrough, heldThrough)`. A tick ``settle(at:)``s the open hold for the time up to
/// now (at most what it covers), then asks for the ``nextHold(at:)``: the time since
/// `settledThrough` not yet covered, plus one interval, plus the grace period a kill may take,
/// so the budget also pays for stopping the engine. When that hold does not fit, the engine is
/// stopped, and the final ``settle(at:)`` charges up to the moment it was gone.
public struct GPUTimeAccrual: Sendable, Hashable, Codable {
    public var rate: GPURate
    public var intervalMillis: Int64
    public var graceMillis: Int64
    /// Where charged time ends.
    public private(set) var settledThrough: Int64
    /// The open hold: the end of the time it covers and its amount; nil when none is open.
    public private(set) var open: OpenHold?
    /// Everything charged so far.
    public private(set) var charged: Money

    public struct OpenHold: Sendable, Hashable, Codable {
        /// The hold's sequence number, for its id.
        public var sequence: Int
        public var through: Int64
        public var amount: Money
    }

    /// A hold to place: covers `[from, through)` for `amount`.
    public struct HoldRequest: Sendable, Hashable {
        public var sequence: Int
        public var from: Int64
        public var through: Int64
        public var amount: Money
    }

    /// A charge to record: `[from, through)` cost `amount`, settling hold `sequence`.
    public struct Charge: Sendable, Hashable {
        public var sequence: Int
        public var from: Int64
        public var through: Int64
        public var amount: Money
        public var hold: Money
    }

    /// The last hold sequence number used.
    public private(set) var lastSequence: Int

    public init(rate: GPURate, intervalMillis: Int64, graceMillis: Int64, startedAt: Int64, charged: Money = .zero, lastSequence: Int = 0) {
        self.rate = rate
        self.intervalMillis = intervalMillis
        self.graceMillis = graceMillis
        self.settledThrough = startedAt
        self.charged = charged
        self.lastSequence = lastSequence
    }

    /// The hold to place at `now`: the uncovered time since `settledThrough`, one interval and the
    /// grace period. Nil while a hold is open.
    public func nextHold(at now: Int64) -> HoldRequest? {
        hold(at: now, covering: intervalMillis + graceMillis)
    }

    /// A hold from `settledThrough` to `millis` after `now` (e.g. the time a kill may take). Nil
    /// while a hold is open.
    public func hold(at now: Int64, covering millis: Int64) -> HoldRequest? {
        guard open == nil else { return nil }
        let through = max(now, settledThrough) + millis
        return HoldRequest(sequence: lastSequence + 1, from: settledThrough, through: through, amount: rate.cost(millis: through - settledThrough))
    }

    /// Records that the hold asked for was placed.
    public mutating func holdPlaced(_ request: HoldRequest) {
        lastSequence = request.sequence
        open = OpenHold(sequence: request.sequence, through: request.through, amount: request.amount)
    }

    /// Settles the open hold for the time used up to `now` (at most the time it covers); nil when
    /// no hold is open.
    public mutating func settle(at now: Int64) -> Charge? {
        guard let hold = open else { return nil }
        let through = min(max(now, settledThrough), hold.through)
        let amount = min(rate.cost(millis: through - settledThrough), hold.amount)
        let charge = Charge(sequence: hold.sequence, from: settledThrough, through: through, amount: amount, hold: hold.amount)
        settledThrough = through
        charged += amount
        open = nil
        return charge
    }

    /// The open hold was charged in full by someone else (a restart charging holds left open):
    /// its whole span counts as charged.
    public mutating func openHoldChargedInFull() {
        guard let hold = open else { return }
        settledThrough = hold.through
        charged += hold.amount
        open = nil
    }

    /// What the time used up to `now` costs, charged or not: the figure to show.
    public func cost(at now: Int64) -> Money {
        guard let hold = open else { return charged }
        let through = min(max(now, settledThrough), hold.through)
        return charged + min(rate.cost(millis: through - settledThrough), hold.amount)
    }

    /// Restores an accrual from what was stored.
    public init(rate: GPURate, intervalMillis: Int64, graceMillis: Int64, settledThrough: Int64, open: OpenHold?, charged: Money, lastSequence: Int) {
        self.rate = rate
        self.intervalMillis = intervalMillis
        self.graceMillis = graceMillis
        self.settledThrough = settledThrough
        self.open = open
        self.charged = charged
        self.lastSequence = lastSequence
    }
}
