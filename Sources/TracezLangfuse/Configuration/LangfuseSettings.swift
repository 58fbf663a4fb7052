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
/// | `LANGFUSE_TRACING_ENABLED` | `false` (or `0`) records nothing | `true` |
/// | `LANGFUSE_DEBUG` | `true` (or `1`) logs each batch result | `false` |
public struct LangfuseSettings: Sendable {
    public var configuration: LangfuseConfiguration
    /// `Sampler.traceIDRatio(_:)` for `LANGFUSE_SAMPLE_RATE`; `nil` when unset.
    public var sampleRate: Double?
    /// From `LANGFUSE_FLUSH_AT` and `LANGFUSE_FLUSH_INTERVAL`.
    public var export: ExportConfiguration
    public var isTracingEnabled: Bool
    public var isDebug: Bool

    /// Whether the environment names both keys: the demo's test for "send to Langfuse".
    public static func isConfigured(in environment: [String: String]) -> Bool {
        let reader = EnvironmentReader(environment)
        return reader.string("LANGFUSE_PUBLIC_KEY") != nil && reader.string("LANGFUSE_SECRET_KEY") != nil
    }

    /// Values follow the one vocabulary of every Tracez module (booleans `true`/`false`/`1`/`0`;
    /// see `Docs/Concepts.md`); durations are in seconds, as the Python SDK reads them.
    ///
    /// - Throws: ``LangfuseConfigurationError`` naming the variable; never repeating a secret.
    public init(environment: [String: String], api: LangfuseConfiguration.API = .otel) throws(LangfuseConfigurationError) {
        let reader = EnvironmentReader(environment)
        // The reader's error, as this module's: the variable, why, and what may be shown of the value.
        func read<T>(_ body: () throws(TracezError) -> T) throws(LangfuseConfigurationError) -> T {
            do {
                return try body()
            } catch {
                throw .invalidValue(field: error.name ?? "", reason: "\(error.reason ?? ""), got '\(error.value ?? "")'")
            }
        }

        guard let publicKey = reader.string("LANGFUSE_PUBLIC_KEY"), let secretKey = reader.string("LANGFUSE_SECRET_KEY") else {
            throw .missingKeys
        }
        let baseVariable = reader.first(of: ["LANGFUSE_BASE_URL", "LANGFUSE_HOST"])?.name ?? "LANGFUSE_BASE_URL"
        let baseURL: HTTPEndpoint
        do {
            // TransportError leaves out credentials, and so does the shown value.
            baseURL =
                try reader.url(baseVariable, redacted: HTTPEndpoint.redacted) { raw in try HTTPEndpoint(raw) }
                ?? HTTPEndpoint(LangfuseConfiguration.defaultBaseURL)
        } catch let error as TracezError {
            throw .invalidBaseURL(variable: baseVariable, reason: error.reason ?? "")
        } catch {
            throw .invalidBaseURL(variable: baseVariable, reason: "\(error)")
        }
        var export = ExportConfiguration()
        if let flushAt = try read({ () throws(TracezError) in try reader.integer("LANGFUSE_FLUSH_AT", in: 1...1_000_000) }) {
            export.maxBatchSize = flushAt
        }
        if let interval = try read({ () throws(TracezError) in try reader.seconds("LANGFUSE_FLUSH_INTERVAL", in: 0.001...86_400) }) {
            export.interval = interval
        }
        let timeout = try read({ () throws(TracezError) in try reader.seconds("LANGFUSE_TIMEOUT", in: 0.001...3_600) }) ?? .seconds(10)
        configuration = try LangfuseConfiguration(
            publicKey: publicKey,
            secretKey: secretKey,
            baseURL: baseURL,
            api: api,
            environment: reader.string("LANGFUSE_TRACING_ENVIRONMENT"),
            release: reader.string("LANGFUSE_RELEASE"),
            timeout: timeout
        )
        sampleRate = try read({ () throws(TracezError) in try reader.number("LANGFUSE_SAMPLE_RATE", in: 0...1) })
        self.export = export
        isTracingEnabled = try read({ () throws(TracezError) in try reader.bool("LANGFUSE_TRACING_ENABLED") }) ?? true
        isDebug = try read({ () throws(TracezError) in try reader.bool("LANGFUSE_DEBUG") }) ?? false
    }

    /// A tracer configuration with the sampler and the on/off switch these settings ask for,
    /// an attribute value cap (`SpanLimits.maxAttributeValueBytes`) no smaller than the
    /// configuration's ``LangfuseConfiguration/maxValueBytes``, and a ``TraceAttributesHook``
    /// (unless it has one), so that every span started inside `withTrace` carries the trace's fields.
    public func applied(to tracer: TracerConfiguration) -> TracerConfiguration {
        var tracer = tracer
        if !tracer.startHooks.contains(where: { $0 is TraceAttributesHook }) { tracer.startHooks.append(TraceAttributesHook()) }
        // Room for every value the configuration lets through, so that a long prompt is not
        // turned into a marker by the tracer's smaller cap.
        tracer.limits.maxAttributeValueBytes = max(tracer.limits.maxAttributeValueBytes, configuration.maxValueBytes)
        if let sampleRate { tracer.sampler = .parentBased(root: .traceIDRatio(sampleRate)) }
        if !isTracingEnabled { tracer.isEnabled = false }
        return tracer
    }
}
