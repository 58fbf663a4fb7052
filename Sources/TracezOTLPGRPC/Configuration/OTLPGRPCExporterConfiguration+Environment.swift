import Tracez
import TracezOTLP

extension OTLPGRPCExporterConfiguration {
    /// Reads the OpenTelemetry SDK exporter variables for OTLP/gRPC, as other OTel SDKs do.
    /// The `_TRACES_` form of each wins over the general one; unset or empty variables keep
    /// the defaults.
    ///
    /// | variable | meaning | default |
    /// | --- | --- | --- |
    /// | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT` | the collector, `http(s)://host:port` or `host:port`; no path is appended | `http://localhost:4317` |
    /// | `OTEL_EXPORTER_OTLP_INSECURE` | `true` (or `1`): `host:port` is plain text, and plain text may go to a host that is not loopback | `false` |
    /// | `OTEL_EXPORTER_OTLP_HEADERS` | `key=value,key=value`, values percent-decoded, sent as metadata | none |
    /// | `OTEL_EXPORTER_OTLP_COMPRESSION` | `gzip` or `none` | `none` |
    /// | `OTEL_EXPORTER_OTLP_TIMEOUT` | milliseconds per call | 10000 |
    /// | `OTEL_EXPORTER_OTLP_PROTOCOL` | must be `grpc` if set | |
    ///
    /// An endpoint without a scheme (`collector:4317`) uses TLS unless
    /// `OTEL_EXPORTER_OTLP_INSECURE` is true, as the OTel specification says. Plain text to a
    /// host other than loopback needs `OTEL_EXPORTER_OTLP_INSECURE=true` whichever way it is
    /// written: metadata often carries credentials, and Tracez does not send them in clear by
    /// accident.
    ///
    /// ``OTLPGRPCExporterConfiguration/isRequested(by:)`` tells whether the environment asks for gRPC at all.
    ///
    /// - Throws: `TracezError.invalidEnvironmentVariable(name:value:reason:)` naming the
    ///   variable. Header values are never repeated in the error, nor URL credentials.
    public init(environment: [String: String]) throws(TracezError) {
        let otlp = try OTLPEnvironment(environment)
        // No path is appended to the general endpoint, unlike OTLP/HTTP's `/v1/traces`.
        if let traces = try otlp.endpoint("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", parse: Self.parseEndpoint) {
            self.init(endpoint: traces)
        } else if let general = try otlp.endpoint("OTEL_EXPORTER_OTLP_ENDPOINT", parse: Self.parseEndpoint) {
            self.init(endpoint: general)
        } else {
            self.init(endpoint: try! HTTPEndpoint(Self.defaultEndpoint))  // a constant loopback URL: it always parses
        }
        if let headers = try otlp.headers() { self.headers = headers }
        if let compression = try otlp.compression() { self.compression = compression }
        if let timeout = try otlp.timeout() { self.timeout = timeout }
        if let (name, raw) = otlp.variable("PROTOCOL"), raw.lowercased() != "grpc" {
            throw otlp.invalid(name, reason: "this configuration is for grpc; \(raw) is OTLPExporterConfiguration's, in TracezOTLP")
        }
    }

    /// Whether `environment` asks for OTLP over gRPC: `OTEL_EXPORTER_OTLP_PROTOCOL` (or its
    /// `_TRACES_` form) is `grpc`.
    public static func isRequested(by environment: [String: String]) -> Bool {
        OTLPEnvironment.requestsGRPC(environment)
    }

    /// `http(s)://host[:port][/path]`, or `host:port` (plain text only when `allowsInsecure`).
    private static func parseEndpoint(_ raw: String, allowsInsecure: Bool) throws(TransportError) -> HTTPEndpoint {
        let url = raw.contains("://") ? raw : (allowsInsecure ? "http://" : "https://") + raw
        return try HTTPEndpoint(url, allowsInsecureHTTP: allowsInsecure)
    }
}
