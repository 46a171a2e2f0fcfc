import Foundation
import Logging
import SpendwallCore

/// One JSON object per line on standard error: `ts`, `level`, `logger`, `message`, and the
/// metadata as string fields (`request.id`, `key.id`, `team`, `model`, …). Spendwall never puts a
/// key, a prompt or a completion into log metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        if let error = event.error { fields["error"] = "\(error)" }
        var line = "{\"ts\":"
        JSONQuoting.append(Date().formatted(.iso8601), to: &line)
        line += ",\"level\":"
        JSONQuoting.append(event.level.rawValue, to: &line)
        line += ",\"logger\":"
        JSONQuoting.append(label, to: &line)
        line += ",\"message\":"
        JSONQuoting.append(event.message.description, to: &line)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line += ","
            JSONQuoting.append(key, to: &line)
            line += ":"
            JSONQuoting.append(value.description, to: &line)
        }
        line += "}\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
