import Testing
import TracezTestSupport
import Tracing

@testable import Tracez

/// Tracez's typed setters (`span.set(_:_:)`, TZ-0001) beside `span.attributes[key] = value`:
/// one key in one store, both read back the same way, span limits over both together.
@Suite struct TypedAttributeTests {
    private func recordingTracer(_ limits: SpanLimits = SpanLimits()) throws -> (Tracez.Tracer, Collector) {
        try makeTracer(configuration: TracerConfiguration(serviceName: "tests", limits: limits))
    }

    @Test func everyKindReadsBackThroughTheStandardGetterAndTheRecord() throws {
        let (tracer, collector) = try recordingTracer()
        let span = tracer.startSpan("typed")
        span.set("http.request.method", "GET")
        span.set("http.response.status_code", 200)
        span.set("db.rows", Int64.max)
        span.set("cache.ratio", 0.25)
        span.set("cache.hit", true)
        span.attributes["legacy"] = "dictionary"
        #expect(span.attributes.get("http.request.method") == .string("GET"))
        #expect(span.attributes.get("http.response.status_code") == .int64(200))
        span.end()

        let record = try #require(collector.takeAll().first)
        #expect(record.attributeCount == 6)
        #expect(record.attribute("db.rows") == .int64(.max))
        #expect(record.attribute("cache.ratio") == .double(0.25))
        #expect(record.attribute("cache.hit") == .bool(true))
        #expect(record.attribute("legacy") == .string("dictionary"))
        #expect(record.attribute("absent") == nil)
        var walked: [String: SpanAttribute] = [:]
        record.forEachAttribute { key, value in
            #expect(walked[key] == nil, "\(key) walked twice")
            walked[key] = value
        }
        var expected: [String: SpanAttribute] = [:]
        record.attributes.forEach { key, value in expected[key] = value }
        #expect(walked == expected)
        #expect(walked.count == 6)
    }

    @Test func theFiltersTheTreeAndTheSummarizerReadTypedAttributes() throws {
        let (tracer, collector) = try recordingTracer()
        let span = tracer.startSpan("GET /orders/{id}", ofKind: .server)
        span.set("http.request.method", "GET")
        span.set("http.route", "/orders/{id}")
        span.set("http.response.status_code", 200)
        span.end()
        let record = try #require(collector.takeAll().first)

        #expect(CollectorFilter.hasAttribute("http.route")(record))
        #expect(CollectorFilter.attribute("http.response.status_code", equals: 200)(record))
        #expect(!CollectorFilter.attribute("http.response.status_code", equals: 500)(record))
        #expect(SemanticConventionsSummarizer().summary(of: record) == "GET /orders/{id} → 200")
        let tree = TraceTreeRenderer(width: 120, isVerbose: true).render([record], incomplete: false)
        #expect(tree.contains("· http.route = /orders/{id}") && tree.contains("· http.response.status_code = 200"))
    }

    @Test func theLaterWriteWinsWhicheverWayEachCame() throws {
        let (tracer, collector) = try recordingTracer()
        let span = tracer.startSpan("both ways")
        span.set("a", "typed first")
        span.attributes["a"] = "dictionary second"
        span.attributes["b"] = "dictionary first"
        span.set("b", "typed second")
        span.set("c", 1)
        span.updateAttributes { $0["c"] = 2 }
        span.set("d", 1)
        span.set("d", 2)
        span.end()
        let record = try #require(collector.takeAll().first)
        #expect(record.attribute("a") == .string("dictionary second"))
        #expect(record.attribute("b") == .string("typed second"))
        #expect(record.attribute("c") == .int64(2))
        #expect(record.attribute("d") == .int64(2))
        #expect(record.attributeCount == 4)
    }

    @Test func theCountCapCoversBothStoresAndCountsWhatItDrops() throws {
        let (tracer, collector) = try recordingTracer(SpanLimits(maxAttributes: 3))
        let span = tracer.startSpan("capped")
        span.set("t1", 1)
        span.set("t2", 2)
        span.attributes["d1"] = 1
        span.attributes["d2"] = 2  // over the cap
        span.set("t3", 3)  // over the cap
        span.set("t1", 10)  // a change, not a new key: kept
        span.end()
        let record = try #require(collector.takeAll().first)
        #expect(record.attributeCount == 3)
        #expect(record.droppedAttributeCount == 2)
        #expect(record.attribute("t1") == .int64(10))
        #expect(record.attribute("t3") == nil)
    }

