/// How far the fields of `withTrace` travel.
///
/// ```swift
/// try await tracer.withTrace(TraceAttributes(userID: "u-42", sessionID: "s-7"), propagation: .baggage) {
///     try await http.execute(request, timeout: .seconds(30))  // the backend's spans get user and session too
/// }
/// ```
public struct TracePropagation: Sendable, Hashable {
    private enum Kind: Hashable { case inProcess, baggage }
    private let kind: Kind

    /// Only to spans started in this process, inside the call (the default).
    public static let inProcess = TracePropagation(kind: .inProcess)

    /// Also to other services: the fields go into the context's W3C baggage (`Baggage`) under the
    /// keys the Python SDK uses (`langfuse_user_id`, `langfuse_session_id`, …), which the
    /// tracer's `inject` sends in the `baggage` header of every outgoing request made inside
    /// the call (AsyncHTTPClient, gRPC, anything instrumented with swift-distributed-tracing).
    /// A Tracez service reads them with ``TraceAttributesHook/init(readsBaggage:)``; a Python
    /// service with the Langfuse SDK reads them by itself.
    ///
    /// - Warning: Baggage goes to every service downstream, including third-party APIs
    ///   you call, and is not encrypted beyond the connection: user and session ids and
    ///   metadata become visible to them. Release and `isPublic` are not sent: they describe
    ///   this service, not the request.
    public static let baggage = TracePropagation(kind: .baggage)

    var usesBaggage: Bool { kind == .baggage }
}
