import Tracez
import TracezHTTP
import TracezOTLP

/// What the Langfuse SDK environment variables say, read the way the official SDKs read them.
///
/// | variable | field | default |
/// | --- | --- | --- |
/// | `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY` | the keys (`pk-…`, `sk-…`) | required |
/// | `LANGFUSE_BASE_URL` (older: `LANGFUSE_HOST`) | the server | `https://cloud.langfuse.com` |
/// | `LANGFUSE_TRACING_ENVIRONMENT` | environment on every observation | none |
/// | `LANGFUSE_RELEASE` | release on every observation | none |
/// | `LANGFUSE_SAMPLE_RATE` | trace sampling ratio, 0...1 | 1 |
/// | `LANGFUSE_FLUSH_AT` | records per batch | 512 |
/// | `LANGFUSE_FLUSH_INTERVAL` | seconds between exports | 1 |
/// | `LANGFUSE_TIMEOUT` | seconds per request | 10 |
/// | `LANGFUSE_TRACING_ENABLED` | `false` records nothing | `true` |
/// | `LANGFUSE_DEBUG` | `true` logs each batch result | `false` |
public struct LangfuseSettings: Sendable {
    public var configuration: LangfuseConfiguration
    /// ``Sampler/traceIDRatio(_:)`` for `LANGFUSE_SAMPLE_RATE`; `nil` when unset.
    public var sampleRate: Double?
    /// From `LANGFUSE_FLUSH_AT` and `LANGFUSE_FLUSH_INTERVAL`.
    public var export: ExportConfiguration
    public var isTracingEnabled: Bool
    public var isDebug: Bool

    /// Whether the environment names both keys: the demo's test for "send to Langfuse".
    public static func isConfigured(in environment: [String: String]) -> Bool {
        !(environment["LANGFUSE_PUBLIC_KEY"] ?? "").isEmpty && !(environment["LANGFUSE_SECRET_KEY"] ?? "").isEmpty
    }

    /// - Throws: ``LangfuseConfigurationError`` naming the variable; never repeating a secret.
    public init(environment: [String: String], api: LangfuseConfiguration.API = .otel) throws(LangfuseConfigurationError) {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingWhitespace(), !raw.isEmpty else { return nil }
            return raw
        }
        func number(_ name: String, _ range: ClosedRange<Double>) throws(LangfuseConfigurationError) -> Double? {
            guard let raw = value(name) else { return nil }
            guard let parsed = Double(raw), range.contains(parsed) else {
                throw .invalidValue(field: name, reason: "expected a number from \(range.lowerBound) to \(range.upperBound), got '\(raw.prefix(40))'")
            }
            return parsed
        }
        func flag(_ name: String, default defaultValue: Bool) throws(LangfuseConfigurationError) -> Bool {
            guard let raw = value(name) else { return defaultValue }
            switch raw.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: throw .invalidValue(field: name, reason: "expected true or false, got '\(raw.prefix(40))'")
            }
        }

        guard let publicKey = value("LANGFUSE_PUBLIC_KEY"), let secretKey = value("LANGFUSE_SECRET_KEY") else {
            throw .missingKeys
        }
        let (baseVariable, base) =
            value("LANGFUSE_BASE_URL").map { ("LANGFUSE_BASE_URL", $0) }
            ?? value("LANGFUSE_HOST").map { ("LANGFUSE_HOST", $0) }
            ?? ("LANGFUSE_BASE_URL", LangfuseConfiguration.defaultBaseURL)
        let baseURL: HTTPEndpoint
        do {
            baseURL = try HTTPEndpoint(base)
        } catch {
            throw .invalidBaseURL(variable: baseVariable, reason: "\(error)")  // TransportError leaves out credentials
        }
        var export = ExportConfiguration()
        if let flushAt = try number("LANGFUSE_FLUSH_AT", 1...1_000_000) {
            guard flushAt == flushAt.rounded() else { throw .invalidValue(field: "LANGFUSE_FLUSH_AT", reason: "expected a whole number") }
            export.maxBatchSize = Int(flushAt)
        }
        if let seconds = try number("LANGFUSE_FLUSH_INTERVAL", 0.001...86_400) {
            export.interval = .milliseconds(Int64(seconds * 1000))
        }
        let timeout = try number("LANGFUSE_TIMEOUT", 0.001...3_600).map { Duration.milliseconds(Int64($0 * 1000)) } ?? .seconds(10)
        configuration = try LangfuseConfiguration(
            publicKey: publicKey,
            secretKey: secretKey,
            baseURL: baseURL,
            api: api,
            environment: value("LANGFUSE_TRACING_ENVIRONMENT"),
            release: value("LANGFUSE_RELEASE"),
            timeout: timeout
        )
        sampleRate = try number("LANGFUSE_SAMPLE_RATE", 0...1)
        self.export = export
        isTracingEnabled = try flag("LANGFUSE_TRACING_ENABLED", default: true)
        isDebug = try flag("LANGFUSE_DEBUG", default: false)
    }

    /// A tracer configuration with the sampler and the on/off switch these settings ask for.
    public func applied(to tracer: TracerConfiguration) -> TracerConfiguration {
        var tracer = tracer
        if let sampleRate { tracer.sampler = .parentBased(root: .traceIDRatio(sampleRate)) }
        if !isTracingEnabled { tracer.isEnabled = false }
        return tracer
    }
}
