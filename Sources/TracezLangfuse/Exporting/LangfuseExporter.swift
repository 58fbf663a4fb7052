import Foundation
import Logging
import Tracez
import TracezHTTP
import TracezOTLP

/// Sends spans to Langfuse as observations, and scores as scores, in either of Langfuse's
/// two ways in (``LangfuseConfiguration/API``).
///
/// - `.otel`: observations go as OTLP protobuf + gzip to `{baseURL}/api/public/otel/v1/traces`
///   (the OTLP encoder, with the `langfuse.*` attributes the typed API set); scores go as
///   `score-create` events to the ingestion endpoint, which still takes them on v4.
/// - `.ingestion`: everything goes as JSON batches to `{baseURL}/api/public/ingestion`,
///   split under 3.5 MB, and Langfuse's 207 answer is read event by event: records whose
///   events failed with a 5xx are handed back for a retry (only those), records refused
///   with a 4xx are counted as rejected and the server's message is logged.
///
/// Both modes are `HTTPExporter`s on one transport: the OTLP encoding for observations in
/// `.otel` mode, the ingestion encoding for the rest, so every request gets the same
/// classification of answers and the same redaction of echoed header values.
///
/// Every request carries Basic auth and the `x-langfuse-*` headers the official SDKs send.
///
/// The configuration's ``LangfuseConfiguration/mask``, value caps, environment and release
/// shape the values of every ``Observation`` recorded by a tracer that exports through this
/// exporter (one of the tracer's pipelines holds it), and only of those:
/// ``valueStatistics`` counts what they lost.
///
/// Thread-safety: safe to call from any task.
public final class LangfuseExporter: Exporter {
    public let configuration: LangfuseConfiguration
    /// Shared by both exporters below, and by `LangfusePrompts(exporter:)`; shut down once, here.
    let transport: any HTTPTransport
    /// Observations over OTLP in `.otel` mode; `nil` in `.ingestion` mode.
    private let otel: HTTPExporter<OTLPHTTPEncoding>?
    /// Everything in `.ingestion` mode; scores in both.
    private let ingestion: HTTPExporter<IngestionHTTPEncoding>
    /// How the observations of tracers that export through this exporter shape their values,
    /// made from the configuration; found by ``Observation`` through the tracer's pipelines.
    let valueShaper: LangfuseValueShaper

    /// How many values of observations recorded by tracers that export through this exporter
    /// were replaced by a truncation or unencodable marker, since it was made.
    ///
    /// Safe to read from any task, at any time (before and after shutdown); each read is a
    /// new snapshot of two atomic counters. Values of a tracer with no Langfuse exporter
    /// are counted by none.
    public var valueStatistics: LangfuseValueStatistics { valueShaper.statistics }

    public init(
        configuration: LangfuseConfiguration,
        resource: OTLPResource = OTLPResource(serviceName: "tracez"),
        transport: any HTTPTransport = AsyncHTTPClientTransport(),
        logger: Logger = Logger(label: "tracez.langfuse")
    ) {
        self.configuration = configuration
        self.transport = transport
        valueShaper = LangfuseValueShaper(configuration: configuration)
        let credentials = Data("\(configuration.publicKey):\(configuration.secretKey)".utf8).base64EncodedString()
        let headers = [
            (name: "Authorization", value: "Basic \(credentials)"),
            (name: "x-langfuse-sdk-name", value: "tracez"),
            (name: "x-langfuse-sdk-version", value: TracezVersion.current),
            (name: "x-langfuse-public-key", value: configuration.publicKey),
        ]
        ingestion = HTTPExporter(
            endpoint: configuration.baseURL.appending(path: "api/public/ingestion"),
            headers: headers,
            timeout: configuration.timeout,
            transport: transport,
            encoding: IngestionHTTPEncoding(
                encoder: IngestionEncoder(
                    sendsNewObservationTypes: configuration.sendsNewObservationTypes,
                    environment: configuration.environment,
                    release: configuration.release,
                    counters: valueShaper.counters
                ),
                logger: logger,
                redaction: HeaderRedaction(headers)
            )
        )
        if configuration.api == .otel {
            var resource = resource
            if let environment = configuration.environment { resource.attributes["deployment.environment.name"] = environment }
            otel = HTTPExporter(
                configuration: OTLPExporterConfiguration(
                    endpoint: configuration.endpoint,
                    headers: headers + [(name: "x-langfuse-ingestion-version", value: "4")],
                    encoding: .protobuf,
                    compression: .gzip,
                    timeout: configuration.timeout
                ),
                resource: resource,
                scope: .tracez,
                transport: transport
            )
        } else {
            otel = nil
        }
    }

    public func export(_ batch: [SpanRecord]) async throws {
        guard let otel else {
            try await ingestion.export(batch)
            return
        }
        let isScore = batch.map { record in record.attribute(LangfuseAttributeName.scoreBody) != nil }
        let scores = zip(batch, isScore).filter(\.1).map(\.0)
        let observations = zip(batch, isScore).filter { !$0.1 }.map { record, _ in
            // A span continuing another service's trace makes the Langfuse trace, as a root would.
            record.parentIsRemote && record.attribute(LangfuseAttributeName.asRoot) == nil
                ? record.setting(LangfuseAttributeName.asRoot, to: true) : record
        }
        var parts: [(records: [SpanRecord], error: ExportError?)] = []
        if !observations.isEmpty {
            parts.append((observations, try await Self.outcome { try await otel.export(observations) }))
        }
        if !scores.isEmpty {
            parts.append((scores, try await Self.outcome { try await self.ingestion.export(scores) }))
        }
        if let failure = ExportError.combining(parts) { throw failure }
    }

    /// The `ExportError` `send` threw, `nil` if it returned; any other error is rethrown.
    private static func outcome(_ send: () async throws -> Void) async throws -> ExportError? {
        do {
            try await send()
            return nil
        } catch let error as ExportError {
            return error
        }
    }

    public func shutdown() async {
        await transport.shutdown()
    }
}

extension LangfuseExporter: CustomStringConvertible, CustomReflectable {
    /// The configuration's description: the server, the masked keys.
    public var description: String { "LangfuseExporter(\(configuration))" }

    /// The configuration's own redacted mirror, so `dump` and debuggers show neither the keys
    /// nor the `Authorization` header made of them.
    public var customMirror: Mirror {
        Mirror(self, children: ["configuration": configuration], displayStyle: .class)
    }
}
