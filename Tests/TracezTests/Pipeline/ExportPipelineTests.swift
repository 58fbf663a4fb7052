import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct ExportPipelineTests {
    private func makePipeline(
        exporter: some Exporter,
        capacity: Int = 4096,
        configuration: ExportConfiguration = ExportConfiguration(interval: .seconds(3600), shutdownTimeout: .seconds(60)),
        clock: ManualClock? = nil  // the real clock unless a test drives time
    ) throws -> (Tracer, Collector, ExportPipeline) {
        let collector = try Collector(configuration: CollectorConfiguration(name: "pipeline", capacity: capacity))
        let pipeline =
            if let clock {
                try ExportPipeline(collector: collector, exporter: exporter, configuration: configuration, clock: clock)
            } else {
                try ExportPipeline(collector: collector, exporter: exporter, configuration: configuration)
            }
        return (Tracer(pipelines: [pipeline]), collector, pipeline)
    }

    private func record(_ count: Int, into tracer: Tracer) {
        for index in 0..<count { tracer.startSpan("span \(index)").end() }
    }

    @Test func forceFlushExportsEverythingRecordedBeforeIt() async throws {
        let exporter = InMemoryExporter()
        let (tracer, collector, _) = try makePipeline(exporter: exporter)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await tracer.run() }
            record(1000, into: tracer)
            await tracer.forceFlush()
            #expect(exporter.records.count == 1000)
            // Two batches, maybe in flight together: ordering across them is not promised.
            #expect(Set(exporter.records.map(\.name)) == Set((0..<1000).map { "span \($0)" }))
            let statistics = collector.statistics
            #expect(statistics.exported == 1000)
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
            await tracer.shutdown(deadline: .now + .seconds(60))
            try await group.waitForAll()
        }
        #expect(exporter.isShutDown)
    }

    @Test func batchesNeverExceedTheMaximumSize() async throws {
        let exporter = InMemoryExporter()
        let (tracer, _, _) = try makePipeline(
            exporter: exporter,
            configuration: ExportConfiguration(maxBatchSize: 100, interval: .seconds(3600))
        )
        record(1050, into: tracer)
        let statistics = await tracer.shutdown(deadline: .now + .seconds(60))
        #expect(statistics.exported == 1050)
        #expect(exporter.batchCount == 11)
    }

    @Test func fullBatchIsExportedWithoutWaitingForTheInterval() async throws {
        let exporter = SignallingExporter()
        let (tracer, _, _) = try makePipeline(
            exporter: exporter,
            configuration: ExportConfiguration(maxBatchSize: 10, interval: .seconds(3600))
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await tracer.run() }
            record(10, into: tracer)
            let batch = await next(of: exporter.batches)
            #expect(batch?.count == 10)
            await tracer.shutdown(deadline: .now + .seconds(60))
            try await group.waitForAll()
        }
    }

    @Test func intervalExportsWhatIsWaiting() async throws {
        let exporter = SignallingExporter()
        let clock = ManualClock()
        let (tracer, _, _) = try makePipeline(
            exporter: exporter,
            configuration: ExportConfiguration(maxBatchSize: 512, interval: .milliseconds(20)),
            clock: clock
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await tracer.run() }
            record(3, into: tracer)
            // The interval passes (on the manual clock) once the loop waits for it.
            try await clock.advanceToNextSleeper(within: .milliseconds(20))
            let batch = await next(of: exporter.batches)
            #expect(batch?.count == 3)
            await tracer.shutdown(deadline: .now + .seconds(60))
            try await group.waitForAll()
        }
    }

    @Test func failedExportWithoutRetriesIsCountedAsExportFailed() async throws {
        let exporter = FailingExporter()
        let (tracer, _, _) = try makePipeline(
            exporter: exporter,
            configuration: ExportConfiguration(interval: .seconds(3600), retry: .none)
        )
        record(7, into: tracer)
        let statistics = await tracer.shutdown(deadline: .now + .seconds(60))
        #expect(exporter.attemptCount == 1)
        #expect(statistics.dropped[.exportFailed] == 7)
        #expect(statistics.exported == 0)
        #expect(statistics.isBalanced)
    }

    @Test(arguments: [1, 4])
    func shutdown_whenBackendHangs_returnsAndCountsPendingAsShutdownDeadline(maxConcurrentExports: Int) async throws {
        let exporter = HangingExporter()
        let (tracer, _, _) = try makePipeline(
            exporter: exporter,
            configuration: ExportConfiguration(maxBatchSize: 4, interval: .seconds(3600), maxConcurrentExports: maxConcurrentExports)
        )
        record(10, into: tracer)  // three batches
        let statistics = try await withTimeLimit(.seconds(20), "shutdown with a 0.2 s deadline while the export hangs") {
            await tracer.shutdown(deadline: .now + .milliseconds(200))
        }
        // At most as many batches as may be in flight reached the backend (fewer if this task
        // started late): the pipeline never piles another export onto hung ones.
        #expect(exporter.stuckCount <= min(maxConcurrentExports, 3))
        #expect(statistics.dropped[.shutdownDeadline] == 10)
        #expect(statistics.pending == 0)
        #expect(statistics.isBalanced)
        exporter.release()
    }

    @Test func exportTimeoutGivesUpOnAHungExport() async throws {
        let exporter = HangingExporter()
        let clock = ManualClock()
        let (tracer, collector, _) = try makePipeline(
            exporter: exporter,
            configuration: ExportConfiguration(interval: .seconds(3600), exportTimeout: .milliseconds(100), retry: RetryPolicy(maxAttempts: 4)),
            clock: clock
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await tracer.run() }
            record(5, into: tracer)
            // Each attempt's timeout and the backoff between attempts (the default policy:
            // up to 4 s) pass on the manual clock as soon as they start; the interval never does.
            try await clock.lettingShortWaitsPass(within: .seconds(10)) { await tracer.forceFlush() }
            #expect(collector.statistics.dropped[.exportFailed] == 5)
            #expect(collector.statistics.isBalanced)
            await tracer.shutdown(deadline: .now + .seconds(1))
            try await group.waitForAll()
        }
        exporter.release()
    }

    @Test func shutdownWithoutRunStillSendsWhatIsPending() async throws {
        let exporter = InMemoryExporter()
        let (tracer, _, _) = try makePipeline(exporter: exporter)
        record(42, into: tracer)
        let statistics = await tracer.shutdown(deadline: .now + .seconds(60))
        #expect(exporter.records.count == 42)
        #expect(statistics.exported == 42)
        #expect(exporter.isShutDown)
    }

    @Test func spansEndedAfterShutdownAreCountedNotLost() async throws {
        let (tracer, collector, _) = try makePipeline(exporter: InMemoryExporter())
        await tracer.shutdown(deadline: .now + .seconds(1))
        record(3, into: tracer)
        let statistics = collector.statistics
        #expect(statistics.recorded == 3)
        #expect(statistics.dropped[.shutdownDeadline] == 3)
        #expect(statistics.isBalanced)
    }

    @Test func runningTwiceIsRefused() async throws {
        let (_, _, pipeline) = try makePipeline(exporter: InMemoryExporter())
        await pipeline.shutdown(deadline: .now + .seconds(1))
        await #expect(throws: TracezError.pipelineAlreadyStarted(collector: "pipeline")) {
            try await pipeline.run()
        }
    }

    @Test func forceFlushExportsEvenWhenTheLoopIsNotRunning() async throws {
        let exporter = InMemoryExporter()
        let (tracer, collector, _) = try makePipeline(exporter: exporter)
        record(2, into: tracer)
        await tracer.forceFlush()
        #expect(exporter.records.count == 2)
        #expect(collector.statistics.exported == 2)
    }

    @Test func concurrentFlushesNeverExportConcurrentlyWithOneExportAllowed() async throws {
        let exporter = ConcurrencyWitnessExporter()
        let (tracer, collector, _) = try makePipeline(
            exporter: exporter,
            configuration: ExportConfiguration(maxBatchSize: 10, interval: .milliseconds(1), maxConcurrentExports: 1)
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await tracer.run() }
            await withTaskGroup(of: Void.self) { flushers in
                for _ in 0..<8 {
                    flushers.addTask {
                        record(50, into: tracer)
                        await tracer.forceFlush()
                    }
                }
            }
            await tracer.shutdown(deadline: .now + .seconds(60))
            try await group.waitForAll()
        }
        #expect(exporter.maximumConcurrentExports == 1)
        #expect(collector.statistics.exported == 400)
    }

    @Test func gracefulShutdownOfTheServiceGroupFlushesPendingSpans() async throws {
        let exporter = InMemoryExporter()
        let (tracer, collector, _) = try makePipeline(exporter: exporter)
        try await testGracefulShutdown { trigger in
            let group = ServiceGroup(services: [tracer], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                record(25, into: tracer)
                trigger.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        #expect(exporter.records.count == 25)
        #expect(collector.statistics.exported == 25)
        #expect(exporter.isShutDown)
    }

    @Test(arguments: [
        ExportConfiguration(maxBatchSize: 0),
        ExportConfiguration(interval: .zero),
        ExportConfiguration(exportTimeout: .seconds(-1)),
        ExportConfiguration(shutdownTimeout: .zero),
        ExportConfiguration(maxConcurrentExports: 0),
        ExportConfiguration(maxConcurrentExports: 1025),
    ])
    func invalidConfigurationIsRejected(configuration: ExportConfiguration) throws {
        #expect(throws: TracezError.self) {
            try ExportPipeline(collector: try Collector(), exporter: InMemoryExporter(), configuration: configuration)
        }
    }
}
