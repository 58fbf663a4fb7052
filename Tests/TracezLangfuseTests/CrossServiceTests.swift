import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import NIOHTTP1
import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Two services over real HTTP on loopback, each with a tracer of its own, as two
    /// processes would have: a frontend that calls `withTrace` inside its request span and
    /// calls a backend with AsyncHTTPClient, headers injected by its tracer; a backend whose
    /// middleware extracts them, as Hummingbird's tracing middleware does (issue 20).
    @Suite struct CrossServiceTests {
        typealias Name = LangfuseAttributeName

        @Test(arguments: [TracePropagation.baggage, .inProcess])
        func theBackendsSpansCarryTheFrontendsUserAndSessionOnlyWithBaggagePropagation(
            _ propagation: TracePropagation
        ) async throws {
            let (frontendTracer, frontend) = try makeTracer(configuration: TracerConfiguration(serviceName: "frontend"))
            let (backendTracer, backend) = try makeTracer(
                configuration: TracerConfiguration(serviceName: "backend", startHooks: [TraceAttributesHook(readsBaggage: true)]))

            let backendRouter = Router()
            backendRouter.add(middleware: ServerSpanMiddleware(tracer: backendTracer))
            backendRouter.get("answer") { _, _ in
                backendTracer.withSpan("generate") { _ in }
                return "42"
            }
            try await withServer(backendRouter) { backendURL in
                let frontendRouter = Router()
                frontendRouter.add(middleware: ServerSpanMiddleware(tracer: frontendTracer))
                frontendRouter.get("chat") { _, _ in
                    try await frontendTracer.withTrace(
                        TraceAttributes(userID: "u-1", sessionID: "s-1", tags: ["beta"]), propagation: propagation
                    ) {
                        var request = HTTPClientRequest(url: backendURL + "/answer")
                        frontendTracer.inject(ServiceContext.current ?? .topLevel, into: &request.headers, using: HeadersInjector())
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                        return String(buffer: try await response.body.collect(upTo: 1 << 16))
                    }
                }
                try await withServer(frontendRouter) { frontendURL in
                    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: frontendURL + "/chat"), timeout: .seconds(10))
                    #expect(response.status == .ok)
                    #expect(String(buffer: try await response.body.collect(upTo: 1 << 16)) == "42")
                }
            }

            let frontendSpans = frontend.takeAll()
            let backendSpans = backend.takeAll()
            let chat = try #require(frontendSpans.first { $0.name == "GET /chat" })
            // The frontend's request span was running before withTrace began: it gets the fields too.
            #expect(chat.string(Name.userID) == "u-1")
            #expect(chat.string(Name.sessionID) == "s-1")
            #expect(backendSpans.map(\.name).sorted() == ["GET /answer", "generate"])
            // One trace across both services, whatever the propagation of the fields.
            for span in backendSpans { #expect(span.context.traceID == chat.context.traceID) }
            let answer = try #require(backendSpans.first { $0.name == "GET /answer" })
            #expect(answer.parentSpanID == chat.context.spanID)
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

        /// Runs `body` with `router` served on a free loopback port.
        private func withServer(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> Void) async throws {
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

private struct HeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
