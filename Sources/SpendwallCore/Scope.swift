/// The kinds of thing a budget can be attached to.
public enum ScopeKind: String, Sendable, Hashable, Codable, CaseIterable {
    case tenant
    case team
    case user
    case key
    case tag
}

/// One node of attribution: a tenant, a team, a user, a key, or a tag such as `feature:search`.
public struct Scope: Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: ScopeKind
    /// The id of the tenant/team/user/key, or the tag text.
    public var id: String

    public init(kind: ScopeKind, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func tenant(_ id: String) -> Scope { Scope(kind: .tenant, id: id) }
    public static func team(_ id: String) -> Scope { Scope(kind: .team, id: id) }
    public static func user(_ id: String) -> Scope { Scope(kind: .user, id: id) }
    public static func key(_ id: String) -> Scope { Scope(kind: .key, id: id) }
    public static func tag(_ id: String) -> Scope { Scope(kind: .tag, id: id) }

    /// `kind:id`, e.g. `team:research`.
    public var description: String { "\(kind.rawValue):\(id)" }
}

/// How often a budget's spend starts again from zero.
public enum BudgetPeriod: String, Sendable, Hashable, Codable, CaseIterable {
    /// Never resets.
    case total
    case daily
    case weekly
    case monthly
}

/// A half-open span of time `[start, end)` in milliseconds since the Unix epoch. `end` is nil for
/// a total budget.
public struct PeriodWindow: Sendable, Hashable, Codable {
    public var start: Int64
    public var end: Int64?

    public init(start: Int64, end: Int64?) {
        self.start = start
        self.end = end
    }

    /// The window of a budget that never resets.
    public static let forever = PeriodWindow(start: 0, end: nil)
}
