/// Errors of the HTTP transport. None carries a header value, a key or a URL's credentials.
public enum TransportError: Error, Sendable, Hashable {
    /// The URL cannot be parsed, or is not http/https with a host.
    case invalidURL(String)
    /// Plain `http://` to a host that is not loopback, without opting in.
    case insecureEndpoint(host: String)
    /// The backend could not be reached or the connection broke: refused, reset, DNS, TLS.
    case connectionFailed(reason: String)
    /// No complete answer within the request's timeout.
    case timedOut
    /// The answer's body was larger than the transport reads.
    case responseTooLarge(limit: Int)
}

extension TransportError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid URL '\(url)': expected http:// or https:// with a host"
        case .insecureEndpoint(let host):
            "refusing plain http:// to '\(host)': use https://, or allow insecure HTTP explicitly (loopback hosts are always allowed)"
        case .connectionFailed(let reason): "could not reach the backend: \(reason)"
        case .timedOut: "the backend did not answer in time"
        case .responseTooLarge(let limit): "the backend's answer was larger than \(limit) bytes"
        }
    }
}
