import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Two services over real HTTP on loopback, each with a tracer of its own, as two
    /// processes would have: a frontend that calls `withTrace` inside its request span and
    /// calls a backend with AsyncHTTPClient, whose own tracing (given the frontend's tracer)
    /// starts the client span and injects the headers; a backend whose middleware extracts
    /// them, as Hummingbird's tracing middleware does (issue 20).
    ///
    /// The clients are the test's own, each with its tracer set: `HTTPClient.shared` takes
    /// the global tracer, which other tests of this process may have bootstrapped, and its
    /// injector adds headers beside those already there.
    @Suite struct CrossServiceTests {
        typealias Name = LangfuseAttributeName

        @Test(arguments: [TracePropagation.baggage, .inProcess])
        func theBackendsSpansCarryTheFrontendsUserAndSessionOnlyWithBaggagePropagation(
            _ propagation: TracePropagation
        ) async throws {
            let (frontendTracer, frontend) = try makeTracer(configuration: TracerConfiguration(serviceName: "frontend"))
            let (backendTracer, backend) = try makeTracer(
                configuration: TracerConfiguration(serviceName: "backend", startHooks: [TraceAttributesHook(readsBaggage: true)]))

            let frontendClient = Self.client(tracer: frontendTracer)
            let testClient = Self.client(tracer: nil)
            let backendRouter = Router()
            backendRouter.add(middleware: ServerSpanMiddleware(tracer: backendTracer))
            backendRouter.get("answer") { _, _ in
                backendTracer.withSpan("generate") { _ in }
                return "42"
            }
            // The clients are shut down whatever happens: AsyncHTTPClient traps on a client that was not.
            let outcome: Result<Void, any Error>
            do {
                outcome = .success(try await Self.serve(backendRouter, frontendTracer, frontendClient, testClient, propagation))
            } catch {
                outcome = .failure(error)
            }
            try await frontendClient.shutdown()
            try await testClient.shutdown()
            try outcome.get()

            let frontendSpans = frontend.takeAll()
            let backendSpans = backend.takeAll()
            let chat = try #require(frontendSpans.first { $0.name == "GET /chat" })
            // The frontend's request span was running before withTrace began: it gets the fields too.
            #expect(chat.string(Name.userID) == "u-1")
            #expect(chat.string(Name.sessionID) == "s-1")
            // AsyncHTTPClient's span, started by the frontend's tracer inside withTrace.
            let call = try #require(frontendSpans.first { $0.kind == .client })
            #expect(call.parentSpanID == chat.context.spanID)
            #expect(call.string(Name.userID) == nil)  // no hook on the frontend: only the running span got them
            #expect(backendSpans.map(\.name).sorted() == ["GET /answer", "generate"])
            // One trace across both services, whatever the propagation of the fields.
            for span in backendSpans { #expect(span.context.traceID == chat.context.traceID) }
            let answer = try #require(backendSpans.first { $0.name == "GET /answer" })
            #expect(answer.parentSpanID == call.context.spanID)
            for span in backendSpans {
                if propagation == .baggage {
                    #expect(span.string(Name.userID) == "u-1")
                    #expect(span.string(Name.sessionID) == "s-1")
                    #expect(span.attributes.get(Name.traceTags) == .stringArray(["beta"]))
                } else {
                    #expect(span.string(Name.userID) == nil)
                    #expect(span.string(Name.sessionID) == nil)
                }
            }
        }

        /// The backend on `backendRouter`, the frontend in front of it, and one request to the frontend.
        private static func serve(
            _ backendRouter: Router<BasicRequestContext>, _ frontendTracer: Tracez.Tracer, _ frontendClient: HTTPClient,
            _ testClient: HTTPClient, _ propagation: TracePropagation
        ) async throws {
            try await withServer(backendRouter) { backendURL in
                let frontendRouter = Router()
                frontendRouter.add(middleware: ServerSpanMiddleware(tracer: frontendTracer))
                frontendRouter.get("chat") { _, _ in
                    try await frontendTracer.withTrace(
                        TraceAttributes(userID: "u-1", sessionID: "s-1", tags: ["beta"]), propagation: propagation
                    ) {
                        let response = try await frontendClient.execute(HTTPClientRequest(url: backendURL + "/answer"), timeout: .seconds(10))
                        return String(buffer: try await response.body.collect(upTo: 1 << 16))
                    }
                }
                try await withServer(frontendRouter) { frontendURL in
                    let response = try await testClient.execute(HTTPClientRequest(url: frontendURL + "/chat"), timeout: .seconds(10))
                    #expect(response.status == .ok)
                    #expect(String(buffer: try await response.body.collect(upTo: 1 << 16)) == "42")
                }
            }
        }

        /// An HTTP client of the test's own that traces with `tracer` (none if `nil`).
        private static func client(tracer: Tracez.Tracer?) -> HTTPClient {
            var configuration = HTTPClient.Configuration()
            configuration.tracing.tracer = tracer
            return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        }

        /// Runs `body` with `router` served on a free loopback port.
        private static func withServer(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> Void) async throws {
            let port = SanitizedMutex<Int?>(nil)
            let application = Application(
                router: router,
                configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
                logger: Logger(label: "tracez.cross-service.tests", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            let server = Task { try await application.run() }
            defer { server.cancel() }
            try await waitUntil("the service listens") { port.withLock { $0 } != nil }
            try await body("http://127.0.0.1:\(port.withLock { $0 }!)")
        }
    }
}

/// A server span for each request, in the context extracted from its headers: what
/// Hummingbird's `TracingMiddleware` does with the global tracer, here with a tracer per service.
private struct ServerSpanMiddleware<Context: RequestContext>: RouterMiddleware {
    let tracer: Tracez.Tracer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var serviceContext = ServiceContext.topLevel
        tracer.extract(request.headers, into: &serviceContext, using: FieldsExtractor())
        return try await tracer.withSpan("\(request.method) \(request.uri.path)", context: serviceContext, ofKind: .server) { _ in
            try await next(request, context)
        }
    }
}

private struct FieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}
