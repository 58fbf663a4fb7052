import Logging
import Synchronization
import Testing
import TracezTestSupport

@testable import Tracez

/// What the pipeline says when shutdown cannot send everything: one warning per shutdown,
/// naming how many records and why, however many of its parts saw the deadline pass.
@Suite(.timeLimit(.minutes(3))) struct ExportPipelineShutdownLogTests {
    /// Exports at once until told to hang, then never answers (like ``HangingExporter``).
    final class HangOnCueExporter: Exporter {
        let exported = SanitizedMutex(0)
        let hangs = Atomic<Bool>(false)
        let hanging = HangingExporter()

        func export(_ batch: [SpanRecord]) async throws {
            if hangs.load(ordering: .acquiring) {
                try await hanging.export(batch)
            } else {
                exported.withLock { $0 += batch.count }
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func shutdown_whenBackendHangs_warnsOnceWithTheCountAndTheReason() async throws {
        let logs = CapturedLogs()
        let exporter = HangOnCueExporter()
        let collector = try Collector(configuration: CollectorConfiguration(name: "hung", capacity: 64))
        let pipeline = try ExportPipeline(
            collector: collector,
            exporter: exporter,
            configuration: ExportConfiguration(interval: .seconds(1)),
            logger: logs.logger()
        )
        let tracer = Tracer(pipelines: [pipeline])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await tracer.run() }
            // The loop's first round proves it runs; the next one is a second away.
            tracer.startSpan("first").end()
            while exporter.exported.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            exporter.hangs.store(true, ordering: .releasing)
            for index in 0..<10 { tracer.startSpan("span \(index)").end() }
            // The loop's last drain hangs: the loop and this call both see the deadline pass.
            let statistics = await tracer.shutdown(deadline: .now + .milliseconds(300))
            #expect(statistics.dropped[.shutdownDeadline] == 10)
            try await group.waitForAll()
        }
        exporter.hanging.release()
        #expect(collector.statistics.isBalanced)
        let warnings = logs.lines.filter { $0.level >= .warning && $0.message.contains("shutdown") }
        #expect(warnings.count == 1, "\(warnings.map(\.message))")
        #expect(warnings.first?.metadata["records"] == "10")
        #expect(warnings.first?.metadata["reason"] == "shutdownDeadline")
    }

    @Test func shutdown_whenEverythingIsSent_saysNothing() async throws {
        let logs = CapturedLogs()
        let pipeline = try ExportPipeline(
            collector: Collector(configuration: CollectorConfiguration(name: "fine", capacity: 64)),
            exporter: InMemoryExporter(),
            logger: logs.logger()
        )
        let tracer = Tracer(pipelines: [pipeline])
        for index in 0..<10 { tracer.startSpan("span \(index)").end() }
        let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 10)
        #expect(logs.lines.filter { $0.level >= .warning }.isEmpty)
    }
}
