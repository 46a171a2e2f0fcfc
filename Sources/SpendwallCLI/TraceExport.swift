import OTel
import ServiceLifecycle

/// OpenTelemetry traces over OTLP/HTTP (`traces: true` in the config). Endpoint, protocol
/// (`http/protobuf` or `http/json`), headers and sampling come from the standard `OTEL_*`
/// variables; only traces are exported (Spendwall's metrics are at `/metrics`, its logs on
/// standard error).
enum TraceExport {
    static func bootstrap() throws -> some Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "spendwall"
        configuration.traces.enabled = true
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        return try OTel.bootstrap(configuration: configuration)
    }
}
