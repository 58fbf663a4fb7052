import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct BaggageAttributesHookTests {
    private func tracerAndCollector(hooks: [any SpanStartHook]) throws -> (Tracez.Tracer, Collector) {
        try TracezTestSupport.makeTracer(configuration: TracerConfiguration(serviceName: "baggage", startHooks: hooks))
    }

    @Test func spansGetTheChosenKeysAndNoOthers() throws {
        let (tracer, collector) = try tracerAndCollector(hooks: [BaggageAttributesHook(keys: ["tenant", "region", "absent"])])
        withBaggage(["tenant": "acme", "password": "hunter2", "region": "eu"]) {
            tracer.withSpan("request") { _ in
                tracer.withSpan("query") { _ in }
            }
        }
        let records = collector.takeAll()
        #expect(records.map(\.name) == ["query", "request"])
        for record in records {
            #expect(record.attributes.get("tenant") == .string("acme"))
            #expect(record.attributes.get("region") == .string("eu"))
            #expect(record.attributes.get("password") == nil)
            #expect(record.attributes.get("absent") == nil)
            #expect(record.attributes.count == 2)
        }
    }

    @Test func withoutKeysEveryEntryIsCopied() throws {
        let (tracer, collector) = try tracerAndCollector(hooks: [BaggageAttributesHook()])
        withBaggage(["tenant": "acme", "region": "eu"]) {
            tracer.withSpan("request") { _ in }
        }
        let attributes = try #require(collector.takeAll().first).attributes
        #expect(attributes.get("tenant") == .string("acme"))
        #expect(attributes.get("region") == .string("eu"))
        #expect(attributes.count == 2)
    }

    @Test func aTracerWithoutTheHookCopiesNothing() throws {
        let (tracer, collector) = try tracerAndCollector(hooks: [])
        withBaggage(["tenant": "acme"]) {
            tracer.withSpan("request") { _ in }
        }
        let record = try #require(collector.takeAll().first)
        #expect(record.attributes.get("tenant") == nil)
        #expect(record.attributes.isEmpty)
    }

    @Test func spansOutsideBaggageGetNothing() throws {
        let (tracer, collector) = try tracerAndCollector(hooks: [BaggageAttributesHook(keys: ["tenant"])])
        tracer.withSpan("request") { _ in }
        #expect(try #require(collector.takeAll().first).attributes.isEmpty)
    }

    @Test func extractedBaggageReachesTheServerSpan() throws {
        let (tracer, collector) = try tracerAndCollector(hooks: [BaggageAttributesHook(keys: ["tenant"])])
        let context = tracer.context(extracting: ["baggage": "tenant=acme%20corp;p,other=1"])
        tracer.startSpan("server", context: context).end()
        let attributes = try #require(collector.takeAll().first).attributes
        #expect(attributes.get("tenant") == .string("acme corp"))
        #expect(attributes.get("other") == nil)
    }

    @Test func theSpansOwnAttributesSetLaterWin() throws {
        let (tracer, collector) = try tracerAndCollector(hooks: [BaggageAttributesHook()])
        withBaggage(["http.route": "/spoofed"]) {
            tracer.withSpan("request") { span in span.attributes["http.route"] = "/orders" }
        }
        #expect(try #require(collector.takeAll().first).attributes.get("http.route") == .string("/orders"))
    }
}
