import Foundation
import Testing
import TracezTestSupport

/// Which sets the capacity of the demo's collector on the OTLP path: `--capacity` or
/// `OTEL_BSP_MAX_QUEUE_SIZE` (read `DemoCommand.makePipeline`). Seen from outside, in the
/// child process's `dropped by reason:` line: a collector too small for the spans that arrive
/// while the first batch waits counts `bufferFull` drops.
@Suite(.timeLimit(.minutes(3))) struct DemoCapacityTests {
    let demo = DemoCommandTests()

    /// A backend whose first answer is 503 with a long `Retry-After`: the first batch waits in
    /// the pipeline (not in the collector) until the demo's shutdown cuts the wait short, so
    /// every span recorded after it must fit in the collector. Every later request gets 200.
    func holdingBackend() async throws -> TestBackend {
        let backend = TestBackend()
        backend.answer { number in number == 0 ? .status(503, headers: [("Retry-After", "60")]) : .status(200) }
        try await backend.start()
        return backend
    }

    /// The `bufferFull=N` count in the `dropped by reason:` line, 0 when there is no such line.
    static func bufferFullDrops(_ run: DemoCommandTests.Run) -> Int? {
        guard let line = run.lines.first(where: { $0.hasPrefix("dropped by reason: ") }) else { return 0 }
        let reasons = line.dropFirst("dropped by reason: ".count).split(separator: " ")
        guard reasons.count == 1, reasons[0].hasPrefix("bufferFull=") else { return nil }  // no other reason may appear
        return Int(reasons[0].dropFirst("bufferFull=".count))
    }

    func runDemo(traces: Int, capacity: Int?, queueSize: String?) async throws -> DemoCommandTests.Run {
        let backend = try await holdingBackend()
        defer { Task { try? await backend.stop() } }
        var environment = [
            "OTEL_EXPORTER_OTLP_ENDPOINT": backend.url,
            // No export round on a timer: batches leave only when the collector reaches a batch or at shutdown.
            "OTEL_BSP_SCHEDULE_DELAY": "600000",
        ]
        if let queueSize { environment["OTEL_BSP_MAX_QUEUE_SIZE"] = queueSize }
        let arguments = ["demo", "--traces", "\(traces)"] + (capacity.map { ["--capacity", "\($0)"] } ?? [])
        let run = try await demo.runTracez(arguments, environment: environment)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        #expect(backend.requests.first?.uri == "/v1/traces")
        return run
    }

    @Test func theCapacityFlagWinsOverALargerQueueSize() async throws {
        // 2 traces of 9 spans. With room for one record, the first batch holds one span and the
        // collector one more while that batch waits: 16 are dropped (17 if the pipeline had
        // not drained the first before the second arrived).
        let run = try await runDemo(traces: 2, capacity: 1, queueSize: "4096")
        let dropped = try #require(Self.bufferFullDrops(run), "stdout: \(run.standardOutput)")
        #expect((16...17).contains(dropped), "stdout: \(run.standardOutput)")
        #expect(run.lines.last.map(String.init) == "recorded=18 exported=\(18 - dropped) dropped=\(dropped)")
    }

    @Test func theCapacityFlagWinsOverASmallerQueueSize() async throws {
        let run = try await runDemo(traces: 2, capacity: 64, queueSize: "1")
        #expect(Self.bufferFullDrops(run) == 0, "stdout: \(run.standardOutput)")
        #expect(run.lines.last == "recorded=18 exported=18 dropped=0")
    }

    @Test func theQueueSizeAppliesWithoutTheFlag() async throws {
        let run = try await runDemo(traces: 2, capacity: nil, queueSize: "1")
        let dropped = try #require(Self.bufferFullDrops(run), "stdout: \(run.standardOutput)")
        #expect((16...17).contains(dropped), "stdout: \(run.standardOutput)")
        #expect(run.lines.last.map(String.init) == "recorded=18 exported=\(18 - dropped) dropped=\(dropped)")
    }

    @Test func withNeitherTheDefaultHoldsEverySpan() async throws {
        let run = try await runDemo(traces: 2, capacity: nil, queueSize: nil)
        #expect(Self.bufferFullDrops(run) == 0, "stdout: \(run.standardOutput)")
        #expect(run.lines.last == "recorded=18 exported=18 dropped=0")
    }

    /// An empty `OTEL_BSP_MAX_QUEUE_SIZE` counts as unset everywhere else ("unset or empty
    /// variables keep the defaults"), so the demo's default of 4096 should apply. 300 traces
    /// make 2700 spans: the first batch of 512 waits, and the 2188 after it fit in 4096 but
    /// not in `CollectorConfiguration`'s own default of 2048.
    @Test func anEmptyQueueSizeKeepsTheDemosDefault() async throws {
        let run = try await runDemo(traces: 300, capacity: nil, queueSize: "")
        let dropped = try #require(Self.bufferFullDrops(run), "stdout: \(run.standardOutput)")
        #expect(dropped == 0, "stdout: \(run.standardOutput)")
        #expect(run.lines.last.map(String.init) == "recorded=2700 exported=\(2700 - dropped) dropped=\(dropped)")
    }
}
