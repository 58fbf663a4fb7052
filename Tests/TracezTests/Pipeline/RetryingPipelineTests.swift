import Synchronization
import Testing
import TracezTestSupport

@testable import Tracez

/// Retries, refusals, partial success and the circuit breaker, seen through a pipeline
/// whose fake exporter fails on cue. Time is a ``ManualClock``: backoff passes as soon as it
/// starts (``ManualClock/lettingShortWaitsPass(within:_:)``) and the circuit's pause passes
/// when a test moves the clock, so no test sleeps; every wait has a safety deadline and
/// every test ends by checking that each record was counted exactly once.
@Suite(.timeLimit(.minutes(3))) struct RetryingPipelineTests {
    /// Backoff of a few milliseconds (of the manual clock): short enough for
    /// `lettingShortWaitsPass` to let it pass.
    private static func fastRetry(maxAttempts: Int) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, initialDelay: .milliseconds(1), multiplier: 2, maxDelay: .milliseconds(5))
    }

    private func makePipeline(
        _ exporter: some Exporter,
        reports: PipelineReports,
        maxBatchSize: Int = 512,
        maxConcurrentExports: Int = ExportConfiguration().maxConcurrentExports,
        retry: RetryPolicy,
        circuitBreaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(isEnabled: false),
        clock: ManualClock = ManualClock()
    ) throws -> (Collector, ExportPipeline) {
        try makeManualPipeline(
            named: "retrying", exporter, reports: reports, maxBatchSize: maxBatchSize, maxConcurrentExports: maxConcurrentExports,
            retry: retry, circuitBreaker: circuitBreaker, clock: clock)
    }

    @discardableResult
    private func record(_ count: Int, into collector: Collector) -> [String] {
        let records = makeRecords(count)
        for record in records { collector.record(record) }
        return records.map(\.name)
    }

    /// Shuts the pipeline down and checks the drop-accounting invariant one last time.
    private func shutDown(_ pipeline: ExportPipeline) async -> CollectorStatistics {
        let statistics = await pipeline.shutdown(deadline: .now + .seconds(5))
        #expect(statistics.pending == 0)
        #expect(statistics.isBalanced, "\(statistics) pending=\(statistics.pending)")
        return statistics
    }

    // MARK: - Retries

    @Test func transientFailuresAreRetriedUntilTheExportSucceeds() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let failures = 3
            let exporter = ScriptedExporter { call, _ in
                if call <= failures { throw ExportError.transient(reason: "503 Service Unavailable") }
            }
            let reports = PipelineReports()
            let clock = ManualClock()
            let (collector, pipeline) = try makePipeline(exporter, reports: reports, retry: Self.fastRetry(maxAttempts: 5), clock: clock)
            let names = record(10, into: collector)

            try await clock.lettingShortWaitsPass { await pipeline.forceFlush() }

            #expect(exporter.callCount == failures + 1)
            #expect(exporter.accepted.map(\.name) == names)
            let results = reports.batches
            #expect(results.count == 1)
            #expect(results.first?.records == 10)
            #expect(results.first?.exported == 10)
            #expect(results.first?.dropped.total == 0)
            #expect(results.first?.attempts == failures + 1)
            let failed = reports.failures
            #expect(failed.count == failures)
            #expect(failed.map(\.attempt) == [1, 2, 3])
            #expect(failed.allSatisfy { $0.willRetry && $0.records == 10 && $0.collector == "retrying" })
            let statistics = collector.statistics
            #expect(statistics.exported == 10)
            #expect(statistics.dropped.total == 0)
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
            #expect(await shutDown(pipeline).exported == 10)
        }
    }

    @Test func batchIsDroppedAsExportFailedAfterMaxAttempts() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let exporter = ScriptedExporter { _, _ in throw ExportError.transient(reason: "connection refused") }
            let reports = PipelineReports()
            let clock = ManualClock()
            let (collector, pipeline) = try makePipeline(exporter, reports: reports, retry: Self.fastRetry(maxAttempts: 3), clock: clock)
            record(10, into: collector)

            try await clock.lettingShortWaitsPass { await pipeline.forceFlush() }

            #expect(exporter.callCount == 3)
            let statistics = collector.statistics
            #expect(statistics.dropped[.exportFailed] == 10)
            #expect(statistics.dropped.total == 10)
            #expect(statistics.exported == 0)
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
            let results = reports.batches
            #expect(results.count == 1)
            #expect(results.first?.attempts == 3)
            #expect(results.first?.exported == 0)
            #expect(results.first?.dropped[.exportFailed] == 10)
            #expect(reports.failures.map(\.willRetry) == [true, true, false])
            // Nothing is left to send at shutdown: the exporter is not called again.
            _ = await shutDown(pipeline)
            #expect(exporter.callCount == 3)
        }
    }

    @Test func rejectedBatchIsNeverRetriedAndDoesNotCountAgainstTheBackend() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let exporter = ScriptedExporter { _, _ in throw ExportError.rejected(status: 401, reason: "invalid credentials") }
            let reports = PipelineReports()
            let (collector, pipeline) = try makePipeline(
                exporter,
                reports: reports,
                retry: Self.fastRetry(maxAttempts: 4),
                // A single counted failure would open it: a refusal must not.
                circuitBreaker: CircuitBreaker.Configuration(failureThreshold: 1, openDuration: .seconds(3600))
            )
            record(10, into: collector)

            await pipeline.forceFlush()

            #expect(exporter.callCount == 1)
            let statistics = collector.statistics
            #expect(statistics.dropped[.rejectedByBackend] == 10)
            #expect(statistics.dropped.total == 10)
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
            #expect(reports.batches.first?.attempts == 1)
            #expect(reports.batches.first?.dropped[.rejectedByBackend] == 10)
            #expect(reports.failures.map(\.willRetry) == [false])
            #expect(pipeline.circuitBreaker.currentState == .closed)
            #expect(reports.changes.isEmpty)
            _ = await shutDown(pipeline)
        }
    }

    @Test func partialSuccessDropsTheRejectedAndRetriesOnlyWhatTheBackendAskedFor() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let exporter = ScriptedExporter { call, batch in
                if call == 1 {
                    throw ExportError.partial(rejectedCount: 2, retry: Array(batch[3..<6]), reason: "2 invalid, 3 throttled")
                }
            }
            let reports = PipelineReports()
            let clock = ManualClock()
            let (collector, pipeline) = try makePipeline(exporter, reports: reports, retry: Self.fastRetry(maxAttempts: 4), clock: clock)
            let names = record(10, into: collector)

            try await clock.lettingShortWaitsPass { await pipeline.forceFlush() }

            let calls = exporter.calls
            #expect(calls.count == 2)
            #expect(calls.first?.map(\.name) == names)
            #expect(calls.last?.map(\.name) == Array(names[3..<6]))
            let statistics = collector.statistics
            #expect(statistics.exported == 8)
            #expect(statistics.dropped[.rejectedByBackend] == 2)
            #expect(statistics.dropped.total == 2)
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
            let results = reports.batches
            #expect(results.count == 1)
            #expect(results.first?.records == 10)
            #expect(results.first?.exported == 8)
            #expect(results.first?.dropped[.rejectedByBackend] == 2)
            #expect(results.first?.attempts == 2)
            _ = await shutDown(pipeline)
        }
    }

    @Test func errorThatIsNotAnExportErrorIsRetriedLikeATransientOne() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let exporter = ScriptedExporter { call, _ in
                if call <= 2 { throw FailingExporter.Unavailable() }
            }
            let reports = PipelineReports()
            let clock = ManualClock()
            let (collector, pipeline) = try makePipeline(exporter, reports: reports, retry: Self.fastRetry(maxAttempts: 3), clock: clock)
            let names = record(10, into: collector)

            try await clock.lettingShortWaitsPass { await pipeline.forceFlush() }

            #expect(exporter.callCount == 3)
            #expect(exporter.accepted.map(\.name) == names)
            #expect(reports.batches.first?.attempts == 3)
            #expect(reports.failures.map(\.willRetry) == [true, true])
            let statistics = collector.statistics
            #expect(statistics.exported == 10)
            #expect(statistics.dropped.total == 0)
            #expect(statistics.isBalanced)
            _ = await shutDown(pipeline)
        }
    }

    @Test func retryAfterReplacesTheBackoff() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let exporter = ScriptedExporter { call, _ in
                if call == 1 { throw ExportError.transient(reason: "429 Too Many Requests", retryAfter: .zero) }
            }
            let reports = PipelineReports()
            // Backoff alone would wait up to an hour: the flush can only finish if Retry-After replaced it.
            let (collector, pipeline) = try makePipeline(
                exporter,
                reports: reports,
                retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(3600), multiplier: 2, maxDelay: .seconds(7200))
            )
            let names = record(10, into: collector)

            let flushed = await withDeadline(.now + .seconds(30)) { await pipeline.forceFlush() }
            guard case .finished = flushed else {
                Issue.record("the flush waited out the backoff instead of the backend's Retry-After")
                await pipeline.shutdown(deadline: .now + .seconds(5))
                return
            }

            #expect(exporter.callCount == 2)
            #expect(exporter.accepted.map(\.name) == names)
            #expect(reports.batches.first?.attempts == 2)
            let statistics = collector.statistics
            #expect(statistics.exported == 10)
            #expect(statistics.isBalanced)
            _ = await shutDown(pipeline)
        }
    }

    // MARK: - Circuit breaker

    /// At shutdown nothing would come back for records left in the collector: the open circuit
    /// gets one batch retried per the policy, and when that fails too the rest are given up.
    @Test func openCircuitPutsTheBatchBackInTheCollectorAndShutdownRetriesItUntilThePolicyGivesUp() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let exporter = ScriptedExporter { _, _ in throw ExportError.transient(reason: "503 Service Unavailable") }
            let reports = PipelineReports()
            let clock = ManualClock()
            let (collector, pipeline) = try makePipeline(
                exporter,
                reports: reports,
                retry: Self.fastRetry(maxAttempts: 5),
                circuitBreaker: CircuitBreaker.Configuration(failureThreshold: 2, openDuration: .seconds(3600)),
                clock: clock
            )
            record(10, into: collector)

            try await clock.lettingShortWaitsPass { await pipeline.forceFlush() }

            // The second failure opened the circuit, before the retries ran out.
            #expect(exporter.callCount == 2)
            var statistics = collector.statistics
            #expect(statistics.buffered == 10)
            #expect(statistics.inFlight == 0)
            #expect(statistics.dropped.total == 0)
            #expect(statistics.isBalanced)
            #expect(pipeline.circuitBreaker.currentState == .open)
            #expect(reports.changes == [CircuitBreaker.StateChange(collector: "retrying", from: .closed, to: .open)])
            let results = reports.batches
            #expect(results.count == 1)
            #expect(results.first?.requeued == 10)
            #expect(results.first?.attempts == 2)
            #expect(results.first?.exported == 0)
            #expect(results.first?.dropped.total == 0)
            #expect(reports.failures.allSatisfy { $0.willRetry })

            // While open, a flush leaves the backend alone and the records where they are.
            await pipeline.forceFlush()
            #expect(exporter.callCount == 2)
            statistics = collector.statistics
            #expect(statistics.buffered == 10)
            #expect(statistics.isBalanced)

            statistics = try await clock.lettingShortWaitsPass { await pipeline.shutdown(deadline: clock.now + .seconds(5)) }
            #expect(exporter.callCount == 2 + 5)  // the policy's five attempts, at shutdown
            #expect(statistics.dropped[.exportFailed] == 10)
            #expect(statistics.dropped.total == 10)
            #expect(statistics.exported == 0)
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
            #expect(exporter.isShutDown)
        }
    }

    @Test func circuitRecoversWhenTheBackendComesBack() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let backend = BackendSwitch()
            let exporter = ScriptedExporter { _, _ in
                if !backend.isUp { throw ExportError.transient(reason: "connection refused") }
            }
            let reports = PipelineReports()
            let clock = ManualClock()
            let openDuration = Duration.milliseconds(50)
            let (collector, pipeline) = try makePipeline(
                exporter,
                reports: reports,
                maxBatchSize: 4,  // three batches: enough successes to close a half-open circuit
                maxConcurrentExports: 1,  // one at a time, so that the order below is promised
                retry: Self.fastRetry(maxAttempts: 5),
                circuitBreaker: CircuitBreaker.Configuration(failureThreshold: 2, openDuration: openDuration, successThreshold: 2),
                clock: clock
            )
            let names = record(12, into: collector)

            try await clock.lettingShortWaitsPass { await pipeline.forceFlush() }
            #expect(pipeline.circuitBreaker.currentState == .open)
            #expect(collector.statistics.buffered == 12)

            backend.bringUp()
            // Still open: a flush before the pause has passed leaves the records where they are.
            await pipeline.forceFlush()
            #expect(collector.statistics.buffered == 12)
            // The pause passes: the next flush is let through as a probe, and the rest follow.
            clock.advance(by: openDuration)
            for _ in 0..<3 where collector.statistics.buffered > 0 {
                try await clock.lettingShortWaitsPass { await pipeline.forceFlush() }
            }

            let statistics = collector.statistics
            #expect(statistics.buffered == 0)
            #expect(statistics.exported == 12)
            #expect(statistics.dropped.total == 0)
            #expect(statistics.isBalanced)
            // Requeued records went back to the front: the backend still sees them in order.
            #expect(exporter.accepted.map(\.name) == names)
            #expect(pipeline.circuitBreaker.currentState == .closed)
            #expect(reports.changes.map { [$0.from, $0.to] } == [[.closed, .open], [.open, .halfOpen], [.halfOpen, .closed]])
            _ = await shutDown(pipeline)
        }
    }

    // MARK: - Shutdown

    /// A wait that would end after shutdown's deadline is cut to half the time left: the batch
    /// is tried again well before the deadline, and not in a tight loop.
    @Test func shutdownCutsABackoffPastItsDeadlineToHalfTheTimeLeft() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let clock = ManualClock()
            let exporter = ScriptedExporter { call, _ in
                if call == 1 { throw ExportError.transient(reason: "503 Service Unavailable", retryAfter: .seconds(3600)) }
            }
            let reports = PipelineReports()
            let (collector, pipeline) = try makePipeline(
                exporter,
                reports: reports,
                // A budget the hour-long Retry-After fits in: beyond it the batch would be given up.
                retry: RetryPolicy(maxElapsed: .seconds(7200), maxAttempts: 4, initialDelay: .milliseconds(1), multiplier: 2, maxDelay: .seconds(7200)),
                clock: clock
            )
            let names = record(10, into: collector)

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pipeline.run() }
                group.addTask {
                    let flushed = await withDeadline(.now + .seconds(30)) { await pipeline.forceFlush() }
                    guard case .finished = flushed else {
                        Issue.record("the flush was still waiting out the hour-long Retry-After")
                        return
                    }
                }
                // Once the first attempt has failed, the batch waits an hour for its retry.
                let failure = await next(of: reports.failureStream)
                #expect(failure?.willRetry == true)

                let shutdownBegan = clock.now
                let shutdown = Task { await pipeline.shutdown(deadline: shutdownBegan + .seconds(30)) }
                try await clock.advanceToNextSleeper(within: .seconds(20))  // the retry at 15 s; the deadline is at 30 s
                let statistics = await shutdown.value
                #expect(statistics.exported == 10)
                #expect(statistics.dropped.total == 0)
                #expect(statistics.pending == 0)
                #expect(statistics.isBalanced)
                // The retry came half-way to the deadline, once the clock had got there.
                #expect(clock.now - shutdownBegan == .seconds(15))
                try await group.waitForAll()
            }
            #expect(exporter.callCount == 2)
            #expect(exporter.accepted.map(\.name) == names)
            #expect(exporter.isShutDown)
        }
    }

    @Test func shutdown_whenAFailureAsksForARetryAfterTheDeadline_stillRetriesBeforeIt() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let clock = ManualClock()
            let exporter = ScriptedExporter { call, _ in
                if call == 1 { throw ExportError.transient(reason: "503 Service Unavailable", retryAfter: .seconds(60)) }
            }
            let reports = PipelineReports()
            let (collector, pipeline) = try makePipeline(
                exporter,
                reports: reports,
                retry: RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(1), multiplier: 2, maxDelay: .seconds(7200)),
                clock: clock
            )
            let names = record(10, into: collector)

            // Same backend as above, but shutdown starts before the first attempt fails. The
            // 60 s it asks for are no reason to give up with 30 s left: the batch is retried
            // half-way to the deadline.
            let began = clock.now
            let shutdown = Task { await pipeline.shutdown(deadline: began + .seconds(30)) }
            try await clock.advanceToNextSleeper(within: .seconds(20))  // the retry at 15 s; the deadline is at 30 s
            let statistics = await shutdown.value
            #expect(clock.now - began == .seconds(15))
            #expect(statistics.exported == 10, "dropped: \(statistics.dropped)")
            #expect(statistics.dropped[.shutdownDeadline] == 0)
            #expect(exporter.accepted.map(\.name) == names)
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
        }
    }

    /// An attempt that ends after shutdown's deadline was cut short, whatever the exporter says
    /// (a transport reports its cancellation as a time-out, and the deadline's timer and the
    /// attempt's fire at the same instant, in either order): it is not reported as a failure.
    /// `tracez demo` against a closed port once named "did not answer in time" as its cause.
    @Test func aFailureEndingAfterShutdownsDeadlineIsNotReported() throws {
        let clock = ManualClock()
        let reports = PipelineReports()
        let (_, pipeline) = try makePipeline(ScriptedExporter { _, _ in }, reports: reports, retry: .none, clock: clock)
        pipeline.notifyFailure(attempt: 1, records: 1, reason: "connection refused", willRetry: true)
        pipeline.beginShutdown(deadline: clock.now + .seconds(1))
        pipeline.notifyFailure(attempt: 2, records: 1, reason: "503 during shutdown", willRetry: true)
        clock.advance(by: .seconds(1))
        pipeline.notifyFailure(attempt: 3, records: 1, reason: "the backend did not answer in time", willRetry: false)
        #expect(reports.failures.map(\.reason) == ["connection refused", "503 during shutdown"])
        #expect(pipeline.status.lastFailure?.reason == "503 during shutdown")
    }

    @Test func failureReportedAsWillRetryIsAlwaysFollowedByAnotherAttempt() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let clock = ManualClock()
            let exporter = ScriptedExporter { call, _ in
                if call == 1 { throw ExportError.transient(reason: "503 Service Unavailable", retryAfter: .seconds(60)) }
            }
            let reports = PipelineReports()
            let (collector, pipeline) = try makePipeline(
                exporter,
                reports: reports,
                retry: RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(1), multiplier: 2, maxDelay: .seconds(7200)),
                clock: clock
            )
            record(10, into: collector)

            // Whatever shutdown decides about a Retry-After beyond its deadline, what it
            // tells `onExportError` must match what it then does.
            let began = clock.now
            let shutdown = Task { await pipeline.shutdown(deadline: began + .seconds(30)) }
            try await clock.advanceToNextSleeper(within: .seconds(20))  // the retry at 15 s; the deadline is at 30 s
            let statistics = await shutdown.value
            let failures = reports.failures
            // The first attempt failed with a Retry-After of 60 s and the policy allows retries:
            // it must have been reported as one to retry, or this loop checks nothing.
            let retried = failures.filter(\.willRetry)
            try #require(!retried.isEmpty, "no failure was reported with willRetry = true: \(failures.map(\.attempt))")
            for failure in retried {
                #expect(
                    exporter.callCount > failure.attempt,
                    "attempt \(failure.attempt) was reported willRetry=true, but the batch ended with dropped: \(statistics.dropped)"
                )
            }
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
        }
    }
}

