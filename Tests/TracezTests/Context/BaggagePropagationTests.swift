import Testing

@testable import Tracez

/// Reads each header from a list of values, joined with "," as RFC 7230 allows for a list header.
private struct MultiHeaderExtractor: Extractor {
    func extract(key: String, from carrier: [String: [String]]) -> String? {
        carrier[key].map { $0.joined(separator: ",") }
    }
}

/// `baggage` through ``Tracer/inject(_:into:using:)`` and ``Tracer/extract(_:into:using:)``,
/// with the `[String: String]` carrier of `PropagationTests`.
@Suite(.timeLimit(.minutes(3))) struct BaggagePropagationTests {
    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    let tracer = Tracez.Tracer()

    private func context(with baggage: String) -> ServiceContext {
        var context = ServiceContext.topLevel
        context.baggage = Baggage(header: baggage)
        return context
    }

    // MARK: - Inject

    @Test func injectWritesBaggageBesideTheSpanContext() {
        let span = withBaggage(["userId": "alice", "serverNode": "DF 28"]) {
            tracer.startSpan("client")
        }
        let headers = tracer.headers(injecting: span.context)
        #expect(headers["traceparent"] == "00-\(span.spanContext.traceID)-\(span.spanContext.spanID)-01")
        #expect(headers["baggage"] == "userId=alice,serverNode=DF%2028")
    }

    @Test func injectWritesBaggageWithoutASpanContext() {
        #expect(tracer.headers(injecting: context(with: "a=1;p")) == ["baggage": "a=1;p"])
    }

    @Test func injectWritesNoBaggageWhenItIsEmptyOrNothingInItCanBeWritten() {
        var context = ServiceContext.topLevel
        context.baggage = Baggage()
        #expect(tracer.headers(injecting: context).isEmpty)

        var unwritable = Baggage()
        unwritable["not a token"] = "1"
        context.baggage = unwritable
        #expect(tracer.headers(injecting: context).isEmpty)

        let span = tracer.startSpan("client", context: context)
        #expect(Array(tracer.headers(injecting: span.context).keys) == ["traceparent"])
    }

    // MARK: - Extract

    @Test func extractReadsBaggageWithTraceparent() throws {
        let context = tracer.context(extracting: ["traceparent": Self.traceparent, "baggage": "userId=alice,serverNode=DF%2028"])
        #expect(try #require(context.spanContext).isRemote)
        #expect(context.baggage?["userId"] == "alice")
        #expect(context.baggage?["serverNode"] == "DF 28")
    }

    @Test(arguments: [nil, "", "00-bad", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
    func extractReadsBaggageWithoutAValidTraceparent(_ traceparent: String?) {
        var headers = ["baggage": "isProduction=false"]
        headers["traceparent"] = traceparent
        let context = tracer.context(extracting: headers)
        #expect(context.spanContext == nil)
        #expect(context.baggage == Baggage(header: "isProduction=false"))
    }

    @Test func extractSkipsMalformedEntriesAndCountsThem() throws {
        let context = tracer.context(extracting: ["baggage": "a=1,no value,b=%zz,bad key=2,c=3"])
        let baggage = try #require(context.baggage)
        #expect(baggage.entries.map(\.key) == ["a", "c"])
        #expect(baggage.droppedEntryCount == 3)
    }

    @Test func extractOfOnlyMalformedEntriesStillReportsTheDrops() throws {
        let baggage = try #require(tracer.context(extracting: ["baggage": "no value"]).baggage)
        #expect(baggage.isEmpty)
        #expect(baggage.droppedEntryCount == 1)
    }

    @Test func missingOrBlankBaggageHeaderLeavesTheContextsBaggage() {
        for headers in [[:], ["baggage": ""], ["baggage": " , "]] as [[String: String]] {
            var context = context(with: "kept=1")
            tracer.extract(headers, into: &context, using: HeaderExtractor())
            #expect(context.baggage == Baggage(header: "kept=1"), "\(headers)")
        }
    }

    @Test func extractedBaggageReplacesTheContextsBaggage() {
        var context = context(with: "old=1")
        tracer.extract(["baggage": "new=2"], into: &context, using: HeaderExtractor())
        #expect(context.baggage == Baggage(header: "new=2"))
    }

    @Test func severalBaggageHeadersJoinedByTheExtractorAreReadAsOne() {
        var context = ServiceContext.topLevel
        let carrier = ["baggage": ["userId=alice", "serverNode=DF%2028, isProduction=false"]]
        tracer.extract(carrier, into: &context, using: MultiHeaderExtractor())
        #expect(context.baggage?.entries.map(\.key) == ["userId", "serverNode", "isProduction"])
    }

    // MARK: - Round trip

    @Test func baggageTravelsFromIncomingToOutgoingHeaders() {
        let incoming = ["traceparent": Self.traceparent, "baggage": "userId = alice, serverNode=DF%2028;p = 1,bad key=x"]
        let server = tracer.startSpan("server", context: tracer.context(extracting: incoming))
        let outgoing = tracer.headers(injecting: server.context)
        #expect(outgoing["baggage"] == "userId=alice,serverNode=DF%2028;p=1")
        #expect(outgoing["traceparent"]?.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-") == true)
    }

    @Test func localEntriesJoinRemoteOnesOnTheWayOut() throws {
        let remote = tracer.context(extracting: ["baggage": "tenant=acme"])
        let outgoing = ServiceContext.withValue(remote) {
            withBaggage(["note": "caf\u{E9}, 100%", "tenant": "acme"]) {
                tracer.withSpan("client") { span in tracer.headers(injecting: span.context) }
            }
        }
        let header = try #require(outgoing["baggage"])
        #expect(header == "tenant=acme,note=caf%C3%A9%2C%20100%25")
        #expect(tracer.context(extracting: outgoing).baggage?["note"] == "caf\u{E9}, 100%")
    }
}
