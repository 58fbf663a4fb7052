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
    /// | `OTEL_EXPORTER_OTLP_PROTOCOL` | `http/protobuf` or `http/json` (`grpc` is not supported) | `http/protobuf` |
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
        let reader = EnvironmentReader(environment)
        // The `_TRACES_` form first: it wins over the general one.
        func variable(_ name: String) -> (name: String, value: String)? {
            reader.first(of: ["OTEL_EXPORTER_OTLP_TRACES_" + name, "OTEL_EXPORTER_OTLP_" + name])
        }

        var allowsInsecureHTTP = false
        // The variable that decides, for the hint when a plain http:// endpoint is refused.
        var insecureVariable = "OTEL_EXPORTER_OTLP_INSECURE"
        if let (name, _) = variable("INSECURE") {
            insecureVariable = name
            allowsInsecureHTTP = try reader.bool(name) ?? false
        }

        let endpoint: HTTPEndpoint
        if let traces = try Self.endpoint("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", in: reader, allowsInsecureHTTP, insecureVariable) {
            endpoint = traces
        } else if let base = try Self.endpoint("OTEL_EXPORTER_OTLP_ENDPOINT", in: reader, allowsInsecureHTTP, insecureVariable) {
            endpoint = base.appending(path: "v1/traces")
        } else {
            endpoint = try! HTTPEndpoint(Self.defaultEndpoint)  // a constant loopback URL: it always parses
        }
        self.init(endpoint: endpoint)

        if let (name, _) = variable("HEADERS"), let pairs = try reader.keyValueList(name, entry: "header", check: Self.headerProblem) {
            headers = pairs.map { (name: $0.key, value: $0.value) }
        }
        if let (name, raw) = variable("COMPRESSION") {
            guard let parsed = Compression(rawValue: raw.lowercased()) else { throw reader.invalid(name, reason: "expected gzip or none") }
            compression = parsed
        }
        if let (name, _) = variable("TIMEOUT"), let milliseconds = try reader.milliseconds(name, atLeast: 1) {
            timeout = milliseconds
        }
        if let (name, raw) = variable("PROTOCOL") {
            guard let parsed = Encoding(rawValue: raw.lowercased()) else {
                let reason =
                    raw.lowercased() == "grpc"
                    ? "grpc is not supported by Tracez; use http/protobuf (port 4318 on a collector)"
                    : "expected http/protobuf or http/json"
                throw reader.invalid(name, reason: reason)
            }
            encoding = parsed
        }
    }

    /// The endpoint in `variable`, `nil` when unset; an error shows the URL without its credentials.
    private static func endpoint(
        _ variable: String,
        in reader: EnvironmentReader,
        _ allowsInsecureHTTP: Bool,
        _ insecureVariable: String = "OTEL_EXPORTER_OTLP_INSECURE"
    ) throws(TracezError) -> HTTPEndpoint? {
        try reader.url(
            variable,
            redacted: HTTPEndpoint.redacted,
            reason: { error in
                guard let transport = error as? TransportError else { return "\(error)" }
                if transport.code == .insecureEndpoint {
                    return "plain http:// is allowed only to loopback hosts; use https://, or set \(insecureVariable)=true"
                }
                return transport.description
            },
            { raw in try HTTPEndpoint(raw, allowsInsecureHTTP: allowsInsecureHTTP) }
        )
    }

    /// Why a header, once decoded, cannot be sent (`nil`: it can). Never quotes the header.
    private static func headerProblem(_ name: String, _ value: String) -> String? {
        guard name.utf8.allSatisfy(Self.isTokenByte) else {
            return "the key must be a non-empty HTTP token (letters, digits and !#$%&'*+-.^_`|~)"
        }
        guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
            return "the value contains a line break or NUL once decoded"
        }
        // RFC 9110 allows no other control character but HTAB either; AsyncHTTPClient would
        // refuse the request later, in an error that quotes the value.
        guard !value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
            return "the value contains a control character once decoded"
        }
        return nil
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