    @Test func longStringsAreCutWhenTheSpanEndsAndCounted() throws {
        let (tracer, collector) = try recordingTracer(SpanLimits(maxAttributeValueBytes: 8))
        let span = tracer.startSpan("long")
        span.set("text", String(repeating: "é", count: 100))
        span.set("short", "ok")
        for index in 0..<6 { span.set("more\(index)", String(repeating: "x", count: 20)) }  // past the inline ones
        span.end()
        let record = try #require(collector.takeAll().first)
        #expect(record.attribute("text") == .string("éééé"))
        #expect(record.attribute("short") == .string("ok"))
        #expect(record.attribute("more5") == .string("xxxxxxxx"))
        #expect(record.truncatedValueCount == 7)
    }

    @Test func keysTheRulesWouldChangeTakeTheDictionarysWay() throws {
        let (tracer, collector) = try recordingTracer(SpanLimits(maxAttributeKeyBytes: 4))
        let span = tracer.startSpan("keys")
        span.set("", "empty")
        span.set("   ", "blank")
        span.set("too long", "cut")
        span.set("ok", "kept")
        span.end()
        let record = try #require(collector.takeAll().first)
        var plain: [String: SpanAttribute] = [:]
        record.forEachAttribute { plain[$0] = $1 }
        let (reference, referenceCollector) = try recordingTracer(SpanLimits(maxAttributeKeyBytes: 4))
        let other = reference.startSpan("keys")
        other.attributes[""] = "empty"
        other.attributes["   "] = "blank"
        other.attributes["too long"] = "cut"
        other.attributes["ok"] = "kept"
        other.end()
        let expected = try #require(referenceCollector.takeAll().first)
        var wanted: [String: SpanAttribute] = [:]
        expected.forEachAttribute { wanted[$0] = $1 }
        #expect(plain == wanted)
        #expect(record.droppedAttributeCount == expected.droppedAttributeCount)
        #expect(record.truncatedValueCount == expected.truncatedValueCount)
    }

    @Test func replacingAllAttributesClearsTheTypedOnes() throws {
        let (tracer, collector) = try recordingTracer()
        let span = tracer.startSpan("replaced")
        span.set("typed", 1)
        span.attributes = ["fresh": "start"]
        span.end()
        let record = try #require(collector.takeAll().first)
        #expect(record.attributeCount == 1)
        #expect(record.attribute("typed") == nil)
    }

    @Test func writesAfterTheEndOrOnASpanThatDoesNotRecordAreIgnored() throws {
        let (tracer, collector) = try recordingTracer()
        let span = tracer.startSpan("ended")
        span.set("before", 1)
        span.end()
        span.set("after", 2)
        let record = try #require(collector.takeAll().first)
        #expect(record.attribute("after") == nil)
        #expect(span.attributes.get("after") == nil)

        let (off, offCollector) = try makeTracer(configuration: TracerConfiguration(serviceName: "off", isEnabled: false))
        let silent = off.startSpan("silent")
        silent.set("ignored", true)
        #expect(silent.attributes.get("ignored") == nil)
        silent.end()
        #expect(offCollector.takeAll().isEmpty)
    }

    @Test func manyTasksSettingTypedAttributesOnOneSpanLoseNone() async throws {
        let (tracer, collector) = try recordingTracer()
        let span = tracer.startSpan("shared")
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<16 { span.set("task\(task).\(index)", index) }
                }
            }
        }
        span.end()
        let record = try #require(collector.takeAll().first)
        #expect(record.attributeCount == 128)
        #expect(record.droppedAttributeCount == 0)
    }

    @Test func keysOfEqualLengthAreToldApartAndReplacedInPlace() throws {
        let (tracer, collector) = try recordingTracer()
        let span = tracer.startSpan("same length")
        // Keys are compared by length first: these share it, inline and past the inline four.
        let keys = ["aaaa.bbbb.cccc.dddd", "aaaa.bbbb.cccc.ddde", "zzzz.bbbb.cccc.dddd", "a", "b", "aaaa.bbbb.cccc.dddf"]
        for (index, key) in keys.enumerated() { span.set(key, index) }
        for (index, key) in keys.enumerated() { span.set(key, index * 10) }
        span.end()

        let record = try #require(collector.takeAll().first)
        #expect(record.attributeCount == keys.count)
        #expect(span.typedAttributeCount == keys.count)
        for (index, key) in keys.enumerated() {
            #expect(record.attribute(key) == .int64(Int64(index * 10)), "\(key)")
        }
    }
}
