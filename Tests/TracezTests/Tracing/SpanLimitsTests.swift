import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct SpanLimitsTests {
    @Test func hugeStringIsTruncatedOnACharacterBoundaryAndCounted() throws {
        let limits = SpanLimits(maxAttributeValueBytes: 1000)
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: limits))
        // "é" is two UTF-8 bytes: a cut at an odd byte would split one.
        let huge = "x" + String(repeating: "é", count: 5_000_000)  // about 10 MB
        let span = tracer.startSpan("huge")
        span.attributes["input"] = huge
        span.end()
        let record = try #require(collector.takeAll().first)
        guard case .string(let value) = record.attributes.get("input") else {
            Issue.record("input missing")
            return
        }
        #expect(value.utf8.count == 999)
        #expect(value.hasPrefix("xé"))
        #expect(value.unicodeScalars.allSatisfy { $0 == "x" || $0 == "é" })
        #expect(record.truncatedValueCount == 1)
    }

    @Test func stringArrayElementsAreTruncated() throws {
        let limits = SpanLimits(maxAttributeValueBytes: 4)
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: limits))
        tracer.withSpan("array") { $0.attributes["list"] = ["short", "ok", "longer one"] }
        let record = try #require(collector.takeAll().first)
        #expect(record.attributes.get("list") == .stringArray(["shor", "ok", "long"]))
        #expect(record.truncatedValueCount == 1)
    }

    @Test func attributesPastTheCapAreDroppedAndCounted() throws {
        let limits = SpanLimits(maxAttributes: 128)
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: limits))
        let span = tracer.startSpan("many")
        span.updateAttributes { attributes in
            for index in 0..<200 { attributes["key\(index)"] = index }
        }
        span.end()
        let record = try #require(collector.takeAll().first)
        #expect(record.attributes.count == 128)
        #expect(record.droppedAttributeCount == 72)
    }

    @Test func fullSpanKeepsItsKeysAndStillUpdatesThem() throws {
        let limits = SpanLimits(maxAttributes: 2)
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: limits))
        let span = tracer.startSpan("full")
        span.attributes["a"] = 1
        span.attributes["b"] = 2
        span.attributes["c"] = 3  // new key on a full span: dropped
        span.attributes["a"] = 10  // existing key: updated
        span.end()
        let record = try #require(collector.takeAll().first)
        #expect(record.attributes.get("a") == .int64(10))
        #expect(record.attributes.get("b") == .int64(2))
        #expect(record.attributes.get("c") == nil)
        #expect(record.droppedAttributeCount == 1)
    }

    @Test func eventsAndLinksPastTheirCapsAreCounted() throws {
        let limits = SpanLimits(maxEvents: 3, maxLinks: 1)
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: limits))
        let other = tracer.startSpan("other")
        let span = tracer.startSpan("busy")
        for index in 0..<5 { span.addEvent(SpanEvent(name: "event \(index)")) }
        span.addLink(other)
        span.addLink(other)
        span.end()
        let record = try #require(collector.takeAll().first)
        #expect(record.events.map(\.name) == ["event 0", "event 1", "event 2"])
        #expect(record.droppedEventCount == 2)
        #expect(record.links.count == 1)
        #expect(record.droppedLinkCount == 1)
    }

    @Test func eventAttributesAreCappedPerEvent() throws {
        let limits = SpanLimits(maxAttributesPerEvent: 2)
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: limits))
        let span = tracer.startSpan("event attributes")
        span.addEvent(SpanEvent(name: "crowded", attributes: ["a": 1, "b": 2, "c": 3, "d": 4]))
        span.end()
        let event = try #require(collector.takeAll().first?.events.first)
        #expect(event.attributes.count == 2)
        #expect(event.droppedAttributeCount == 2)
    }

    @Test func negativeLimitsCountAsZero() {
        let limits = SpanLimits(maxAttributes: -1, maxAttributeValueBytes: -5, maxEvents: -2, maxLinks: -3, maxAttributesPerEvent: -4)
        #expect(limits == SpanLimits(maxAttributes: 0, maxAttributeValueBytes: 0, maxEvents: 0, maxLinks: 0, maxAttributesPerEvent: 0))
    }

    @Test func truncationNeverSplitsAScalar() {
        let text = "a😀b"  // 1 + 4 + 1 bytes
        for limit in 0...6 {
            let cut = text.truncatedToUTF8Bytes(limit)
            #expect(cut.utf8.count <= limit)
            #expect(text.hasPrefix(cut))
        }
        #expect("a😀b".truncatedToUTF8Bytes(4) == "a")
        #expect("a😀b".truncatedToUTF8Bytes(5) == "a😀")
    }
}
