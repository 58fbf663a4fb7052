import Foundation
import Testing
import TracezTestSupport

/// `LANGFUSE_DEBUG` in `tracez demo`: one line per batch on standard error when it is set,
/// none when it is not; the demo runs as a child process against a Langfuse played on loopback.
@Suite(.timeLimit(.minutes(3))) struct DemoLangfuseDebugTests {
    let demo = DemoCommandTests()

    struct BatchLine: Equatable {
        let records: Int
        let exported: Int
        let dropped: Int
        let attempts: Int
    }

    /// The `tracez demo: batch of N: exported N, dropped N, attempts N` lines of standard error.
    static func batchLines(_ run: DemoCommandTests.Run) -> [BatchLine] {
        run.standardError.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("tracez demo: batch of ") else { return nil }
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard numbers.count == 4 else { return nil }
            return BatchLine(records: numbers[0], exported: numbers[1], dropped: numbers[2], attempts: numbers[3])
        }
    }

    func runDemo(api: String, debug: String?) async throws -> (DemoCommandTests.Run, TestBackend) {
        let backend = TestBackend()
        backend.answer { _, request in DemoLangfuseTests.answer(request) }
        try await backend.start()
        var environment = DemoLangfuseTests.environment(backend.url)
        environment["LANGFUSE_FLUSH_AT"] = "4"  // several batches, so "one line per batch" can be told from "one line"
        if let debug { environment["LANGFUSE_DEBUG"] = debug }
        let run = try await demo.runTracez(["demo", "--traces", "2", "--langfuse-api", api], environment: environment)
        try await backend.stop()
        return (run, backend)
    }

    @Test(arguments: ["otel", "ingestion"])
    func langfuseDebugPrintsOneLinePerBatch(api: String) async throws {
        let (run, backend) = try await runDemo(api: api, debug: "true")
        #expect(run.status == 0, "stderr: \(run.standardError)")
        // 2 traces of 9 spans, and a score on trace 0.
        #expect(run.lines.last == "recorded=19 exported=19 dropped=0")
        let lines = Self.batchLines(run)
        #expect(lines.count >= 5, "stderr: \(run.standardError)")  // 19 records, at most 4 a batch
        #expect(lines.allSatisfy { (1...4).contains($0.records) }, "\(lines)")
        #expect(lines.map(\.records).reduce(0, +) == 19)
        #expect(lines.map(\.exported).reduce(0, +) == 19)
        #expect(lines.allSatisfy { $0.exported == $0.records && $0.dropped == 0 && $0.attempts == 1 }, "\(lines)")
        #expect(!backend.requests.isEmpty)
        // Every other line of standard error is the demo's announcement and the prompt it uses:
        // nothing is printed twice.
        let other = run.standardError.split(separator: "\n").filter { !$0.hasPrefix("tracez demo: batch of ") }
        #expect(
            other.count == 2 && other[0].hasPrefix("tracez demo: exporting to Langfuse")
                && other[1] == "tracez demo: using prompt 'travel-assistant' version 5 from Langfuse",
            "stderr: \(run.standardError)")
    }

    @Test(arguments: [nil, "false", "0"] as [String?])
    func withoutLangfuseDebugNoBatchLineIsPrinted(debug: String?) async throws {
        let (run, _) = try await runDemo(api: "otel", debug: debug)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        #expect(run.lines.last == "recorded=19 exported=19 dropped=0")
        #expect(!run.standardError.contains("batch of"), "stderr: \(run.standardError)")
    }

    @Test func anUnreadableLangfuseDebugStopsTheDemoNamingIt() async throws {
        let run = try await demo.runTracez(
            ["demo", "--traces", "1"], environment: DemoLangfuseTests.environment("http://127.0.0.1:9").merging(["LANGFUSE_DEBUG": "verbose"]) { $1 })
        #expect(run.status != 0)
        #expect(run.standardError.contains("LANGFUSE_DEBUG"), "stderr: \(run.standardError)")
    }
}
