import Foundation
import Testing
import TracezTestSupport

/// `tracez demo` against a backend that fails often, as a short-lived program meets it: the
/// spans are recorded in a moment, and shutdown's few seconds are all the time there is to
/// send them. Retries bounded by time, and a shutdown that spends its deadline rather than
/// wasting it, lose nothing.
@Suite(.timeLimit(.minutes(5))) struct DemoFlakyBackendTests {
    let demo = DemoCommandTests()

    /// The demo's run in the configuration: 40 traces, batches of 8, over OTLP.
    func runDemo(seed: UInt64) async throws -> (run: DemoCommandTests.Run, requests: [TestBackend.Request]) {
        let backend = TestBackend()
        try await backend.start()
        backend.answer(TestBackend.flakyAnswers(seed: seed))
        let run = try await demo.runTracez(
            ["demo", "--traces", "40"],
            environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": backend.url,
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "8",
            ])
        let requests = backend.requests
        try await backend.stop()
        return (run, requests)
    }

    /// Twenty runs, four at a time, each with its own seed: every one loses nothing.
    @Test func twentyRunsAgainstABackendFailingFourRequestsInTenLoseNothing() async throws {
        let spans = 40 * DemoCommandTests.spansPerTrace
        // The runs have 5 s each to send their spans, as the issue asks: not while the suite's
        // heaviest tests hold both cores.
        try await MachineShare.timing {
            for first in stride(from: UInt64(1), through: 20, by: 4) {
                try await withThrowingTaskGroup(of: (UInt64, DemoCommandTests.Run, [TestBackend.Request]).self) { group in
                    for seed in first..<(first + 4) {
                        group.addTask {
                            let (run, requests) = try await runDemo(seed: seed)
                            return (seed, run, requests)
                        }
                    }
                    for try await (seed, run, requests) in group {
                        #expect(run.status == 0, "seed \(seed): \(run.standardError)")
                        #expect(run.lines.last == "recorded=\(spans) exported=\(spans) dropped=0", "seed \(seed): \(run.lines.suffix(3)) \(run.standardError)")
                        // The faults happened: some requests failed, and the backend saw each span at least once.
                        #expect(requests.count > spans / 8, "seed \(seed): only \(requests.count) requests")
                    }
                }
            }
        }
    }
}
