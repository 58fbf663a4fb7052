import Foundation
import Testing
import TracezTestSupport
import Tracing

@testable import Tracez

/// Strings that no limit covered before: names, keys, status and error messages, and
/// `stringConvertible` values; and what the limits cut, summed in the collector.
@Suite(.timeLimit(.minutes(3))) struct SpanLimitsHostileInputTests {
    /// 10 MB of two-byte characters: a cut at an odd byte would split one.
    static let tenMegabytes = "x" + String(repeating: "é", count: 5_000_000)

    @Test func hugeSpanNameIsCutOnACharacterBoundaryAndCounted() throws {
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: SpanLimits(maxNameBytes: 101)))
        tracer.withSpan(Self.tenMegabytes) { _ in }
        let record = try #require(collector.takeAll().first)
        #expect(record.name.utf8.count == 101)
        #expect(record.name.unicodeScalars.allSatisfy { $0 == "x" || $0 == "é" })
        #expect(record.truncatedValueCount == 1)
    }

    @Test func renamingASpanToAHugeNameIsCutToo() throws {
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: SpanLimits(maxNameBytes: 64)))
        tracer.withSpan("short") { $0.operationName = Self.tenMegabytes }
        let record = try #require(collector.takeAll().first)
        #expect(record.name.utf8.count <= 64)
        #expect(record.truncatedValueCount == 1)
    }

    @Test func hugeEventNameIsCut() throws {
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: SpanLimits(maxNameBytes: 64)))
        tracer.withSpan("events") { $0.addEvent(SpanEvent(name: Self.tenMegabytes)) }
        let record = try #require(collector.takeAll().first)
        let event = try #require(record.events.first)
        #expect(event.name.utf8.count <= 64)
        #expect(event.name.hasPrefix("xé"))
        #expect(record.truncatedValueCount == 1)
    }

    @Test func blankAttributeKeysAreDroppedAndCountedEverywhere() throws {
        let (tracer, collector) = try makeTracer()
        let other = tracer.startSpan("other")
        other.end()
        _ = collector.takeAll()
        tracer.withSpan("keys") { span in
            span.attributes[""] = 1
            span.attributes[" "] = 2
            span.attributes["\t\u{2003}"] = 3  // a tab and an em space
            span.attributes["kept"] = 4
            span.updateAttributes { $0[""] = 5 }
            span.addEvent(SpanEvent(name: "event", attributes: ["": 6, "ok": 7]))
            span.addLink(SpanLink(context: other.context, attributes: [" ": 8, "fine": 9]))
        }
        let record = try #require(collector.takeAll().first)
        var keys: [String] = []
        record.attributes.forEach { key, _ in keys.append(key) }
        #expect(keys == ["kept"])
        #expect(record.droppedAttributeCount == 3)  // the span's own blank keys
        let event = try #require(record.events.first)
        #expect(event.attributes.get("") == nil && event.attributes.get("ok") == .int64(7))
        #expect(event.droppedAttributeCount == 1)
        let link = try #require(record.links.first)
        #expect(link.attributes.get(" ") == nil && link.attributes.get("fine") == .int64(9))
        #expect(link.droppedAttributeCount == 1)
    }

    @Test func hugeAttributeKeyIsCutAndKeepsItsValue() throws {
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: SpanLimits(maxAttributeKeyBytes: 32)))
        let hugeKey = "key." + String(repeating: "ü", count: 1_000_000)
        tracer.withSpan("keys") { span in
            span.attributes[hugeKey] = "value"
            span.addEvent(SpanEvent(name: "event", attributes: [hugeKey: 1]))
        }
        let record = try #require(collector.takeAll().first)
        var keys: [String] = []
        record.attributes.forEach { key, _ in keys.append(key) }
        let key = try #require(keys.first)
        #expect(keys.count == 1)
        #expect(key.utf8.count <= 32 && key.hasPrefix("key.ü"))
        #expect(record.attributes.get(key) == .string("value"))
        let event = try #require(record.events.first)
        event.attributes.forEach { key, _ in #expect(key.utf8.count <= 32) }
        #expect(record.truncatedValueCount == 2)
    }

    @Test func twoHugeKeysThatCutToTheSameKeyKeepOneAndCountTheOther() throws {
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: SpanLimits(maxAttributeKeyBytes: 8)))
        tracer.withSpan("keys") { span in
            span.updateAttributes { attributes in
                attributes["prefix__" + "a"] = 1
                attributes["prefix__" + "b"] = 2
            }
        }
        let record = try #require(collector.takeAll().first)
        #expect(record.attributes.count == 1)
        #expect(record.droppedAttributeCount == 1)
        #expect(record.truncatedValueCount == 1)
    }

    @Test func hugeStatusAndErrorMessagesAreCut() throws {
        struct HugeError: Error, CustomStringConvertible {
            var description: String { SpanLimitsHostileInputTests.tenMegabytes }
        }
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: SpanLimits(maxAttributeValueBytes: 1000)))
        tracer.withSpan("status") { $0.setStatus(SpanStatus(code: .error, message: Self.tenMegabytes)) }
        tracer.withSpan("error") { $0.recordError(HugeError()) }
        let records = collector.takeAll()
        try #require(records.count == 2)
        for record in records {
            let message = try #require(record.status?.message)
            #expect(message.utf8.count <= 1000)
            #expect(message.hasPrefix("xé"))
            #expect(record.truncatedValueCount >= 1)
        }
        let exception = try #require(records[1].events.first)
        guard case .string(let text)? = exception.attributes.get("exception.message") else {
            Issue.record("no exception.message")
            return
        }
        #expect(text.utf8.count <= 1000)
    }

    @Test func stringConvertibleValuesAreCutWhenExported() throws {
        struct Huge: CustomStringConvertible, Sendable {
            var description: String { SpanLimitsHostileInputTests.tenMegabytes }
        }
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: SpanLimits(maxAttributeValueBytes: 500)))
        tracer.withSpan("convertible") { $0.attributes["value"] = SpanAttribute.stringConvertible(Huge()) }
        let record = try #require(collector.takeAll().first)
        let before = SpanLimits.truncatedAtExportCount
        let line = StdoutExporter.jsonLine(record)
        #expect(line.utf8.count < 2_000)
        #expect(SpanLimits.truncatedAtExportCount > before)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let attributes = try #require(object["attributes"] as? [String: Any])
        let value = try #require(attributes["value"] as? String)
        #expect(value.utf8.count <= 500 && value.hasPrefix("xé"))
    }

    @Test func collectorStatisticsSumWhatTheLimitsCut() throws {
        let limits = SpanLimits(maxAttributes: 2, maxAttributeValueBytes: 10, maxEvents: 1, maxLinks: 0)
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(limits: limits))
        let other = tracer.startSpan("other")
        other.end()
        for _ in 0..<3 {
            tracer.withSpan("cut") { span in
                span.updateAttributes { attributes in
                    attributes["a"] = "a long string value"
                    attributes["b"] = 1
                    attributes["c"] = 2
                }
                span.addEvent(SpanEvent(name: "one"))
                span.addEvent(SpanEvent(name: "two"))
                span.addLink(SpanLink(context: other.context, attributes: [:]))
            }
        }
        let statistics = collector.statistics
        #expect(statistics.spanLimits.droppedAttributes == 3)
        #expect(statistics.spanLimits.droppedEvents == 3)
        #expect(statistics.spanLimits.droppedLinks == 3)
        // "a" may be the attribute dropped, so at most one truncation per span.
        #expect((0...3).contains(statistics.spanLimits.truncatedValues))
        #expect(statistics.description == "recorded=4 exported=0 dropped=0")
        #expect(statistics.spanLimits.description.contains("droppedEvents=3"))
        #expect(CollectorStatistics(combining: [statistics, statistics]).spanLimits.droppedLinks == 6)
    }
}
