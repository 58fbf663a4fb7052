import Foundation
import Synchronization
import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct StdoutExporterTests {
    /// Collects what the exporter writes, in place of standard output.
    final class Output: Sendable {
        private let state = SanitizedMutex<String>("")

        func write(_ text: String) { state.withLock { $0 += text } }

        var text: String { state.withLock { $0 } }
        var lines: [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0).map { $0 } }
    }

    private func makeExporter(_ format: StdoutExporter.Format, maxHeldSpans: Int = 10_000) -> (StdoutExporter, Output) {
        let output = Output()
        return (StdoutExporter(format: format, maxHeldSpans: maxHeldSpans, width: 100, write: { output.write($0) }), output)
    }

    /// root (t=0) ─ a (t=10) ─ g (t=15)
    ///            └ b (t=20)
    private struct Family {
        let trace = TraceID.random()
        let rootID = SpanID.random()
        let aID = SpanID.random()
        var root: SpanRecord { makeRecord(name: "root", traceID: trace, spanID: rootID, startNanoseconds: 1_000, durationNanoseconds: 50_000) }
        var a: SpanRecord { makeRecord(name: "a", traceID: trace, spanID: aID, parentSpanID: rootID, startNanoseconds: 10_000) }
        var g: SpanRecord { makeRecord(name: "g", traceID: trace, parentSpanID: aID, startNanoseconds: 15_000) }
        var b: SpanRecord { makeRecord(name: "b", traceID: trace, parentSpanID: rootID, startNanoseconds: 20_000) }
    }

    private func expectFamilyTree(_ lines: [Substring], trace: TraceID, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(lines.count == 5, "\(lines)", sourceLocation: sourceLocation)
        guard lines.count == 5 else { return }
        #expect(lines[0].hasPrefix("\(header(trace)) root  50.0 µs"), sourceLocation: sourceLocation)
        #expect(lines[0].hasSuffix("  4 spans"), sourceLocation: sourceLocation)
        #expect(lines[1].hasPrefix("└─ root "), sourceLocation: sourceLocation)
        #expect(lines[2].hasPrefix("   ├─ a "), sourceLocation: sourceLocation)
        #expect(lines[3].hasPrefix("   │  └─ g "), sourceLocation: sourceLocation)
        #expect(lines[4].hasPrefix("   └─ b "), sourceLocation: sourceLocation)
    }

    /// A trace's header line starts with its id's first 8 hex digits.
    private func header(_ trace: TraceID) -> String { "trace \(trace.hexString.prefix(8))" }

    // MARK: - Tree

    @Test func oneBatchPrintsOneTreeNestedWithChildrenInStartOrder() async throws {
        let (exporter, output) = makeExporter(.tree)
        let family = Family()

        // Children come before their parents, and b before a: the tree must not follow batch order.
        try await exporter.export([family.g, family.b, family.a, family.root])

        expectFamilyTree(output.lines, trace: family.trace)
        #expect(!output.text.contains("(incomplete)"))
    }

    @Test func lineShowsNameKindDurationOffsetAndWhatTheSpanIs() async throws {
        let (exporter, output) = makeExporter(.tree)

        try await exporter.export([
            makeRecord(
                name: "GET /users", kind: .server, durationNanoseconds: 2_500_000,
                attributes: ["http.request.method": "GET", "http.response.status_code": 200, "http.route": "/users"])
        ])

        let lines = output.lines
        #expect(lines.count == 2)
        #expect(lines.last == "└─ GET /users  server     2.5 ms    +0.0 µs  GET /users → 200")
    }

    @Test func childrenExportedBeforeTheirRootAreHeldUntilTheRootArrives() async throws {
        let (exporter, output) = makeExporter(.tree)
        let family = Family()

        try await exporter.export([family.a, family.g])
        #expect(output.text.isEmpty)

        try await exporter.export([family.b])
        #expect(output.text.isEmpty)

        try await exporter.export([family.root])
        expectFamilyTree(output.lines, trace: family.trace)
        #expect(!output.text.contains("(incomplete)"))

        // Nothing is left over for shutdown.
        await exporter.shutdown()
        #expect(output.lines.count == 5)
    }

    @Test func tracesAreHeldApartAndPrintedWhenEachRootArrives() async throws {
        let (exporter, output) = makeExporter(.tree)
        let first = Family()
        let second = Family()

        try await exporter.export([first.a, second.a, first.g, second.b])
        #expect(output.text.isEmpty)
        try await exporter.export([second.g, second.root])

        let afterSecond = output.text
        #expect(afterSecond.hasPrefix(header(second.trace) + " "))
        #expect(!afterSecond.contains(first.trace.hexString))

        try await exporter.export([first.b, first.root])
        let lines = output.lines
        #expect(lines.count == 10)
        expectFamilyTree(Array(lines.prefix(5)), trace: second.trace)
        expectFamilyTree(Array(lines.suffix(5)), trace: first.trace)
    }

    @Test func errorStatusPrintsErrorWithItsMessage() async throws {
        let (exporter, output) = makeExporter(.tree)

        try await exporter.export([
            makeRecord(name: "charge", status: SpanStatus(code: .error, message: "card declined"))
        ])

        let line = try #require(output.lines.last)
        #expect(line.hasPrefix("└─ charge "))
        #expect(line.hasSuffix("  ERROR card declined"))
    }

    @Test func errorStatusWithoutMessagePrintsErrorAlone() async throws {
        let (exporter, output) = makeExporter(.tree)

        try await exporter.export([makeRecord(name: "charge", status: SpanStatus(code: .error))])

        let line = try #require(output.lines.last)
        #expect(line.hasSuffix("  ERROR"))
    }

    @Test func eventsPrintUnderTheirSpanAlignedWithItsChildren() async throws {
        let (exporter, output) = makeExporter(.tree)
        let trace = TraceID.random()
        let rootID = SpanID.random()
        let root = makeRecord(
            name: "root", traceID: trace, spanID: rootID, startNanoseconds: 0,
            events: [SpanRecord.Event(name: "cache miss", nanoseconds: 5, attributes: ["key": "users"])]
        )
        let leaf = makeRecord(
            name: "leaf", traceID: trace, parentSpanID: rootID, startNanoseconds: 10,
            events: [SpanRecord.Event(name: "retry", nanoseconds: 20)]
        )

        try await exporter.export([leaf, root])

        let lines = Array(output.lines.dropFirst())
        #expect(lines.count == 4, "\(lines)")
        guard lines.count == 4 else { return }
        #expect(lines[0].hasPrefix("└─ root "))
        #expect(lines[1] == "   │  • cache miss  key=users")
        #expect(lines[2].hasPrefix("   └─ leaf "))
        #expect(lines[3] == "         • retry")
    }

    @Test func exceptionEventIsLeftOutWhenTheErrorStatusAlreadySaysIt() async throws {
        let (exporter, output) = makeExporter(.tree)
        let exception = SpanRecord.Event(name: "exception", nanoseconds: 5, attributes: ["exception.message": "boom"])

        try await exporter.export([
            makeRecord(name: "said", events: [exception], status: SpanStatus(code: .error, message: "boom")),
            makeRecord(name: "unsaid", events: [exception], status: SpanStatus(code: .error)),
        ])

        let text = output.text
        #expect(text.contains("  ERROR boom\n"))
        #expect(text.components(separatedBy: "• exception").count == 2, "\(text)")
        #expect(text.contains("  ERROR\n      • exception  exception.message=boom\n"))
    }

    @Test func shutdownPrintsTracesWhoseRootNeverCameAsIncomplete() async throws {
        let (exporter, output) = makeExporter(.tree)
        let family = Family()
        try await exporter.export([family.a, family.g, family.b])
        #expect(output.text.isEmpty)

        await exporter.shutdown()

        let lines = output.lines
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.first?.hasPrefix(header(family.trace) + " a ") == true)
        #expect(lines.first?.hasSuffix("3 spans (incomplete)") == true)
        // Without their parent, a and b are the tops of the tree, still in start order.
        #expect(lines.count > 3 && lines[1].hasPrefix("├─ a "))
        #expect(lines.count > 3 && lines[2].hasPrefix("│  └─ g "))
        #expect(lines.count > 3 && lines[3].hasPrefix("└─ b "))

        // Shutdown empties what was held: a second one prints nothing more.
        await exporter.shutdown()
        #expect(output.lines.count == 4)
    }

    @Test func shutdownWithNothingHeldPrintsNothing() async throws {
        let (exporter, output) = makeExporter(.tree)
        try await exporter.export([makeRecord(name: "root")])
        let printed = output.text

        await exporter.shutdown()

        #expect(output.text == printed)
    }

    @Test func waitingSpansBeyondMaxHeldSpansArePrintedAsIncompleteInsteadOfHeld() async throws {
        let (exporter, output) = makeExporter(.tree, maxHeldSpans: 2)
        let older = Family()
        let newer = Family()

        try await exporter.export([older.a, older.g])  // 2 waiting: at the cap, still held
        #expect(output.text.isEmpty)

        try await exporter.export([newer.b])  // 3 waiting: the oldest trace goes out as it is
        let lines = output.lines
        #expect(lines.first?.hasPrefix(header(older.trace) + " ") == true && lines.first?.hasSuffix("(incomplete)") == true)
        #expect(lines.count == 3, "\(lines)")
        #expect(!output.text.contains(header(newer.trace)))

        // The newer trace is still held and completes normally.
        try await exporter.export([newer.root])
        let newerHeader = output.lines.first { $0.hasPrefix(header(newer.trace) + " ") }
        #expect(newerHeader?.hasSuffix("2 spans") == true, "\(newerHeader ?? "none")")
    }

    @Test func zeroMaxHeldSpansPrintsOrphansImmediately() async throws {
        let (exporter, output) = makeExporter(.tree, maxHeldSpans: 0)
        let family = Family()

        try await exporter.export([family.a])

        #expect(output.lines.first == "\(header(family.trace)) a  1.0 µs  1 span (incomplete)")
    }

    // MARK: - JSON Lines

    private func parse(_ line: Substring) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any], "not an object: \(line)")
    }

    private func isHex(_ text: String, length: Int) -> Bool {
        text.count == length && text.allSatisfy { "0123456789abcdef".contains($0) }
    }

    @Test func jsonLinesWritesOneParsableObjectPerSpan() async throws {
        let (exporter, output) = makeExporter(.jsonLines)
        let family = Family()
        let child = makeRecord(
            name: "db.query",
            traceID: family.trace,
            parentSpanID: family.rootID,
            kind: .client,
            attributes: [
                "db.system": "postgresql",
                "db.rows": .int64(42),
                "db.shard": .int32(-3),
                "ratio": .double(0.25),
                "cached": .bool(true),
                "tables": .stringArray(["users", "orders"]),
                "ids": .int64Array([1, 2]),
            ],
            status: SpanStatus(code: .error, message: "timeout")
        )

        try await exporter.export([child, family.root])

        let lines = output.lines
        try #require(lines.count == 2)
        let childJSON = try parse(lines[0])
        let rootJSON = try parse(lines[1])

        let traceID = try #require(childJSON["traceId"] as? String)
        #expect(isHex(traceID, length: 32))
        #expect(traceID == family.trace.hexString)
        #expect(rootJSON["traceId"] as? String == family.trace.hexString)
        let spanID = try #require(childJSON["spanId"] as? String)
        #expect(isHex(spanID, length: 16))
        #expect(spanID == child.spanID.hexString)
        #expect(childJSON["parentSpanId"] as? String == family.rootID.hexString)
        #expect(rootJSON["parentSpanId"] == nil)
        #expect(childJSON["name"] as? String == "db.query")
        #expect(childJSON["kind"] as? String == "client")
        #expect((childJSON["startTimeUnixNano"] as? NSNumber)?.uint64Value == child.startNanoseconds)
        #expect((childJSON["endTimeUnixNano"] as? NSNumber)?.uint64Value == child.endNanoseconds)

        let status = try #require(childJSON["status"] as? [String: Any])
        #expect(status["code"] as? String == "error")
        #expect(status["message"] as? String == "timeout")
        #expect(rootJSON["status"] == nil)

        let attributes = try #require(childJSON["attributes"] as? [String: Any])
        #expect(attributes.count == 7)
        #expect(attributes["db.system"] as? String == "postgresql")
        #expect((attributes["db.rows"] as? NSNumber)?.int64Value == 42)
        #expect((attributes["db.shard"] as? NSNumber)?.int32Value == -3)
        #expect((attributes["ratio"] as? NSNumber)?.doubleValue == 0.25)
        #expect(attributes["cached"] as? Bool == true)
        #expect(attributes["tables"] as? [String] == ["users", "orders"])
        #expect((attributes["ids"] as? [NSNumber])?.map(\.int64Value) == [1, 2])
        // Parsing is lenient about numbers and booleans; the text shows the JSON types exactly.
        #expect(lines[0].contains(#""cached":true"#))
        #expect(lines[0].contains(#""db.rows":42"#))
        #expect(lines[0].contains(#""db.shard":-3"#))
        #expect(lines[0].contains(#""ratio":0.25"#))
        #expect(lines[0].contains(#""ids":[1,2]"#))

        #expect((rootJSON["attributes"] as? [String: Any])?.isEmpty == true)
    }

    @Test func jsonLinesIncludeEventsLinksAndDropCountsOnlyWhenPresent() async throws {
        let (exporter, output) = makeExporter(.jsonLines)
        let linked = SpanContext(traceID: .random(), spanID: .random())
        let busy = SpanRecord(
            context: SpanContext(traceID: .random(), spanID: .random()),
            parentSpanID: nil,
            name: "busy",
            kind: .internal,
            startNanoseconds: 100,
            endNanoseconds: 200,
            events: [SpanRecord.Event(name: "step", nanoseconds: 150, attributes: ["n": .int64(1)])],
            links: [SpanRecord.Link(context: linked, attributes: ["why": "batch"])],
            droppedAttributeCount: 2,
            truncatedValueCount: 1
        )

        try await exporter.export([busy, makeRecord(name: "plain")])

        let lines = output.lines
        try #require(lines.count == 2)
        let json = try parse(lines[0])
        let events = try #require(json["events"] as? [[String: Any]])
        #expect(events.count == 1)
        #expect(events.first?["name"] as? String == "step")
        #expect((events.first?["timeUnixNano"] as? NSNumber)?.uint64Value == 150)
        #expect(((events.first?["attributes"] as? [String: Any])?["n"] as? NSNumber)?.int64Value == 1)
        let links = try #require(json["links"] as? [[String: Any]])
        #expect(links.first?["traceId"] as? String == linked.traceID.hexString)
        #expect(links.first?["spanId"] as? String == linked.spanID.hexString)
        #expect((links.first?["attributes"] as? [String: Any])?["why"] as? String == "batch")
        #expect((json["droppedAttributesCount"] as? NSNumber)?.intValue == 2)
        #expect((json["droppedEventsCount"] as? NSNumber)?.intValue == 0)
        #expect((json["droppedLinksCount"] as? NSNumber)?.intValue == 0)
        #expect((json["truncatedValuesCount"] as? NSNumber)?.intValue == 1)

        let plain = try parse(lines[1])
        for key in ["events", "links", "status", "droppedAttributesCount", "truncatedValuesCount"] {
            #expect(plain[key] == nil, "\(key)")
        }
    }

    @Test func jsonLinesEndEveryLineWithNewline() async throws {
        let (exporter, output) = makeExporter(.jsonLines)

        try await exporter.export(makeRecords(3))

        #expect(output.text.hasSuffix("}\n"))
        #expect(output.text.filter { $0 == "\n" }.count == 3)
        for line in output.lines { _ = try parse(line) }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteDoubleAttributeIsWrittenAsTheStringProto3JSONUses(value: Double) async throws {
        let (exporter, output) = makeExporter(.jsonLines)

        try await exporter.export([
            makeRecord(name: "span", attributes: ["value": .double(value), "values": .doubleArray([1.5, value])])
        ])

        let line = try #require(output.lines.first)
        let attributes = try #require(try parse(line)["attributes"] as? [String: Any])
        // Tracez's one rule for NaN and infinities in JSON, as OTLP/JSON and Langfuse write them.
        let expected = value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity"
        #expect(attributes["value"] as? String == expected)
        let values = try #require(attributes["values"] as? [Any])
        #expect(values.count == 2)
        #expect((values.first as? NSNumber)?.doubleValue == 1.5)
        #expect(values.last as? String == expected)
    }

    @Test func awkwardStringsRoundTripThroughJSONExactly() async throws {
        let (exporter, output) = makeExporter(.jsonLines)
        let awkward = "say \"hi\" \\ C:\\path\nnext line\u{01}ctrl\u{1F}\ttab\r\nend é 🚀"

        try await exporter.export([
            makeRecord(name: awkward, attributes: [awkward: .string(awkward), "list": .stringArray([awkward])])
        ])

        // A newline inside a value must not split the record.
        let lines = output.lines
        try #require(lines.count == 1, "\(lines)")
        #expect(lines[0].contains(#"\u0001"#))
        #expect(lines[0].contains(#"\u001f"#))
        let json = try parse(lines[0])
        #expect(json["name"] as? String == awkward)
        let attributes = try #require(json["attributes"] as? [String: Any])
        #expect(attributes[awkward] as? String == awkward)
        #expect(attributes["list"] as? [String] == [awkward])
    }
}
