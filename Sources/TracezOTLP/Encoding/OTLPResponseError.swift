/// A backend's answer to an export could not be read as an OTLP `ExportTraceServiceResponse`.
///
/// Thrown by ``OTLPPartialSuccess/decode(protobuf:)`` and ``OTLPPartialSuccess/decode(json:)``.
/// A value type; safe to share between tasks. The reason names what was wrong, never the body.
@_spi(Benchmarks) public enum OTLPResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The body is not such a message; the string says what was wrong ("truncated varint", "not JSON").
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed OTLP response: \(reason)"
        }
    }
}
