import Tracez
import TracezHTTP

/// The `OTEL_EXPORTER_OTLP_*` variables, read once for whichever OTLP transport uses them:
/// ``OTLPExporterConfiguration/init(environment:)`` (HTTP) and the gRPC exporter's
/// configuration in TracezOTLPGRPC. The `_TRACES_` form of each wins over the general one.
///
/// Each accessor returns `nil` for an unset or empty variable, so that the caller keeps its
/// default, and throws `TracezError.invalidEnvironmentVariable` naming the variable for a value
/// it cannot use. No error repeats a header value or URL credentials.
///
/// A value type over a copy of the variables: safe to use from any task.
package struct OTLPEnvironment: Sendable {
    private let reader: EnvironmentReader
    /// `OTEL_EXPORTER_OTLP_INSECURE` (or its `_TRACES_` form): plain text to hosts other than loopback.
    package let allowsInsecure: Bool
    /// The variable that decides ``allowsInsecure``, for the hint when plain text is refused.
    package let insecureVariable: String

    package init(_ environment: [String: String]) throws(TracezError) {
        reader = EnvironmentReader(environment)
        var insecureVariable = "OTEL_EXPORTER_OTLP_INSECURE"
        var allowsInsecure = false
        if let (name, _) = reader.first(of: ["OTEL_EXPORTER_OTLP_TRACES_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE"]) {
            insecureVariable = name
            allowsInsecure = try reader.bool(name) ?? false
        }
        self.allowsInsecure = allowsInsecure
        self.insecureVariable = insecureVariable
    }

    /// The `_TRACES_` form of `OTEL_EXPORTER_OTLP_<name>` if set, else the general one.
    package func variable(_ name: String) -> (name: String, value: String)? {
        reader.first(of: ["OTEL_EXPORTER_OTLP_TRACES_" + name, "OTEL_EXPORTER_OTLP_" + name])
    }

    /// Whether `OTEL_EXPORTER_OTLP_PROTOCOL` (or its `_TRACES_` form) asks for `grpc`.
    package static func requestsGRPC(_ environment: [String: String]) -> Bool {
        let reader = EnvironmentReader(environment)
        let value = reader.first(of: ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"])?.value
        return value?.lowercased() == "grpc"
    }

    /// The endpoint in the variable named `name` as `parse` reads it (given the raw value and
    /// ``allowsInsecure``); `nil` when unset. An error shows the URL without its credentials.
    package func endpoint(
        _ name: String,
        parse: (String, Bool) throws(TransportError) -> HTTPEndpoint
    ) throws(TracezError) -> HTTPEndpoint? {
        let allowsInsecure = allowsInsecure
        let insecureVariable = insecureVariable
        return try reader.url(
            name,
            redacted: HTTPEndpoint.redacted,
            reason: { error in
                guard let transport = error as? TransportError else { return "\(error)" }
                if transport.code == .insecureEndpoint {
                    return "plain http:// is allowed only to loopback hosts; use https://, or set \(insecureVariable)=true"
                }
                return transport.description
            },
            { raw throws(TransportError) in try parse(raw, allowsInsecure) }
        )
    }

    /// `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs, values percent-decoded, each checked to be
    /// sendable as an HTTP header (and so as gRPC metadata).
    package func headers() throws(TracezError) -> [(name: String, value: String)]? {
        guard let (name, _) = variable("HEADERS") else { return nil }
        return try reader.keyValueList(name, entry: "header", check: Self.headerProblem)?.map { (name: $0.key, value: $0.value) }
    }

    /// `OTEL_EXPORTER_OTLP_COMPRESSION`: `gzip` or `none`.
    package func compression() throws(TracezError) -> OTLPExporterConfiguration.Compression? {
        guard let (name, raw) = variable("COMPRESSION") else { return nil }
        guard let parsed = OTLPExporterConfiguration.Compression(rawValue: raw.lowercased()) else {
            throw reader.invalid(name, reason: "expected gzip or none")
        }
        return parsed
    }

    /// `OTEL_EXPORTER_OTLP_TIMEOUT`, in milliseconds.
    package func timeout() throws(TracezError) -> Duration? {
        guard let (name, _) = variable("TIMEOUT") else { return nil }
        return try reader.milliseconds(name, atLeast: 1)
    }

    /// The error for the variable `name`, which cannot be used for `reason`.
    package func invalid(_ name: String, reason: String) -> TracezError {
        reader.invalid(name, reason: reason)
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
