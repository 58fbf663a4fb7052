import Tracez
import TracezLangfuse
import TracezOTLP
import TracezOTLPGRPC

/// What ``TracezSystem`` builds: the tracer's settings, a profile, and where spans go.
///
/// A plain value; every field has a default. Read it from the environment with
/// ``init(environment:serviceName:profile:)``, or write it out:
///
/// ```swift
/// var configuration = TracezSystemConfiguration(serviceName: "chat", profile: .highThroughput)
/// configuration.otlp = try OTLPExporterConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"])
/// let tracing = try TracezSystem.bootstrap(configuration)
/// ```
///
/// With none of ``otlp``, ``otlpGRPC`` and ``langfuse`` set, spans go to standard output (``stdout``).
public struct TracezSystemConfiguration: Sendable {
    /// Service name, sampler, span limits and start hooks.
    public var tracer: TracerConfiguration
    /// Collector capacity, batch size, interval and retries; the environment's `OTEL_BSP_*` and
    /// `LANGFUSE_FLUSH_*` variables win over it.
    public var profile: TracingProfile
    /// Export over OTLP/HTTP to this endpoint, when set.
    public var otlp: OTLPExporterConfiguration?
    /// Export over OTLP/gRPC to this endpoint, when set.
    public var otlpGRPC: OTLPGRPCExporterConfiguration?
    /// Export to Langfuse, when set.
    public var langfuse: LangfuseSettings?
    /// How spans are printed when there is nowhere else to send them.
    public var stdout: StdoutExporter.Format
    /// Export settings read from the environment, which win over the profile's field by field.
    var exportOverrides: ExportOverrides

    public init(
        serviceName: String = "unknown_service",
        profile: TracingProfile = .default,
        otlp: OTLPExporterConfiguration? = nil,
        langfuse: LangfuseSettings? = nil,
        stdout: StdoutExporter.Format = .tree
    ) {
        self.init(tracer: TracerConfiguration(serviceName: serviceName), profile: profile, otlp: otlp, langfuse: langfuse, stdout: stdout)
    }

    public init(
        tracer: TracerConfiguration,
        profile: TracingProfile = .default,
        otlp: OTLPExporterConfiguration? = nil,
        langfuse: LangfuseSettings? = nil,
        stdout: StdoutExporter.Format = .tree
    ) {
        self.tracer = tracer
        self.profile = profile
        self.otlp = otlp
        self.langfuse = langfuse
        self.stdout = stdout
        self.exportOverrides = ExportOverrides()
    }

    /// Reads the standard variables: `OTEL_*` for the tracer and OTLP (an endpoint in
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` turns OTLP on, over
    /// gRPC when `OTEL_EXPORTER_OTLP_PROTOCOL` is `grpc`, into ``otlpGRPC``),
    /// `LANGFUSE_*` for Langfuse (both keys turn it on). `OTEL_SERVICE_NAME` wins over `serviceName`.
    ///
    /// - Throws: A clear error for a half configuration: one Langfuse key without the other
    ///   (`LangfuseConfigurationError`), an endpoint or any value that does not parse
    ///   (`TracezError`, naming the variable and never repeating a secret).
    public init(environment: [String: String], serviceName: String? = nil, profile: TracingProfile = .default) throws {
        let reader = EnvironmentReader(environment)
        var tracer = try TracerConfiguration(environment: environment)
        if let serviceName, reader.string("OTEL_SERVICE_NAME") == nil, tracer.resourceAttributes.get("service.name") == nil {
            tracer.serviceName = serviceName
        }
        self.init(tracer: tracer, profile: profile)
        if reader.string("OTEL_EXPORTER_OTLP_ENDPOINT") != nil || reader.string("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != nil {
            if OTLPGRPCExporterConfiguration.isRequested(by: environment) {
                otlpGRPC = try OTLPGRPCExporterConfiguration(environment: environment)
            } else {
                otlp = try OTLPExporterConfiguration(environment: environment)
            }
        }
        // One key alone is a mistake to report, not a reason to send elsewhere.
        if reader.string("LANGFUSE_PUBLIC_KEY") != nil || reader.string("LANGFUSE_SECRET_KEY") != nil {
            let settings = try LangfuseSettings(environment: environment)
            langfuse = settings
            self.tracer = settings.applied(to: self.tracer)
        }
        exportOverrides = try ExportOverrides(environment: environment, langfuse: langfuse)
        if let capacity = try reader.integer("OTEL_BSP_MAX_QUEUE_SIZE", in: 1...EnvironmentReader.maximum) {
            self.profile.capacity = capacity
        }
    }
}

/// The export settings the environment set, each applied over the profile's.
struct ExportOverrides: Sendable {
    var maxBatchSize: Int?
    var interval: Duration?
    var exportTimeout: Duration?

    init() {}

    init(environment: [String: String], langfuse: LangfuseSettings?) throws {
        let reader = EnvironmentReader(environment)
        let otel = try ExportConfiguration(environment: environment)
        if reader.string("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") != nil { maxBatchSize = otel.maxBatchSize }
        if reader.string("OTEL_BSP_SCHEDULE_DELAY") != nil { interval = otel.interval }
        if reader.string("OTEL_BSP_EXPORT_TIMEOUT") != nil { exportTimeout = otel.exportTimeout }
        // Langfuse's own names, as its SDKs read them.
        if let langfuse {
            if reader.string("LANGFUSE_FLUSH_AT") != nil { maxBatchSize = langfuse.export.maxBatchSize }
            if reader.string("LANGFUSE_FLUSH_INTERVAL") != nil { interval = langfuse.export.interval }
        }
    }

    /// `profile`'s export settings, with these over them.
    func export(for profile: TracingProfile) -> ExportConfiguration {
        var export = profile.applied(to: ExportConfiguration())
        if let maxBatchSize { export.maxBatchSize = maxBatchSize }
        if let interval { export.interval = interval }
        if let exportTimeout { export.exportTimeout = exportTimeout }
        return export
    }
}
