import Tracez
import TracezHTTP

extension OTLPExporterConfiguration {
    /// Reads the OpenTelemetry SDK exporter variables, as other OTel SDKs do. The
    /// `_TRACES_` form of each wins over the general one; unset or empty variables keep
    /// the defaults.
    ///
    /// | variable | meaning | default |
    /// | --- | --- | --- |
    /// | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` | the traces URL, used as is | |
    /// | `OTEL_EXPORTER_OTLP_ENDPOINT` | base URL; `/v1/traces` is appended | `http://localhost:4318` |
    /// | `OTEL_EXPORTER_OTLP_HEADERS` | `key=value,key=value`, values percent-decoded | none |
    /// | `OTEL_EXPORTER_OTLP_COMPRESSION` | `gzip` or `none` | `none` |
    /// | `OTEL_EXPORTER_OTLP_TIMEOUT` | milliseconds per request | 10000 |
    /// | `OTEL_EXPORTER_OTLP_PROTOCOL` | `http/protobuf` or `http/json` (`grpc` is `OTLPGRPCExporterConfiguration`'s, in TracezOTLPGRPC) | `http/protobuf` |
    /// | `OTEL_EXPORTER_OTLP_INSECURE` | `true` (or `1`) allows plain `http://` to a host that is not loopback | `false` |
    ///
    /// Plain `http://` to a host other than loopback needs `OTEL_EXPORTER_OTLP_INSECURE=true`:
    /// headers often carry credentials, and Tracez does not send them in clear by accident.
    ///
    /// The tracer's own variables (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
    /// `OTEL_TRACES_SAMPLER`, `OTEL_SDK_DISABLED`) are read by
    /// `TracerConfiguration(environment:)`, and `OTEL_BSP_*` by `ExportConfiguration(environment:)`
    /// and `CollectorConfiguration(name:environment:)`.
    ///
    /// Values follow the one vocabulary of every Tracez module (see `Docs/Concepts.md`).
    ///
    /// - Throws: `TracezError.invalidEnvironmentVariable(name:value:reason:)` naming the
    ///   variable. Header values are never repeated in the error, nor URL credentials.
    public init(environment: [String: String]) throws(TracezError) {
        let otlp = try OTLPEnvironment(environment)
        let parse = { (raw: String, allowsInsecure: Bool) throws(TransportError) in try HTTPEndpoint(raw, allowsInsecureHTTP: allowsInsecure) }
        let endpoint: HTTPEndpoint
        if let traces = try otlp.endpoint("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", parse: parse) {
            endpoint = traces
        } else if let base = try otlp.endpoint("OTEL_EXPORTER_OTLP_ENDPOINT", parse: parse) {
            endpoint = base.appending(path: "v1/traces")
        } else {
            endpoint = try! HTTPEndpoint(Self.defaultEndpoint)  // a constant loopback URL: it always parses
        }
        self.init(endpoint: endpoint)

        if let headers = try otlp.headers() { self.headers = headers }
        if let compression = try otlp.compression() { self.compression = compression }
        if let timeout = try otlp.timeout() { self.timeout = timeout }
        if let (name, raw) = otlp.variable("PROTOCOL") {
            guard let parsed = Encoding(rawValue: raw.lowercased()) else {
                let reason =
                    raw.lowercased() == "grpc"
                    ? "grpc is exported by OTLPGRPCExporter, in the TracezOTLPGRPC module; this configuration is for http/protobuf or http/json"
                    : "expected http/protobuf, http/json or grpc"
                throw otlp.invalid(name, reason: reason)
            }
            encoding = parsed
        }
    }
}
