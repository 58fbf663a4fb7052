import Foundation
import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct TraceTreeRendererTests {
    /// A chat request with fixed ids and times: an HTTP server span, a database query with a
    /// long name, a model call with tokens, a failing tool with a long message, an event.
    static let chat: [SpanRecord] = {
        let trace = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)
        let root = SpanID(0x1)
        let query = SpanID(0x2)
        let model = SpanID(0x3)
        let tool = SpanID(0x4)
        let start: UInt64 = 1_700_000_000_000_000_000
        return [
            makeRecord(
                name: "POST /v1/chat", traceID: trace, spanID: root, kind: .server, startNanoseconds: start, durationNanoseconds: 21_500_000,
                attributes: [
                    "http.request.method": "POST", "http.route": "/v1/chat", "http.response.status_code": 200, "user.id": "u-42", "session.id": "s-7",
                ]),
            makeRecord(
                name: "SELECT conversations WHERE the user asked before, newest first", traceID: trace, spanID: query, parentSpanID: root,
                kind: .client, startNanoseconds: start + 600_000, durationNanoseconds: 1_100_000,
                attributes: ["db.system.name": "postgresql", "db.operation.name": "SELECT", "db.collection.name": "conversations"]),
            makeRecord(
                name: "chat gpt-4o", traceID: trace, spanID: model, parentSpanID: root, kind: .client, startNanoseconds: start + 2_000_000,
                durationNanoseconds: 6_300_000,
                attributes: ["gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 655, "gen_ai.usage.output_tokens": 212],
                events: [SpanRecord.Event(name: "first token", nanoseconds: start + 5_800_000)]),
            makeRecord(
                name: "tool weather", traceID: trace, spanID: tool, parentSpanID: model, startNanoseconds: start + 3_000_000,
                durationNanoseconds: 2_000_000,
                status: SpanStatus(code: .error, message: "weather did not answer within 2 s; the forecast service at weather.internal:8443 timed out")),
        ]
    }()

    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Compares with `Golden/tree-<width>.txt`; `TRACEZ_UPDATE_GOLDEN=1` writes the files instead.
    @Test(arguments: [60, 100, 160])
    func theTreeMatchesItsGoldenFileAndNoLineIsWiderThanTheTerminal(width: Int) throws {
        let text = TraceTreeRenderer(width: width).render(Self.chat.reversed(), incomplete: false)
        let longest = text.split(separator: "\n").map(\.count).max() ?? 0
        #expect(longest <= width, "a line of \(longest) characters at width \(width)")
        let golden = Self.goldenDirectory.appendingPathComponent("tree-\(width).txt")
        if ProcessInfo.processInfo.environment["TRACEZ_UPDATE_GOLDEN"] == "1" {
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(text == expected, "at width \(width):\n\(text)")
    }

    @Test func theHeaderSaysWhoAndHowMuch() {
        let header = TraceTreeRenderer(width: 160).render(Self.chat, incomplete: false).split(separator: "\n").first
        #expect(header == "trace 4bf92f35 POST /v1/chat  21.5 ms  user u-42  session s-7  4 spans, 1 error")
    }

    @Test func aSummarizerOfAnotherModuleWinsWhenItIsFirst() {
        struct Fixed: SpanSummarizer {
            func summary(of span: SpanRecord) -> String? { span.name == "chat gpt-4o" ? "from another module" : nil }
        }
        let text = TraceTreeRenderer(width: 160, summarizers: [Fixed(), SemanticConventionsSummarizer()]).render(Self.chat, incomplete: false)
        #expect(text.contains("from another module\n"))
        #expect(text.contains("POST /v1/chat → 200\n"))
    }

    @Test func verboseListsEveryAttributeUnderItsSpan() {
        let text = TraceTreeRenderer(width: 100, isVerbose: true).render(Self.chat, incomplete: false)
        #expect(text.contains("   │     · db.system.name = postgresql\n"))
        #expect(text.contains("· user.id = u-42\n"))
    }

    @Test(arguments: [("200", 200), (" 72 ", 72), (nil, 100), ("0", 100), ("wide", 100)] as [(String?, Int)])
    func theWidthIsColumnsElseTheTerminalsElseAHundred(columns: String?, expected: Int) {
        // Tests do not run on a terminal, so without $COLUMNS the answer is the default.
        #expect(TraceTreeRenderer.terminalWidth(columns: columns) == expected)
    }
}
