import Tracez

/// Sends one HTTP request and returns the answer: the seam between the network
/// exporters and the HTTP stack.
///
/// ``AsyncHTTPClientTransport`` is the real one. Tests may substitute their own, though
/// Tracez's own tests use the real transport against a real server on loopback.
///
/// Implementation requirements: honour ``HTTPRequest/timeout`` and task cancellation;
/// throw ``TransportError`` for failures to reach the backend; never put a header value
/// in an error or a log line.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
    /// Closes connections; called once, when the exporter shuts down.
    func shutdown() async
}

/// One HTTP request, body included.
public struct HTTPRequest: Sendable {
    public var method: String
    public var endpoint: HTTPEndpoint
    /// Header names and values, in order. Values may be secrets: never log them.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var timeout: Duration

    public init(
        method: String = "POST", endpoint: HTTPEndpoint, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.endpoint = endpoint
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// An HTTP answer. The body is capped by the transport, so a backend that answers
/// with gigabytes cannot exhaust memory.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}
