import Tracez
import TracezHTTP

/// Sends spans to any OpenTelemetry collector (and Jaeger, Tempo, Langfuse's OTel endpoint)
/// over OTLP/HTTP: `POST {endpoint}` with an `ExportTraceServiceRequest` in protobuf or
/// JSON, gzip-compressed if configured.
///
/// An `HTTPExporter` with the OTLP encoding (`OTLPHTTPEncoding.swift`), configured by an
/// ``OTLPExporterConfiguration``. Retry, backoff and the circuit breaker are the
/// `ExportPipeline`'s; this exporter
/// encodes, sends once per call, and reports what the collector said. A 2xx answer with a
/// `partial_success` that rejected spans is reported as `ExportError.partial(rejectedCount:retry:reason:)`
/// (OTLP says not to retry those), so they are counted as rejected by the backend.
///
/// ```swift
/// let exporter = try OTLPHTTPExporter(
///     configuration: OTLPExporterConfiguration(environment: ProcessInfo.processInfo.environment),
///     resource: OTLPResource(configuration: tracerConfiguration)
/// )
/// ```
///
/// Thread-safety: safe to call from any task; encoding state is per call.
public final class OTLPHTTPExporter: Exporter {
    public let configuration: OTLPExporterConfiguration
    private let http: HTTPExporter<OTLPHTTPEncoding>

    /// - Parameters:
    ///   - configuration: The endpoint, headers, encoding, compression, timeout and request size.
    ///   - resource: Sent once per request, with every span of the batch grouped under it.
    ///   - scope: Sent with every span as the instrumentation scope; Tracez's own by default.
    ///   - transport: Defaults to a pooled AsyncHTTPClient; tests pass their own.
    public init(
        configuration: OTLPExporterConfiguration,
        resource: OTLPResource,
        scope: OTLPInstrumentationScope = .tracez,
        transport: any HTTPTransport = AsyncHTTPClientTransport()
    ) {
        self.configuration = configuration
        http = HTTPExporter(configuration: configuration, resource: resource, scope: scope, transport: transport)
    }

    /// Sends the batch in one request, or, when its encoding is over
    /// ``OTLPExporterConfiguration/maxRequestBytes``, in as many as it takes: halves, halved
    /// again until each fits. A span that alone is over the limit is not sent
    /// (`DropReason.tooLarge`): the backend could only refuse it.
    public func export(_ batch: [SpanRecord]) async throws {
        try await http.export(batch)
    }

    public func shutdown() async {
        await http.shutdown()
    }
}

extension OTLPHTTPExporter: CustomStringConvertible, CustomReflectable {
    /// The endpoint, encoding and header names, never header values.
    public var description: String { "OTLPHTTPExporter(\(configuration))" }

    /// The configuration's own redacted mirror, so `dump` and debuggers show no header value.
    public var customMirror: Mirror {
        Mirror(self, children: ["configuration": configuration], displayStyle: .class)
    }
}
