import Tracez
import TracezHTTP

/// Where and how an ``OTLPHTTPExporter`` sends spans: a plain value, every field but the
/// endpoint with a default.
///
/// Build it in code, or read the OpenTelemetry SDK variables with
/// ``init(environment:)``. Its `description` names the header keys, never their values.
public struct OTLPExporterConfiguration: Sendable {
    /// The body's encoding: OTLP's `http/protobuf` or `http/json`.
    public enum Encoding: String, Sendable, CaseIterable {
        /// `application/x-protobuf`: smaller and faster; what every collector accepts.
        case protobuf = "http/protobuf"
        /// `application/json`, following OTLP/JSON (hex ids, 64-bit integers as strings).
        case json = "http/json"
    }

    /// Whether request bodies are compressed.
    public enum Compression: String, Sendable, CaseIterable {
        case none
        /// `Content-Encoding: gzip`.
        case gzip
    }

    /// The full traces URL, for example `http://localhost:4318/v1/traces`.
    public var endpoint: HTTPEndpoint
    /// Sent with every request, for example an `Authorization` header.
    public var headers: [(name: String, value: String)]
    public var encoding: Encoding
    public var compression: Compression
    /// Longest one request may take.
    public var timeout: Duration
    /// Largest request body, before compression. A batch that encodes larger is sent in
    /// several requests; a span that alone is larger is not sent, and counted as
    /// `DropReason.tooLarge`. Default 4 MiB, the default most gRPC and many HTTP
    /// receivers apply (the OpenTelemetry Collector's HTTP receiver takes up to 20 MiB).
    public var maxRequestBytes: Int

    /// The OTel default: `http://localhost:4318/v1/traces`.
    public static let defaultEndpoint = "http://localhost:4318/v1/traces"

    public init(
        endpoint: HTTPEndpoint,
        headers: [(name: String, value: String)] = [],
        encoding: Encoding = .protobuf,
        compression: Compression = .none,
        timeout: Duration = .seconds(10),
        maxRequestBytes: Int = OTLPExporterConfiguration.defaultMaxRequestBytes
    ) {
        self.endpoint = endpoint
        self.headers = headers
        self.encoding = encoding
        self.compression = compression
        self.timeout = timeout
        self.maxRequestBytes = max(1, maxRequestBytes)
    }

    /// 4 MiB.
    public static let defaultMaxRequestBytes = 4 << 20
}

extension OTLPExporterConfiguration: CustomStringConvertible, CustomReflectable {
    /// The endpoint without credentials or query, and the header names without their values.
    public var description: String {
        "OTLPExporterConfiguration(\(endpoint), \(encoding.rawValue), compression: \(compression.rawValue), "
            + "timeout: \(timeout), headers: [\(headers.map(\.name).joined(separator: ", "))])"
    }

    /// What `description` shows, field by field: `dump` and debuggers see no header value either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "endpoint": endpoint.description,
                "headers": headers.map(\.name),
                "encoding": encoding,
                "compression": compression,
                "timeout": timeout,
                "maxRequestBytes": maxRequestBytes,
            ],
            displayStyle: .struct
        )
    }
}
