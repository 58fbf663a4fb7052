import Foundation
import Testing
import Tracez

@testable import tracez

/// `tracez demo` as a user runs it: the built binary in a child process.
@Suite(.timeLimit(.minutes(3))) struct DemoCommandTests {
    /// The `tracez` binary SwiftPM built beside this test bundle.
    static let binary: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") || directory.path.contains(".xctest/") {
            while directory.pathExtension != "xctest", directory.path != "/" { directory.deleteLastPathComponent() }
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("tracez")
    }()

    struct Run {
        let status: Int32
        let standardOutput: String
        let standardError: String
        var lines: [Substring] { standardOutput.split(separator: "\n") }
    }

    /// Runs the tracez binary with `arguments` and `environment` (empty: nothing configured, so
    /// the stdout exporter), without blocking a thread of the test's task pool while the process
    /// runs (a blocked thread would stall every other test on this 2-core machine): its output
    /// goes to files, read once it has exited.
    func runTracez(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracez-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        for url in [outputURL, errorURL] {
            try #require(FileManager.default.createFile(atPath: url.path, contents: nil), "cannot create \(url.path)")
        }
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? errors.close()
        }
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = environment  // nothing configured: stdout exporter
        process.standardOutput = output
        process.standardError = errors
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Run(
            status: process.terminationStatus,
            standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
        )
    }

    /// Spans per demo request: request, retrieve, embed, cache, search, two chats, two tools.
    static let spansPerTrace = 9

    @Test func demoPrintsTreesAndEndsWithAnExactSummaryLine() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "no binary at \(Self.binary.path)")
        let run = try await runTracez(["demo", "--traces", "4"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let spans = 4 * Self.spansPerTrace
        #expect(run.lines.last == "recorded=\(spans) exported=\(spans) dropped=0")
        #expect(run.lines.filter { $0.hasPrefix("trace ") }.count == 4)
        #expect(run.lines.filter { $0.hasPrefix("└─ POST /v1/chat") }.count == 4)
        // Children are nested under their parents.
        #expect(run.lines.contains { $0.hasPrefix("   │  ├─ embed query") || $0.hasPrefix("   │  └─ embed query") })
        // The fourth request (index 3) has no failure; the third (index 2) has one.
        #expect(run.lines.filter { $0.contains("ERROR weather did not answer") }.count == 1)
        // The tree fits the terminal: the test runs without one, so 100 columns.
        #expect(run.lines.allSatisfy { $0.count <= 100 })
        // What a generation is, in a phrase: model, tokens, dollars.
        #expect(run.lines.contains { $0.contains("gpt-4o 655→212 tokens $0.00") })
        // No Langfuse exporter, so no Langfuse value counts: those belong to a Langfuse exporter.
        #expect(!run.lines.contains { $0.hasPrefix("Langfuse values") })
    }

    @Test func verboseListsEveryAttributeUnderItsSpan() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        let run = try await runTracez(["demo", "--traces", "1", "--verbose"])
        #expect(run.status == 0)
        #expect(run.lines.contains { $0.hasSuffix("· gen_ai.system = openai") })
        #expect(run.lines.contains { $0.hasSuffix("· http.route = /v1/chat") })
        #expect(run.lines.allSatisfy { $0.count <= 100 })
    }

    @Test func demoJSONLinesAreOneParsableObjectPerSpan() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        let run = try await runTracez(["demo", "--traces", "2", "--format", "jsonl"])
        #expect(run.status == 0)
        let spanLines = run.lines.dropLast()
        #expect(spanLines.count == 2 * Self.spansPerTrace)
        var spanIDs = Set<String>()
        for line in spanLines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let spanID = try #require(object["spanId"] as? String)
            spanIDs.insert(spanID)
        }
        // Every parent is one of the exported spans: the trees are complete. Two traces of nine
        // spans: two roots, and sixteen spans whose parent must be found.
        var parents: [String] = []
        for line in spanLines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let parent = object["parentSpanId"] as? String { parents.append(parent) }
        }
        #expect(parents.count == spanLines.count - 2)
        for parent in parents { #expect(spanIDs.contains(parent), "parent \(parent) was not exported") }
        #expect(run.lines.last == "recorded=18 exported=18 dropped=0")
    }

    @Test(arguments: [["--traces", "0"], ["--traces", "-3"], ["--traces", "many"], ["--capacity", "0"], ["--format", "xml"]])
    func demoRejectsBadArguments(arguments: [String]) throws {
        #expect(throws: (any Error).self) { try DemoCommand.parse(arguments) }
    }

    /// `--traces -1` must be read as the number -1 and get the range error, not
    /// "Missing value" because -1 looks like an option.
    @Test(arguments: [
        (["--traces", "-1"], ["--traces=-1"], "--traces must be between 1 and 100000, got -1"),
        (["--capacity", "-5"], ["--capacity=-5"], "--capacity must be at least 1, got -5"),
        (["--traces", "-0"], ["--traces=-0"], "--traces must be between 1 and 100000, got 0"),
    ])
    func negativeNumbersAsSeparateArgumentsGetTheRangeError(separate: [String], joined: [String], message: String) {
        for arguments in [separate, joined] {
            do {
                _ = try DemoCommand.parse(arguments)
                Issue.record("\(arguments) was accepted")
            } catch {
                #expect(DemoCommand.message(for: error) == message, "\(arguments)")
            }
        }
    }

    @Test func versionPrintsTheLibraryVersion() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        let run = try await runTracez(["--version"])
        #expect(run.status == 0)
        #expect(run.standardOutput == TracezVersion.current + "\n")
    }

    static func statistics(exported: Int, dropped: [DropReason: Int]) -> CollectorStatistics {
        var counts = DropCounts()
        for (reason, count) in dropped { counts[reason] = count }
        return CollectorStatistics(name: "demo", recorded: exported + counts.total, exported: exported, dropped: counts, buffered: 0, inFlight: 0, capacity: 8)
    }

    @Test func detailLinesBreakDropsDownByReasonOnlyWhenThereAreAny() {
        #expect(DemoCommand.detailLines(Self.statistics(exported: 5, dropped: [:])).isEmpty)
        #expect(
            DemoCommand.detailLines(Self.statistics(exported: 5, dropped: [.bufferFull: 2, .rejectedByBackend: 3]))
                == ["dropped by reason: bufferFull=2 rejectedByBackend=3"]
        )
    }

    @Test func detailLinesShowWhatSpanLimitsCutAndLangfuseMarkers() {
        let statistics = CollectorStatistics(
            name: "demo", recorded: 3, exported: 3, dropped: DropCounts(), buffered: 0, inFlight: 0, capacity: 8,
            spanLimits: SpanLimitCounts(droppedAttributes: 2, truncatedValues: 1)
        )
        #expect(
            DemoCommand.detailLines(statistics, truncatedLangfuseValues: 4)
                == ["cut by span limits: droppedAttributes=2 truncatedValues=1", "Langfuse values replaced by a marker: 4"]
        )
    }

    @Test func failureLineNamesTheLastFailureOnlyWhenExportsLostRecords() {
        let refused = Self.statistics(exported: 0, dropped: [.exportFailed: 9])
        #expect(
            DemoCommand.failureLine(statistics: refused, lastFailure: "could not reach the backend: connection refused")
                == "tracez demo: 9 records not exported; last export failure: could not reach the backend: connection refused"
        )
        #expect(DemoCommand.failureLine(statistics: refused, lastFailure: nil) == "tracez demo: 9 records not exported (exportFailed=9)")
        // A full collector's drops are in the counts, not blamed on the backend.
        #expect(DemoCommand.failureLine(statistics: Self.statistics(exported: 4, dropped: [.bufferFull: 3]), lastFailure: "timeout") == nil)
        #expect(DemoCommand.failureLine(statistics: Self.statistics(exported: 4, dropped: [:]), lastFailure: "HTTP 503") == nil)
    }

    @Test func summaryAddsUpWithATinyCollector() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        // 3 traces x 9 spans through 5 slots: whether the pipeline keeps up or not,
        // every span is either exported or counted as dropped.
        let run = try await runTracez(["demo", "--traces", "3", "--capacity", "5"])
        #expect(run.status == 0)
        let summary = try #require(run.lines.last)
        // Any drop is broken down by reason on the line before.
        if !summary.hasSuffix(" dropped=0") {
            #expect(run.lines.dropLast().last?.hasPrefix("dropped by reason: bufferFull=") == true, "\(run.standardOutput)")
        }
        let numbers = summary.split(separator: " ").compactMap { $0.split(separator: "=").last.flatMap { Int($0) } }
        try #require(numbers.count == 3)
        #expect(numbers[0] == 27)
        #expect(numbers[1] + numbers[2] == 27)
    }
}
