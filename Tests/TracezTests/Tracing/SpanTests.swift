import Dispatch
import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct SpanTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "boom happened" }
    }

    @Test func endTwiceRecordsOnce() throws {
        let (tracer, collector) = try makeTracer()
        let span = tracer.startSpan("once")
        span.end()
        span.end()
        #expect(collector.takeAll().count == 1)
        #expect(collector.statistics.recorded == 1)
    }

    @Test func changesAfterEndAreIgnored() throws {
        let (tracer, collector) = try makeTracer()
        let span = tracer.startSpan("before")
        span.attributes["kept"] = "yes"
        span.end()
        span.operationName = "after"
        span.attributes["late"] = "no"
        span.updateAttributes { $0["later"] = "no" }
        span.addEvent("late event")
        span.setStatus(SpanStatus(code: .error, message: "late"))
        #expect(!span.isRecording)
        let record = try #require(collector.takeAll().first)
        #expect(record.name == "before")
        #expect(record.attributes.get("kept") == .string("yes"))
        #expect(record.attributes.get("late") == nil)
        #expect(record.attributes.get("later") == nil)
        #expect(record.events.isEmpty)
        #expect(record.status == nil)
    }

    /// Late changes to ended spans while an exporter reads their records: the records must
    /// not change, and (under Thread Sanitizer, in CI) nothing may race. A record reads its
    /// span's state without the lock, so a late write anywhere in that state would be a
    /// use-after-free waiting to happen.
    @Test func lateChangesDoNotTouchRecordsBeingExported() throws {
        let (tracer, collector) = try makeTracer(capacity: 4_096)
        let count = isThreadSanitizerActive ? 200 : 2_000
        var spans: [Tracez.Span] = []
        for index in 0..<count {
            let span = tracer.startSpan("span-\(index)")
            span.attributes["index"] = Int64(index)
            span.attributes["text"] = String(repeating: "t", count: 40)
            span.addEvent("event")
            span.end()
            spans.append(span)
        }
        let records = collector.takeAll()
        try #require(records.count == count)
        let endedSpans = spans
        let late = String(repeating: "late", count: 16)  // long enough to live on the heap
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for round in 0..<5 {
                if worker == 0 {
                    for span in endedSpans {
                        span.attributes["late-\(round)"] = late
                        span.attributes = ["replaced": "no"]
                        span.updateAttributes { $0["later"] = "no" }
                        span.operationName = "renamed"
                    }
                } else {
                    for record in records {
                        var keys = 0
                        record.attributes.forEach { _, _ in keys += 1 }
                        precondition(keys == 2 && record.name.hasPrefix("span-") && record.events.count == 1)
                    }
                }
            }
        }
        for (index, record) in records.enumerated() {
            #expect(record.name == "span-\(index)")
            #expect(record.attributes.get("index") == .int64(Int64(index)))
            #expect(record.attributes.get("late-0") == nil)
            #expect(record.attributes.get("replaced") == nil)
        }
    }

    @Test func everyAttributeKindReachesTheRecord() throws {
        let (tracer, collector) = try makeTracer()
        let span = tracer.startSpan("kinds")
        span.updateAttributes { attributes in
            attributes.set("string", value: .string("s"))
            attributes.set("int32", value: .int32(-3))
            attributes.set("int64", value: .int64(.max))
            attributes.set("double", value: .double(2.5))
            attributes.set("bool", value: .bool(true))
            attributes.set("strings", value: .stringArray(["a", "b"]))
            attributes.set("int32s", value: .int32Array([1, 2]))
            attributes.set("int64s", value: .int64Array([3, 4]))
            attributes.set("doubles", value: .doubleArray([0.5]))
            attributes.set("bools", value: .boolArray([true, false]))
            attributes.set("convertible", value: .stringConvertible(42))
        }
        span.end()
        let attributes = try #require(collector.takeAll().first).attributes
        #expect(attributes.count == 11)
        #expect(attributes.get("int64") == .int64(.max))
        #expect(attributes.get("strings") == .stringArray(["a", "b"]))
        #expect(attributes.get("bools") == .boolArray([true, false]))
        #expect(attributes.get("convertible") == .stringConvertible(42))
    }

    @Test func recordErrorAddsExceptionEventAndErrorStatus() throws {
        let (tracer, collector) = try makeTracer()
        let span = tracer.startSpan("failing")
        span.recordError(Boom())
        span.end()
        let record = try #require(collector.takeAll().first)
        let event = try #require(record.events.first)
        #expect(event.name == "exception")
        #expect(event.attributes.get("exception.message") == .string("boom happened"))
        guard case .string(let type) = event.attributes.get("exception.type") else {
            Issue.record("exception.type missing")
            return
        }
        #expect(type.hasSuffix("Boom"))
        #expect(record.status == SpanStatus(code: .error, message: "boom happened"))
        #expect(record.isError)
    }

    @Test func withSpanRecordsThrownErrorAndRethrows() throws {
        let (tracer, collector) = try makeTracer()
        #expect(throws: Boom.self) {
            try tracer.withSpan("throws") { _ in throw Boom() }
        }
        let record = try #require(collector.takeAll().first)
        // withSpan sets a bare error status after recordError; the message must survive it.
        #expect(record.status == SpanStatus(code: .error, message: "boom happened"))
        #expect(record.events.map(\.name) == ["exception"])
    }

    @Test func okStatusIsFinal() throws {
        let (tracer, collector) = try makeTracer()
        let span = tracer.startSpan("ok")
        span.setStatus(SpanStatus(code: .ok))
        span.setStatus(SpanStatus(code: .error, message: "too late"))
        span.end()
        #expect(try #require(collector.takeAll().first).status?.code == .ok)
    }

    @Test func emptyNameBecomesUnnamed() throws {
        let (tracer, collector) = try makeTracer()
        tracer.startSpan("").end()
        #expect(try #require(collector.takeAll().first).name == "unnamed")
    }

    @Test func kindAndTimesAreRecorded() throws {
        let (tracer, collector) = try makeTracer()
        let start = DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: 1_000_000_000)
        let span = tracer.startSpan("timed", ofKind: .producer, at: start)
        span.end(at: DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: 1_000_000_500))
        let record = try #require(collector.takeAll().first)
        #expect(record.kind == .producer)
        #expect(record.startNanoseconds == 1_000_000_000)
        #expect(record.durationNanoseconds == 500)
    }

    @Test func endBeforeStartIsClampedToZeroDuration() throws {
        let (tracer, collector) = try makeTracer()
        let span = tracer.startSpan("backwards", at: DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: 2_000))
        span.end(at: DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: 1_000))
        #expect(try #require(collector.takeAll().first).durationNanoseconds == 0)
    }

    @Test func linksKeepTheLinkedContextAndCountContextsWithoutSpan() throws {
        let (tracer, collector) = try makeTracer()
        let other = tracer.startSpan("other")
        let span = tracer.startSpan("linking")
        span.addLink(other, attributes: ["link.reason": "retry"])
        span.addLink(SpanLink(context: .topLevel, attributes: [:]))
        span.end()
        other.end()
        let record = try #require(collector.takeAll().first { $0.name == "linking" })
        #expect(record.links.count == 1)
        #expect(record.links.first?.context.spanID == other.spanContext.spanID)
        #expect(record.links.first?.attributes.get("link.reason") == .string("retry"))
        #expect(record.droppedLinkCount == 1)
    }

    @Test func unsampledSpanIsNonRecordingButCarriesItsTrace() throws {
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(sampler: .alwaysOff))
        tracer.withSpan("root") { root in
            #expect(!root.isRecording)
            #expect(!root.spanContext.isSampled)
            root.attributes["ignored"] = true
            tracer.withSpan("child") { child in
                #expect(child.spanContext.traceID == root.spanContext.traceID)
                #expect(child.parentSpanID == root.spanContext.spanID)
            }
        }
        #expect(collector.statistics.recorded == 0)
    }

    @Test func erroredSpansOfUnsampledTracesAreKeptWhenAsked() throws {
        let configuration = TracerConfiguration(sampler: .alwaysOff, keepsErroredSpansOfUnsampledTraces: true)
        let (tracer, collector) = try makeTracer(configuration: configuration)
        tracer.withSpan("root") { _ in
            tracer.withSpan("fine") { _ in }
            try? tracer.withSpan("broken") { _ in throw Boom() }
        }
        let records = collector.takeAll()
        #expect(records.map(\.name) == ["broken"])
        #expect(records.first?.context.isSampled == false)
    }

    @Test func disabledTracerRecordsNothing() throws {
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(isEnabled: false))
        tracer.withSpan("off") { span in #expect(!span.isRecording) }
        #expect(collector.statistics.recorded == 0)
    }

    @Test func aRecordMadeByHandKeepsItsCountsIn32Bits() {
        let context = SpanContext(traceID: TraceID.random(), spanID: SpanID.random(), traceFlags: .sampled)
        let record = SpanRecord(
            context: context,
            parentSpanID: SpanID(0),
            name: "by hand",
            kind: .internal,
            startNanoseconds: 10,
            endNanoseconds: 20,
            droppedAttributeCount: 7,
            droppedEventCount: Int.max,
            droppedLinkCount: -3,
            truncatedValueCount: Int(UInt32.max) + 1
        )
        #expect(record.droppedAttributeCount == 7)
        #expect(record.droppedEventCount == Int(UInt32.max))
        #expect(record.droppedLinkCount == 0)
        #expect(record.truncatedValueCount == Int(UInt32.max))
        // A zero parent id is still a parent: only `nil` makes a root.
        #expect(record.parentSpanID == SpanID(0))
    }

    @Test func theSpansStateStaysWithinItsMeasuredSize() {
        // Every byte of a span's state stays in its collector until export (benchmark "Memory,
        // retained per buffered span, …" and `tracez size`). 308 bytes on 64-bit Linux with
        // Swift 6.3: a field added, or one that breaks the packing of the small fields at the
        // end, shows here first. Raise the bound with the figures in Docs/Performance.md.
        #expect(MemoryLayout<Span.State>.size <= 308, "Span.State is \(MemoryLayout<Span.State>.size) bytes")
    }
}
