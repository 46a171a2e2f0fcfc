import SpendwallCore
import Synchronization

extension InMemoryStore {
    public func insertRefusal(_ refusal: RefusalRecord) async throws {
        state.withLock { $0.refusals.append(refusal) }
    }

    public func refusalCounts(_ query: SpendQuery) async throws -> [RefusalCount] {
        let refusals = state.withLock { $0.refusals }
        var counts: [String: [String: Int64]] = [:]
        for refusal in refusals where (query.tenantID == nil || refusal.tenantID == query.tenantID)
            && (query.from.map { refusal.at >= $0 } ?? true) && (query.to.map { refusal.at < $0 } ?? true) {
            for group in Self.groups(of: refusal, by: query.groupBy) { counts[group, default: [:]][refusal.reason, default: 0] += 1 }
        }
        return counts.flatMap { group, reasons in reasons.map { RefusalCount(group: group, reason: $0.key, count: $0.value) } }
            .sorted { ($0.group, $0.reason) < ($1.group, $1.reason) }
    }

    public func insertTraceLink(tenantID: String, traceID: String, requestID: String) async throws {
        state.withLock { state in
            let key = tenantID + "\u{1F}" + traceID
            if !(state.traces[key] ?? []).contains(requestID) { state.traces[key, default: []].append(requestID) }
        }
    }

    public func requestIDs(traceID: String, tenantID: String) async throws -> [String] {
        state.withLock { ($0.traces[tenantID + "\u{1F}" + traceID] ?? []).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
    }

    public func insertOutcome(_ outcome: OutcomeRecord) async throws {
        state.withLock { $0.outcomes[outcome.tenantID + "\u{1F}" + outcome.requestID] = outcome }
    }

    public func outcomeSummaries(_ query: SpendQuery) async throws -> [OutcomeSummary] {
        let (outcomes, ledger) = state.withLock { ($0.outcomes, $0.ledger) }
        var rows: [String: OutcomeSummary] = [:]
        var counted: Set<String> = []
        for entry in ledger where entry.kind != "gpu_time" && (query.tenantID == nil || entry.tenantID == query.tenantID)
            && (query.from.map { entry.startedAt >= $0 } ?? true) && (query.to.map { entry.startedAt < $0 } ?? true) {
            guard let outcome = outcomes[entry.tenantID + "\u{1F}" + entry.requestID] else { continue }
            for group in Self.groups(of: entry, by: query.groupBy) {
                var row = rows[group] ?? OutcomeSummary(group: group)
                // A request that failed over has a row per attempt: count it once, cost them all.
                let first = counted.insert(group + "\u{1F}" + entry.requestID).inserted ? Int64(1) : 0
                switch outcome.verdict {
                case .accepted:
                    row.accepted += first
                    row.acceptedCost += entry.cost
                case .rejected: row.rejected += first
                case .reworked:
                    row.reworked += first
                    row.reworkCost += entry.cost
                }
                rows[group] = row
            }
        }
        return rows.values.sorted { $0.group < $1.group }
    }

    static func groups(of refusal: RefusalRecord, by grouping: SpendQuery.Grouping) -> [String] {
        switch grouping {
        case .tenant: [refusal.tenantID]
        case .team: [refusal.teamID ?? ""]
        case .user: [refusal.userID ?? ""]
        case .key: [refusal.keyID]
        case .tag: refusal.tags
        case .model: [refusal.model]
        case .provider: [refusal.provider.rawValue]
        case .status: ["refused"]
        }
    }
}

extension InMemoryStore {
    public func ledgerRows(after position: Int64, finishedBefore: Int64, limit: Int) async throws -> [PositionedEntry] {
        state.withLock { state in
            state.ledger.enumerated().dropFirst(Int(max(0, position))).prefix { $0.element.finishedAt <= finishedBefore }.prefix(limit)
                .map { PositionedEntry(position: Int64($0.offset + 1), entry: $0.element) }
        }
    }

    public func exportCursor(sink: String) async throws -> Int64 {
        state.withLock { $0.exportCursors[sink] ?? 0 }
    }

    public func setExportCursor(sink: String, position: Int64) async throws {
        state.withLock { $0.exportCursors[sink] = position }
    }
}
