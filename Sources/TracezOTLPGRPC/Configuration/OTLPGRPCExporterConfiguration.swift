import Tracez
import TracezOTLP

/// Where and how an ``OTLPGRPCExporter`` sends spans: a plain value, every field but the
/// endpoint with a default.
///
/// Build it in code, or read the OpenTelemetry SDK variables with
/// ``init(environment:)``. Its `description` names the header keys, never their values.
public struct OTLPGRPCExporterConfiguration: Sendable {
    /// Whether request messages are compressed (gRPC's `grpc-encoding: gzip`).
    public typealias Compression = OTLPExporterConfiguration.Compression

    /// The collector's address: `http://` for plain text (HTTP/2 without TLS), `https://` for
    /// TLS with the system's trust roots. Only the scheme, host and port are used; a path is
    /// ignored, as the OTel SDKs ignore it for gRPC. Without a port, 443 for `https` and 80 for `http`.
    public var endpoint: HTTPEndpoint
    /// Sent with every call as gRPC metadata (keys lowercased), for example an `authorization`
    /// header. Keys that gRPC reserves (`grpc-*`, `content-type`, `te`, and HTTP/2 pseudo-headers)
    /// are not sent.
    public var headers: [(name: String, value: String)]
    public var compression: Compression
    /// Longest one call may take: sent to the collector as the call's deadline.
    public var timeout: Duration
    /// Largest request message, before compression. A batch that encodes larger is sent in
    /// several calls; a span that alone is larger is not sent, and counted as
    /// `DropReason.tooLarge`. Default 4 MiB, the largest message a gRPC server accepts by
    /// default (the OpenTelemetry Collector's gRPC receiver among them).
    public var maxRequestBytes: Int

    /// The OTel default for gRPC: `http://localhost:4317`.
    public static let defaultEndpoint = "http://localhost:4317"

    public init(
        endpoint: HTTPEndpoint,
        headers: [(name: String, value: String)] = [],
        compression: Compression = .none,
        timeout: Duration = .seconds(10),
        maxRequestBytes: Int = OTLPExporterConfiguration.defaultMaxRequestBytes
    ) {
        self.endpoint = endpoint
        self.headers = headers
        self.compression = compression
        self.timeout = timeout
        self.maxRequestBytes = max(1, maxRequestBytes)
    }

    /// The host to connect to.
    var host: String { endpoint.host }
    /// The port to connect to: the URL's, else the scheme's.
    var port: Int { endpoint.url.port ?? (endpoint.isSecure ? 443 : 80) }
}

extension OTLPGRPCExporterConfiguration: CustomStringConvertible, CustomReflectable {
    /// The endpoint without credentials or query, and the header names without their values.
    public var description: String {
        "OTLPGRPCExporterConfiguration(\(endpoint), compression: \(compression.rawValue), "
            + "timeout: \(timeout), headers: [\(headers.map(\.name).joined(separator: ", "))])"
    }

    /// What `description` shows, field by field: `dump` and debuggers see no header value either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "endpoint": endpoint.description,
                "headers": headers.map(\.name),
                "compression": compression,
                "timeout": timeout,
                "maxRequestBytes": maxRequestBytes,
            ],
            displayStyle: .struct
        )
    }
}
