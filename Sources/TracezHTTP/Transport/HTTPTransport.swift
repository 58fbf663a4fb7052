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
