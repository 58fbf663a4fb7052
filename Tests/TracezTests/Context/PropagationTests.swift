import Testing

@testable import Tracez

// MARK: - Test carrier: HTTP-like headers in a dictionary

/// Reads a header by name, ignoring case, as HTTP header names are.
struct HeaderExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        let name = key.lowercased()
        return carrier.first { $0.key.lowercased() == name }?.value
    }
}

struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

extension Tracez.Tracer {
    /// The headers an outgoing request from `context` would carry.
    func headers(injecting context: ServiceContext) -> [String: String] {
        var headers: [String: String] = [:]
        inject(context, into: &headers, using: HeaderInjector())
        return headers
    }

    /// A fresh top-level context with whatever `headers` carry extracted into it.
    func context(extracting headers: [String: String]) -> ServiceContext {
        var context = ServiceContext.topLevel
        extract(headers, into: &context, using: HeaderExtractor())
        return context
    }
}

// MARK: -

@Suite(.timeLimit(.minutes(3))) struct PropagationTests {
    static let traceHex = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentHex = "00f067aa0ba902b7"
    static let traceState = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"

    let tracer = Tracez.Tracer()

    @Test func injectedContextExtractsAsRemoteParentOfTheNextSpan() throws {
        let client = tracer.startSpan("client", context: .topLevel)
        let headers = tracer.headers(injecting: client.context)
        #expect(headers == ["traceparent": "00-\(client.spanContext.traceID)-\(client.spanContext.spanID)-01"])

        let context = tracer.context(extracting: headers)
        let remote = try #require(context.spanContext)
        #expect(remote.traceID == client.spanContext.traceID)
        #expect(remote.spanID == client.spanContext.spanID)
        #expect(remote.isSampled)
        #expect(remote.isRemote)

        let server = tracer.startSpan("server", context: context)
        #expect(server.spanContext.traceID == client.spanContext.traceID)
        #expect(server.parentSpanID == client.spanContext.spanID)
        #expect(server.spanContext.spanID != client.spanContext.spanID)
        #expect(server.parentIsRemote)
        #expect(!server.spanContext.isRemote)
        #expect(server.isRecording)
    }

    @Test func traceStateTravelsFromIncomingToOutgoingHeaders() throws {
        let incoming = [
            "traceparent": "00-\(Self.traceHex)-\(Self.parentHex)-01",
            "tracestate": Self.traceState,
        ]
        let context = tracer.context(extracting: incoming)
        #expect(context.spanContext?.traceState == TraceState(header: Self.traceState))

        let server = tracer.startSpan("server", context: context)
        #expect(server.spanContext.traceState["congo"] == "t61rcWkgMzE")
        let outgoing = tracer.headers(injecting: server.context)
        #expect(outgoing["tracestate"] == Self.traceState)
        #expect(outgoing["traceparent"] == "00-\(Self.traceHex)-\(server.spanContext.spanID)-01")
    }

    @Test(arguments: [
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "",
    ])
    func malformedTraceparentStartsNewTrace(_ traceparent: String) {
        let context = tracer.context(extracting: ["traceparent": traceparent, "tracestate": Self.traceState])
        #expect(context.spanContext == nil)

        let span = tracer.startSpan("server", context: context)
        #expect(span.parentSpanID == nil)
        #expect(span.spanContext.traceID.hexString != Self.traceHex)
        #expect(span.spanContext.traceState.isEmpty)
        #expect(span.isRecording)
    }

    @Test func missingTraceparentIgnoresTracestate() {
        let context = tracer.context(extracting: ["tracestate": Self.traceState])
        #expect(context.spanContext == nil)
    }

    @Test func unsampledRemoteParentMakesChildUnsampled() throws {
        let context = tracer.context(extracting: ["traceparent": "00-\(Self.traceHex)-\(Self.parentHex)-00"])
        #expect(try #require(context.spanContext).isSampled == false)

        let span = tracer.startSpan("server", context: context)
        #expect(span.spanContext.traceID.hexString == Self.traceHex)
        #expect(span.parentSpanID?.hexString == Self.parentHex)
        #expect(!span.spanContext.isSampled)
        #expect(!span.isRecording)
        #expect(tracer.headers(injecting: span.context)["traceparent"]?.hasSuffix("-00") == true)
    }

    @Test func injectingAContextWithoutASpanWritesNothing() {
        #expect(tracer.headers(injecting: .topLevel).isEmpty)
    }

    @Test func emptyTraceStateIsNotInjected() {
        let span = tracer.startSpan("root", context: .topLevel)
        #expect(Array(tracer.headers(injecting: span.context).keys) == ["traceparent"])
    }
}
