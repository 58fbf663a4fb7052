import HTTPTypes
import Hummingbird
import TracezBootstrap
import TracezLangfuse

/// Who is asking, from the request's `x-user-id` and `x-session-id` headers (an
/// authentication middleware would know it from a token), set as the Langfuse trace's fields
/// for everything the request does, here and in the services it calls.
///
/// It runs before `TracingMiddleware`, so the request's server span starts inside `withTrace`
/// and, with the `TraceAttributesHook` that `TracezSystem` installs for Langfuse, carries the
/// user and session too; so do AsyncHTTPClient's client spans and the handler's generation.
/// With `propagation: .baggage` they also go to the backend in the `baggage` header, which
/// AsyncHTTPClient's tracing sends beside `traceparent`: the backend reads them with
/// `TraceAttributesHook(readsBaggage: true)`, and never sees the `x-` headers.
///
/// The frontend faces the users; the backend is called only by the frontend, so it may trust
/// the baggage it receives (see "Across services" in Docs/Langfuse.md).
struct UserContextMiddleware<Context: RequestContext>: RouterMiddleware {
    let tracer: Tracer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let trace = TraceAttributes(userID: request.headers[.userID], sessionID: request.headers[.sessionID], tags: ["chat-service"])
        return try await tracer.withTrace(trace, propagation: .baggage) { try await next(request, context) }
    }
}

extension HTTPField.Name {
    static let userID = Self("x-user-id")!
    static let sessionID = Self("x-session-id")!
}
