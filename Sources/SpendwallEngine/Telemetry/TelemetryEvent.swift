import SpendwallCore
import SpendwallStorage

/// One exported ledger event as a JSON line. Its `id` is the row's hold id, unique in the
/// ledger: a consumer de-duplicates by it (export is at least once).
enum TelemetryEvent {
    static func json(_ entry: LedgerEntry) -> String {
        var text = "{\"id\":"
        JSONQuoting.append(entry.holdID, to: &text)
        text += ",\"type\":\"ledger.\(entry.status.rawValue)\",\"kind\":\"\(entry.kind)\",\"request_id\":"
        JSONQuoting.append(entry.requestID, to: &text)
        for (name, value) in [("tenant_id", entry.tenantID), ("key_id", entry.keyID), ("model", entry.model), ("provider", entry.provider.rawValue), ("endpoint", entry.endpoint)] {
            text += ",\"\(name)\":"
            JSONQuoting.append(value, to: &text)
        }
        for (name, value) in [("team_id", entry.teamID), ("user_id", entry.userID), ("upstream_id", entry.upstreamID)] {
            text += ",\"\(name)\":"
            if let value { JSONQuoting.append(value, to: &text) } else { text += "null" }
        }
        text += ",\"tags\":["
        for (index, tag) in entry.tags.enumerated() {
            if index > 0 { text += "," }
            JSONQuoting.append(tag, to: &text)
        }
        let usage = entry.usage
        text += "],\"usage\":{\"input\":\(usage.input),\"cached_input\":\(usage.cachedInput),\"cache_write\":\(usage.cacheWrite),"
        text += "\"extended_cache_write\":\(usage.extendedCacheWrite),\"output\":\(usage.output),\"reasoning\":\(usage.reasoning),"
        text += "\"audio_input\":\(usage.audioInput),\"audio_output\":\(usage.audioOutput)}"
        text += ",\"cost_nanodollars\":\(entry.cost.nanodollars),\"list_cost_nanodollars\":\(entry.listCost.nanodollars),\"hold_nanodollars\":\(entry.hold.nanodollars)"
        text += ",\"catalog_version\":"
        JSONQuoting.append(entry.catalogVersion, to: &text)
        text += ",\"started_at\":\(entry.startedAt),\"finished_at\":\(entry.finishedAt),\"latency_ms\":\(entry.latencyMillis)}"
        return text
    }
}
