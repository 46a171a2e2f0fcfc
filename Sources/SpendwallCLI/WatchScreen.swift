import Foundation
import SpendwallCore
#if canImport(Glibc)
import Glibc
#endif

/// The terminal `spendwall watch` draws on: the alternate screen without a cursor while it runs,
/// the normal screen and cursor back when it ends (also on Ctrl-C and SIGTERM).
enum WatchScreen {
    static let enter = "\u{1B}[?1049h\u{1B}[?25l"
    static let leave = "\u{1B}[?25h\u{1B}[?1049l"
    static let home = "\u{1B}[H"
    static let clearBelow = "\u{1B}[J"
    static let clearLine = "\u{1B}[K"

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Columns and rows of the terminal on standard output (80×24 when it is not one).
    static func size() -> (columns: Int, rows: Int) {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// Whether colours are allowed: not with `NO_COLOR` set (to anything), nor off a terminal.
    static var colours: Bool {
        ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
    }
}

/// ANSI colours, or nothing when colours are off.
struct Palette {
    var enabled: Bool

    func paint(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }
    func red(_ text: String) -> String { paint(text, "31") }
    func yellow(_ text: String) -> String { paint(text, "33") }
    func green(_ text: String) -> String { paint(text, "32") }
}

/// Small drawings: bars and sparklines.
enum Glyphs {
    /// `[█████░░░░░]` of `width` cells for a share 0…1 (clamped).
    static func bar(_ share: Double, width: Int) -> String {
        let cells = max(1, width)
        let filled = Int((min(max(share, 0), 1) * Double(cells)).rounded())
        return "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: cells - filled) + "]"
    }

    /// `▁▂▅█` scaled to the largest value (all `▁` when everything is zero).
    static func sparkline(_ values: [Int64]) -> String {
        let ticks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        guard let top = values.max(), top > 0 else { return String(repeating: "▁", count: values.count) }
        return String(values.map { ticks[min(ticks.count - 1, Int(Double(max(0, $0)) / Double(top) * Double(ticks.count - 1)))] })
    }
}
