import SpendwallCore
import SpendwallStorage

/// Spend over time per team, bucketed, drawn as an SVG of stacked columns.
struct SpendChart {
    /// Bucket widths the page offers, from 10 seconds to a day.
    static let bucketChoices: [(name: String, millis: Int64)] = [
        ("10s", 10_000), ("1m", 60_000), ("10m", 600_000), ("1h", 3_600_000), ("1d", 86_400_000),
    ]

    var bucketMillis: Int64
    var buckets: Int
    /// Start of each bucket, oldest first.
    var starts: [Int64]
    /// Team → spend per bucket (nano-dollars).
    var series: [(team: String, values: [Int64])]

    /// The last `buckets` buckets up to `now` from ledger rows (requests and GPU time).
    init(rows: [LedgerEntry], bucketMillis: Int64, buckets: Int = 30, now: Int64) {
        self.bucketMillis = bucketMillis
        self.buckets = buckets
        let last = now - now % bucketMillis
        starts = (0..<buckets).map { last - Int64(buckets - 1 - $0) * bucketMillis }
        var byTeam: [String: [Int64]] = [:]
        for row in rows where row.startedAt >= starts[0] && row.cost > .zero {
            let index = Int((row.startedAt - starts[0]) / bucketMillis)
            guard index >= 0 && index < buckets else { continue }
            byTeam[row.teamID ?? "(no team)", default: Array(repeating: 0, count: buckets)][index] += row.cost.nanodollars
        }
        series = byTeam.sorted { $0.key < $1.key }.map { (team: $0.key, values: $0.value) }
    }

    /// From the 10-second tumbling windows of ``SpendAggregator``, oldest first.
    init(windows: [(start: Int64, teams: [String: Int64])]) {
        bucketMillis = SpendAggregator.windowMillis
        buckets = windows.count
        starts = windows.map(\.start)
        let teams = Set(windows.flatMap { $0.teams.keys }).sorted()
        series = teams.map { team in (team: team.isEmpty ? "(no team)" : team, values: windows.map { $0.teams[team] ?? 0 }) }
    }

    static let colours = ["#2f6fdf", "#e0812b", "#2e9e5b", "#c2423b", "#8a57c9", "#7a6a55", "#d05fa8", "#6b7a8a"]

    /// An SVG of stacked columns with a legend; every bar carries its team and nano-dollars.
    func svg(width: Int = 900, height: Int = 240) -> String {
        let totals = (0..<buckets).map { index in series.reduce(Int64(0)) { $0 + $1.values[index] } }
        let top = max(1, totals.max() ?? 1)
        let plotHeight = Double(height - 40)
        let barWidth = Double(width - 60) / Double(buckets)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"spend over time per team\">"
        svg += "<text x=\"0\" y=\"12\" class=\"axis\">\(HTML.escape(Money(nanodollars: top).description))</text>"
        svg += "<line x1=\"50\" y1=\"\(height - 30)\" x2=\"\(width - 5)\" y2=\"\(height - 30)\" class=\"axisline\"/>"
        for index in 0..<buckets {
            var y = plotHeight + 10
            for (offset, line) in series.enumerated() where line.values[index] > 0 {
                let h = Double(line.values[index]) / Double(top) * plotHeight
                y -= h
                let x = 55 + Double(index) * barWidth
                svg += "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(max(1, barWidth - 2)))\" height=\"\(format(h))\" fill=\"\(Self.colours[offset % Self.colours.count])\""
                svg += " data-team=\"\(HTML.escape(line.team))\" data-bucket=\"\(starts[index])\" data-nanodollars=\"\(line.values[index])\"><title>\(HTML.escape(line.team)): \(Money(nanodollars: line.values[index]))</title></rect>"
            }
        }
        svg += "</svg>"
        return svg
    }

    func format(_ value: Double) -> String { String((value * 10).rounded() / 10) }
}

/// Escaping for HTML text and attribute values.
enum HTML {
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
