/// A failure of the HTTP transport. None carries a header value, a key or a URL's credentials.
///
/// A struct with a ``code``, not an enum, so that the transport can learn a new kind of
/// failure without breaking code that handles these (as Hummingbird's `HTTPError` and
/// ServiceLifecycle's `ServiceGroupError` do). Match on the code, and read what the failure
/// carries from the property its code names:
///
/// ```swift
/// do { _ = try HTTPEndpoint(url) } catch {
///     if error.code == .insecureEndpoint { print("use https:// for \(error.host ?? "")") }
/// }
/// ```
public struct TransportError: Error, Sendable, Hashable {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidURL, insecureEndpoint, connectionFailed, timedOut, responseTooLarge
        }

        private let base: Base

        /// The URL cannot be parsed, or is not http/https with a host: see ``TransportError/url``.
        public static let invalidURL = Code(base: .invalidURL)
        /// Plain `http://` to a host that is not loopback, without opting in: see ``TransportError/host``.
        public static let insecureEndpoint = Code(base: .insecureEndpoint)
        /// The backend could not be reached or the connection broke (refused, reset, DNS, TLS):
        /// see ``TransportError/reason``.
        public static let connectionFailed = Code(base: .connectionFailed)
        /// No complete answer within the request's timeout.
        public static let timedOut = Code(base: .timedOut)
        /// The answer's body was larger than the transport reads: see ``TransportError/limit``.
        public static let responseTooLarge = Code(base: .responseTooLarge)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// ``Code/invalidURL``: the URL, with its user information, query and fragment cut out.
    public let url: String?
    /// ``Code/insecureEndpoint``: the host that was refused.
    public let host: String?
    /// ``Code/connectionFailed``: the failure in a few words, from the error's type and code only.
    public let reason: String?
    /// ``Code/responseTooLarge``: the bytes of an answer the transport reads at most.
    public let limit: Int?

    private init(_ code: Code, url: String? = nil, host: String? = nil, reason: String? = nil, limit: Int? = nil) {
        self.code = code
        self.url = url
        self.host = host
        self.reason = reason
        self.limit = limit
    }

    /// The URL cannot be parsed, or is not http/https with a host. `url` must have its
    /// credentials cut out already.
    public static func invalidURL(_ url: String) -> TransportError { TransportError(.invalidURL, url: url) }
    /// Plain `http://` to a host that is not loopback, without opting in.
    public static func insecureEndpoint(host: String) -> TransportError { TransportError(.insecureEndpoint, host: host) }
    /// The backend could not be reached or the connection broke. `reason` must hold no URL,
    /// address or header value.
    public static func connectionFailed(reason: String) -> TransportError { TransportError(.connectionFailed, reason: reason) }
    /// No complete answer within the request's timeout.
    public static let timedOut = TransportError(.timedOut)
    /// The answer's body was larger than `limit` bytes, what the transport reads at most.
    public static func responseTooLarge(limit: Int) -> TransportError { TransportError(.responseTooLarge, limit: limit) }
}

extension TransportError: CustomStringConvertible {
    public var description: String {
        switch code {
        case .invalidURL: "invalid URL '\(url ?? "")': expected http:// or https:// with a host"
        case .insecureEndpoint:
            "refusing plain http:// to '\(host ?? "")': use https://, or allow insecure HTTP explicitly (loopback hosts are always allowed)"
        case .connectionFailed: "could not reach the backend: \(reason ?? "unknown reason")"
        case .timedOut: "the backend did not answer in time"
        case .responseTooLarge: "the backend's answer was larger than \(limit ?? 0) bytes"
        default: "transport error \(code)"
        }
    }
}