/// Keeps what a pipeline reports through its callbacks.
final class PipelineReports: Sendable {
    private let state = SanitizedMutex<(batches: [BatchResult], failures: [ExportAttemptFailure], changes: [CircuitBreaker.StateChange])>(([], [], []))
    /// Each failed attempt, as it is reported, so a test can wait for one.
    let failureStream: AsyncStream<ExportAttemptFailure>
    private let failureInput: AsyncStream<ExportAttemptFailure>.Continuation

    init() {
        (failureStream, failureInput) = AsyncStream.makeStream()
    }

    var batches: [BatchResult] { state.withLock { $0.batches } }
    var failures: [ExportAttemptFailure] { state.withLock { $0.failures } }
    var changes: [CircuitBreaker.StateChange] { state.withLock { $0.changes } }

    /// `configuration` with its three callbacks reporting here.
    func attach(to configuration: ExportConfiguration) -> ExportConfiguration {
        var configuration = configuration
        configuration.onBatchResult = { result in self.state.withLock { $0.batches.append(result) } }
        configuration.onExportError = { failure in
            self.state.withLock { $0.failures.append(failure) }
            self.failureInput.yield(failure)
        }
        configuration.onCircuitStateChange = { change in self.state.withLock { $0.changes.append(change) } }
        return configuration
    }
}
