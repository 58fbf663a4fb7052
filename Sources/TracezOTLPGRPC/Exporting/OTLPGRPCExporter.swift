import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Tracez
import TracezHTTP
// The protobuf encoder is public as the Benchmarks SPI only; this module is its other user.
@_spi(Benchmarks) import TracezOTLP

/// Sends spans to any OpenTelemetry collector over OTLP/gRPC: the unary call
/// `opentelemetry.proto.collector.trace.v1.TraceService/Export`, on the port every collector
/// opens by default (4317).
///
/// The request is Tracez's own protobuf encoding (the same bytes `OTLPHTTPExporter` posts),
/// handed to grpc-swift as it is; grpc-swift 2 and its HTTP/2 transport over SwiftNIO carry
/// it, gzip-compressed if configured. One HTTP/2 connection is kept open and shared by every
/// call, so the pipeline's concurrent exports are concurrent streams on it.
///
/// Retry, backoff and the circuit breaker are the `ExportPipeline`'s. A failed call is
/// classified by the OTLP rules for gRPC status codes (see `ExportError.classify(_:)`): the
/// retryable codes, and `RESOURCE_EXHAUSTED` that carries a `RetryInfo`, are transient, with
/// the `RetryInfo` delay as the retry-after; every other code is a rejection. An OK answer
/// with a `partial_success` that rejected spans is reported as
/// `ExportError.partial(rejectedCount:retry:reason:)`, as over HTTP.
///
/// ```swift
/// let exporter = try OTLPGRPCExporter(
///     configuration: OTLPGRPCExporterConfiguration(environment: ProcessInfo.processInfo.environment),
///     resource: OTLPResource(configuration: tracerConfiguration)
/// )
/// ```
///
/// Thread-safety: safe to call from any task; encoding state is per call. Ownership: the
/// exporter owns its gRPC client and connection, closed by ``shutdown()``.
public final class OTLPGRPCExporter: Exporter {
    public let configuration: OTLPGRPCExporterConfiguration
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    /// Runs the client's connections until ``shutdown()``.
    private let connections: Task<Void, Never>
    private let encoder: OTLPProtobufEncoder
    private let metadata: Metadata
    private let options: CallOptions
    private let redaction: HeaderRedaction

    static let export = MethodDescriptor(
        fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService",
        method: "Export",
        type: .unary
    )

    /// - Parameters:
    ///   - configuration: The endpoint, metadata, compression, timeout and request size.
    ///   - resource: Sent once per request, with every span of the batch grouped under it.
    ///   - scope: Sent with every span as the instrumentation scope; Tracez's own by default.
    /// - Throws: What grpc-swift throws when it cannot make a transport for the endpoint.
    public init(
        configuration: OTLPGRPCExporterConfiguration,
        resource: OTLPResource,
        scope: OTLPInstrumentationScope = .tracez
    ) throws {
        self.configuration = configuration
        encoder = OTLPProtobufEncoder(resource: resource, scope: scope)
        redaction = HeaderRedaction(configuration.headers)

        var transportConfiguration = HTTP2ClientTransport.Posix.Config.defaults
        transportConfiguration.compression.enabledAlgorithms = [.gzip]
        transportConfiguration.compression.algorithm = configuration.compression == .gzip ? .gzip : .none
        let transport = try HTTP2ClientTransport.Posix(
            target: .dns(host: configuration.host, port: configuration.port),
            transportSecurity: configuration.endpoint.isSecure ? .tls : .plaintext,
            config: transportConfiguration
        )
        let client = GRPCClient(transport: transport)
        self.client = client
        connections = Task { try? await client.runConnections() }

        var metadata = Metadata()
        for header in configuration.headers {
            let key = header.name.lowercased()
            guard !Self.isReserved(key) else { continue }
            metadata.addString(header.value, forKey: key)
        }
        self.metadata = metadata
        var options = CallOptions.defaults
        options.timeout = configuration.timeout
        options.compression = configuration.compression == .gzip ? .gzip : CompressionAlgorithm.none
        self.options = options
    }

    /// Sends the batch in one call, or, when its encoding is over
    /// ``OTLPGRPCExporterConfiguration/maxRequestBytes``, in as many as it takes: halves,
    /// halved again until each fits. A span that alone is over the limit is not sent
    /// (`DropReason.tooLarge`): the collector could only refuse it.
    public func export(_ batch: [SpanRecord]) async throws {
        let split = OTLPRequestSplit(batch, maxBytes: configuration.maxRequestBytes, encode: encoder.encode)
        var parts: [(records: [SpanRecord], error: ExportError?)] = []
        parts.reserveCapacity(split.requests.count)
        for request in split.requests {
            parts.append((records: Array(batch[request.records]), error: await send(request.bytes, spanCount: request.records.count)))
        }
        var dropped = DropCounts()
        dropped[.tooLarge] = split.tooLarge.count
        if let failure = ExportError.combining(parts, dropped: dropped) {
            throw redaction.clean(failure)
        }
    }

    /// Closes the connection: calls still running may finish within the configured timeout;
    /// then the connection is cut.
    public func shutdown() async {
        client.beginGracefulShutdown()
        let connections = connections
        let timeout = configuration.timeout
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await connections.value }
            group.addTask {
                try? await Task.sleep(for: timeout)
                connections.cancel()
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// One call: `nil` when the collector took every span, else what its answer means.
    private func send(_ bytes: [UInt8], spanCount: Int) async -> ExportError? {
        do {
            return try await client.unary(
                request: ClientRequest(message: bytes, metadata: metadata),
                descriptor: Self.export,
                serializer: RawMessageSerializer(),
                deserializer: RawMessageDeserializer(),
                options: options
            ) { response in
                OTLPExportResponse.exportError(protobuf: try response.message, batchCount: spanCount)
            }
        } catch let error as RPCError {
            return .classify(error)
        } catch {
            // grpc-swift's RuntimeError (the client is shutting down) and anything else: the
            // call did not happen, and may succeed later.
            return .transient(reason: "gRPC: \(String("\(error)".prefix(200)))")
        }
    }

    /// Metadata keys gRPC or HTTP/2 own: sending them would break the call.
    private static func isReserved(_ key: String) -> Bool {
        key.hasPrefix("grpc-") || key.hasPrefix(":") || key == "content-type" || key == "te"
    }
}

extension OTLPGRPCExporter: CustomStringConvertible, CustomReflectable {
    /// The endpoint and header names, never header values.
    public var description: String { "OTLPGRPCExporter(\(configuration))" }

    /// The configuration's own redacted mirror, so `dump` and debuggers show no header value.
    public var customMirror: Mirror {
        Mirror(self, children: ["configuration": configuration], displayStyle: .class)
    }
}
