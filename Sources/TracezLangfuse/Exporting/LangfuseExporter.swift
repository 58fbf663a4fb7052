import Foundation
import Logging
import Tracez
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
/// Every request carries Basic auth and the `x-langfuse-*` headers the official SDKs send.
/// Making the exporter installs the configuration's mask and value cap (``LangfuseValues``).
///
/// Thread-safety: safe to call from any task.
public final class LangfuseExporter: Exporter {
    public let configuration: LangfuseConfiguration
    private let otlp: OTLPHTTPExporter?
    private let transport: any HTTPTransport
    private let headers: [(name: String, value: String)]
    private let encoder: IngestionEncoder
    private let logger: Logger

    /// Requests to the ingestion endpoint stay under this many bytes (Langfuse documents
    /// 3.5 MB and refuses over 4.5 MB with 413).
    static let maxRequestBytes = 3_500_000

    public init(
        configuration: LangfuseConfiguration,
        resource: OTLPResource = OTLPResource(serviceName: "tracez"),
        transport: any HTTPTransport = AsyncHTTPClientTransport(),
        logger: Logger = Logger(label: "tracez.langfuse")
    ) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        LangfuseValues.install(
            mask: configuration.mask,
            maxValueBytes: configuration.maxValueBytes,
            maxDepth: configuration.maxValueDepth,
            defaults: TraceAttributes(release: configuration.release, environment: configuration.environment)
        )
        let credentials = Data("\(configuration.publicKey):\(configuration.secretKey)".utf8).base64EncodedString()
        let headers = [
            (name: "Authorization", value: "Basic \(credentials)"),
            (name: "x-langfuse-sdk-name", value: "tracez"),
            (name: "x-langfuse-sdk-version", value: TracezVersion.current),
            (name: "x-langfuse-public-key", value: configuration.publicKey),
        ]
        self.headers = headers
        encoder = IngestionEncoder(
            sendsNewObservationTypes: configuration.sendsNewObservationTypes,
            environment: configuration.environment,
            release: configuration.release
        )
        if configuration.api == .otel {
            var resource = resource
            if let environment = configuration.environment { resource.attributes["deployment.environment.name"] = environment }
            otlp = OTLPHTTPExporter(
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
            otlp = nil
        }
    }

    public func export(_ batch: [SpanRecord]) async throws {
        guard let otlp else {
            try await sendIngestion(batch)
            return
        }
        let isScore = batch.map { record in record.attributes.get(LangfuseAttributeName.scoreBody) != nil }
        let scores = zip(batch, isScore).filter(\.1).map(\.0)
        let observations = zip(batch, isScore).filter { !$0.1 }.map(\.0)
        var parts: [(records: [SpanRecord], error: ExportError?)] = []
        if !observations.isEmpty {
            parts.append((observations, try await Self.outcome { try await otlp.export(observations) }))
        }
        if !scores.isEmpty {
            parts.append((scores, try await Self.outcome { try await self.sendIngestion(scores) }))
        }
        if let failure = ExportError.combining(parts) { throw failure }
    }

    /// The ``ExportError`` `send` threw, `nil` if it returned; any other error is rethrown.
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

    // MARK: - Ingestion

    /// Sends `records` as ingestion events, in as many requests as the size limit needs.
    /// A record with an event that cannot fit in a request is not sent (``DropReason/tooLarge``).
    func sendIngestion(_ records: [SpanRecord]) async throws {
        let timestamp = LangfuseTime.iso8601(Date())
        var events = encoder.events(for: records).map { ($0, $0.jsonText(timestamp: timestamp)) }
        var results = IngestionResults(recordCount: records.count)
        let tooLarge = Set(events.filter { $0.1.utf8.count > IngestionEncoder.maxEventBytes }.map(\.0.record))
        results.markTooLarge(tooLarge, limit: IngestionEncoder.maxEventBytes)
        events.removeAll { tooLarge.contains($0.0.record) }
        for request in Self.split(events) {
            let body = Array("{\"batch\":[\(request.map(\.1).joined(separator: ","))]}".utf8)
            let response: HTTPResponse
            do {
                response = try await transport.send(
                    HTTPRequest(
                        endpoint: configuration.baseURL.appending(path: "api/public/ingestion"),
                        headers: headers + [(name: "Content-Type", value: "application/json")],
                        body: body,
                        timeout: configuration.timeout
                    ))
            } catch {
                // The whole request failed: its records are retried with the rest.
                results.failWhole(request.map(\.0), error: ExportError.classify(error))
                continue
            }
            if let failure = ExportError.classify(response) {
                results.failWhole(request.map(\.0), error: failure)
                continue
            }
            results.read(response, events: request.map(\.0), logger: logger)
        }
        if let error = results.error(for: records) { throw error }
    }

    /// Groups events into requests under ``maxRequestBytes``, keeping input order.
    static func split(_ events: [(IngestionEvent, String)]) -> [[(IngestionEvent, String)]] {
        var requests: [[(IngestionEvent, String)]] = []
        var current: [(IngestionEvent, String)] = []
        var size = 12
        for event in events {
            let bytes = event.1.utf8.count + 1
            if !current.isEmpty, size + bytes > maxRequestBytes {
                requests.append(current)
                current = []
                size = 12
            }
            current.append(event)
            size += bytes
        }
        if !current.isEmpty { requests.append(current) }
        return requests
    }

}

extension LangfuseExporter: CustomStringConvertible {
    public var description: String { "LangfuseExporter(\(configuration))" }
}
