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
    /// | `OTEL_EXPORTER_OTLP_INSECURE` | `true` allows plain `http://` to a host that is not loopback | `false` |
    ///
    /// Plain `http://` to a host other than loopback needs `OTEL_EXPORTER_OTLP_INSECURE=true`:
    /// headers often carry credentials, and Tracez does not send them in clear by accident.
    ///
    /// The tracer's own variables (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
    /// `OTEL_TRACES_SAMPLER`, `OTEL_SDK_DISABLED`) are read by
    /// `TracerConfiguration(environment:)`, and `OTEL_BSP_*` by `ExportConfiguration(environment:)`
    /// and `CollectorConfiguration(name:environment:)`.
    ///
    /// - Throws: ``TracezError/invalidEnvironmentVariable(name:value:reason:)`` naming the
    ///   variable. Header values are never repeated in the error, nor URL credentials.
    public init(environment: [String: String]) throws(TracezError) {
        func value(_ name: String) -> (name: String, value: String)? {
            for candidate in ["OTEL_EXPORTER_OTLP_TRACES_" + name, "OTEL_EXPORTER_OTLP_" + name] {
                if let raw = environment[candidate]?.trimmingWhitespace(), !raw.isEmpty { return (candidate, raw) }
            }
            return nil
        }

        var allowsInsecureHTTP = false
        // The variable that decides, for the hint when a plain http:// endpoint is refused.
        var insecureVariable = "OTEL_EXPORTER_OTLP_INSECURE"
        if let (name, raw) = value("INSECURE") {
            insecureVariable = name
            switch raw.lowercased() {
            case "true": allowsInsecureHTTP = true
            case "false": allowsInsecureHTTP = false
            default: throw .invalidEnvironmentVariable(name: name, value: raw, reason: "expected true or false")
            }
        }

        let endpoint: HTTPEndpoint
        if let raw = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]?.trimmingWhitespace(), !raw.isEmpty {
            endpoint = try Self.endpoint(
                raw, variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", allowsInsecureHTTP: allowsInsecureHTTP, insecureVariable: insecureVariable)
        } else if let raw = environment["OTEL_EXPORTER_OTLP_ENDPOINT"]?.trimmingWhitespace(), !raw.isEmpty {
            endpoint = try Self.endpoint(
                raw, variable: "OTEL_EXPORTER_OTLP_ENDPOINT", allowsInsecureHTTP: allowsInsecureHTTP, insecureVariable: insecureVariable
            )
            .appending(path: "v1/traces")
        } else {
            endpoint = try Self.endpoint(Self.defaultEndpoint, variable: "OTEL_EXPORTER_OTLP_ENDPOINT", allowsInsecureHTTP: false)
        }
        self.init(endpoint: endpoint)

        if let (name, raw) = value("HEADERS") {
            headers = try Self.parseHeaders(raw, variable: name)
        }
        if let (name, raw) = value("COMPRESSION") {
            guard let parsed = Compression(rawValue: raw.lowercased()) else {
                throw .invalidEnvironmentVariable(name: name, value: raw, reason: "expected gzip or none")
            }
            compression = parsed
        }
        if let (name, _) = value("TIMEOUT"),
            let milliseconds = try EnvironmentNumber.read(name, from: environment, atLeast: 1)
        {
            timeout = .milliseconds(milliseconds)
        }
        if let (name, raw) = value("PROTOCOL") {
            guard let parsed = Encoding(rawValue: raw.lowercased()) else {
                let reason =
                    raw.lowercased() == "grpc"
                    ? "grpc is not supported by Tracez; use http/protobuf (port 4318 on a collector)"
                    : "expected http/protobuf or http/json"
                throw .invalidEnvironmentVariable(name: name, value: raw, reason: reason)
            }
            encoding = parsed
        }
    }

    private static func endpoint(
        _ raw: String,
        variable: String,
        allowsInsecureHTTP: Bool,
        insecureVariable: String = "OTEL_EXPORTER_OTLP_INSECURE"
    ) throws(TracezError) -> HTTPEndpoint {
        do {
            return try HTTPEndpoint(raw, allowsInsecureHTTP: allowsInsecureHTTP)
        } catch {
            var reason = error.description
            if error.code == .insecureEndpoint {
                reason = "plain http:// is allowed only to loopback hosts; use https://, or set \(insecureVariable)=true"
            }
            throw .invalidEnvironmentVariable(name: variable, value: HTTPEndpoint.redacted(raw), reason: reason)
        }
    }

    /// `key=value,key=value` with percent-encoded values (W3C Baggage style), as the OTel spec says.
    ///
    /// An error names the malformed entry by its position (1 for the first) and says what is
    /// wrong, never any of its text: a comma inside an unescaped token splits it, so even what
    /// looks like a key may be half a secret.
    static func parseHeaders(_ raw: String, variable: String) throws(TracezError) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for (index, member) in raw.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            if member.trimmingWhitespace().isEmpty { continue }  // `a=1,,b=2` and a trailing comma are harmless
            func invalid(_ reason: String) -> TracezError {
                .invalidEnvironmentVariable(name: variable, value: "[redacted]", reason: "header \(index + 1): \(reason)")
            }
            let pair = member.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else {
                throw invalid("expected key=value (a comma inside a value must be written %2C)")
            }
            let name = pair[0].trimmingWhitespace()
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
                throw invalid("the key must be a non-empty HTTP token (letters, digits and !#$%&'*+-.^_`|~)")
            }
            guard let value = String(pair[1].trimmingWhitespace()).removingPercentEncoding() else {
                throw invalid("the value has a malformed %-escape or is not UTF-8 once decoded")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw invalid("the value contains a line break or NUL once decoded")
            }
            // RFC 9110 allows no other control character but HTAB either; AsyncHTTPClient would
            // refuse the request later, in an error that quotes the value.
            guard !value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
                throw invalid("the value contains a control character once decoded")
            }
            headers.append((name: name, value: value))
        }
        return headers
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
