import Testing
import TracezTestSupport

@testable import Tracez

/// `ExportConfiguration.maxConcurrentExports`: how many batches a pipeline has in flight at
/// once, what they share, and how each record is still counted exactly once.
///
/// Exports wait at a gate (``HangingExporter``) until the test releases them, so "in flight"
/// is a state the test holds, not a race it hopes to win. Time is a ``ManualClock`` that moves
/// only when a test moves it: no export times out and nothing sleeps. Every wait has a safety
/// limit; no test asserts a duration.
@Suite(.timeLimit(.minutes(3))) struct ConcurrentExportsTests {
    private func makePipeline(
        _ exporter: some Exporter,
        maxConcurrentExports: Int,
        maxBatchSize: Int = 10,
        retry: RetryPolicy = .none,
        circuitBreaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(isEnabled: false),
        reports: PipelineReports = PipelineReports(),
        clock: ManualClock = ManualClock()
    ) throws -> (Collector, ExportPipeline) {
        try makeManualPipeline(
            named: "concurrent", exporter, reports: reports, maxBatchSize: maxBatchSize, maxConcurrentExports: maxConcurrentExports,
            retry: retry, circuitBreaker: circuitBreaker, clock: clock)
    }

    private func record(_ count: Int, into collector: Collector, prefix: String = "span") {
        for record in makeRecords(count, prefix: prefix) { collector.record(record) }
    }

    /// Waits until `count` exports wait at `gate`, then checks that no more than that do.
    private func expectExportsAtTheGate(_ count: Int, _ gate: HangingExporter, _ what: String) async throws {
        try await waitUntil(what) { gate.stuckCount >= count }
        #expect(gate.stuckCount == count, "\(what): \(gate.stuckCount) exports at the gate")
    }

    /// Checks the invariant and that exactly `inFlight` records are in flight.
    private func expectBalanced(_ collector: Collector, inFlight: Int, buffered: Int, exported: Int) {
        let statistics = collector.statistics
        #expect(statistics.inFlight == inFlight)
        #expect(statistics.buffered == buffered)
        #expect(statistics.exported == exported)
        #expect(statistics.pending == inFlight + buffered)
        #expect(statistics.isBalanced, "\(statistics) pending=\(statistics.pending)")
    }

    // MARK: - How many in flight

    @Test func withFourAllowed_fourBatchesAreInFlightAtOnce_neverFive() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let gate = HangingExporter()
            let (collector, pipeline) = try makePipeline(gate, maxConcurrentExports: 4)
            record(100, into: collector)  // ten batches of 10

            let flush = Task { await pipeline.forceFlush() }
            try await expectExportsAtTheGate(4, gate, "the first four batches are in flight")
            #expect(pipeline.status.exportsInFlight == 4)
            expectBalanced(collector, inFlight: 40, buffered: 60, exported: 0)

            // An export drains its next batch only after it has settled the last one, so once
            // four are at the gate again, the four before them are counted as exported.
            gate.release()
            try await expectExportsAtTheGate(4, gate, "the next four batches are in flight")
            #expect(pipeline.status.exportsInFlight == 4)
            expectBalanced(collector, inFlight: 40, buffered: 20, exported: 40)

            gate.release()
            try await expectExportsAtTheGate(2, gate, "the last two batches are in flight")
            expectBalanced(collector, inFlight: 20, buffered: 0, exported: 80)

            gate.release()
            await flush.value
            #expect(pipeline.status.exportsInFlight == 0)
            expectBalanced(collector, inFlight: 0, buffered: 0, exported: 100)
            let statistics = await pipeline.shutdown(deadline: .now + .seconds(5))
            #expect(statistics.exported == 100)
            #expect(statistics.dropped.total == 0)
            #expect(statistics.isBalanced)
        }
    }

    /// A round sends more than the collector held when it began: full batches that arrive
    /// while its batches are in flight go out in its free slots, so a pipeline's throughput is
    /// `maxConcurrentExports` batches per round trip, not the collector's capacity per round trip.
    @Test func fullBatchesThatArriveWhileOthersAreInFlightUseTheFreeSlots() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let gate = HangingExporter()
            let (collector, pipeline) = try makePipeline(gate, maxConcurrentExports: 4)
            record(10, into: collector, prefix: "first")
            let flush = Task { await pipeline.forceFlush() }
            try await expectExportsAtTheGate(1, gate, "the round's one batch is in flight")

            for arrival in 1...4 {
                record(10, into: collector, prefix: "arrival\(arrival)-")
                let expected = min(1 + arrival, 4)
                try await expectExportsAtTheGate(expected, gate, "arrival \(arrival): \(expected) batches in flight")
            }
            // All four slots are busy: the fifth batch waits in the collector.
            expectBalanced(collector, inFlight: 40, buffered: 10, exported: 0)

            // The fifth goes in this round if a slot frees while another batch is still in
            // flight, else at shutdown: either way, with the gate open, all are sent.
            let opener = gate.keepReleasing()
            await flush.value
            let statistics = await pipeline.shutdown(deadline: .now + .seconds(5))
            opener.cancel()
            #expect(statistics.exported == 50)
            #expect(statistics.isBalanced)
        }
    }

    /// A round that ends with a full batch still in the collector starts the next at once. The
    /// collector's fill mark signals only on the way up, so a collector that a steady load keeps
    /// above it says nothing: without this, the next round waited for the export interval, and
    /// an overloaded pipeline sent one collector's worth per interval (the throughput benchmark
    /// found 3 000 spans a second where 160 000 went through unloaded).
    @Test func aFullBatchLeftAfterARoundStartsTheNextWithoutWaitingForTheInterval() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let gate = HangingExporter()
            let (collector, pipeline) = try makePipeline(gate, maxConcurrentExports: 1)  // its interval is an hour
            let running = Task { try await pipeline.run() }
            record(10, into: collector, prefix: "first")  // reaches the fill mark: a round
            try await expectExportsAtTheGate(1, gate, "the first round's batch is in flight")
            record(30, into: collector, prefix: "second")  // passes the mark again: the next round
            gate.release()

            // The second round's three batches; each time one leaves, another arrives, so the
            // collector never falls below its mark and never signals it.
            for index in 0..<3 {
                try await expectExportsAtTheGate(1, gate, "batch \(index + 1) of the second round is in flight")
                record(10, into: collector, prefix: "refill\(index)-")
                gate.release()
            }
            try await expectExportsAtTheGate(1, gate, "a third round started with no signal and no interval")

            let opener = gate.keepReleasing()
            let statistics = await pipeline.shutdown(deadline: .now + .seconds(5))
            opener.cancel()
            running.cancel()
            #expect(statistics.exported == 70)
            #expect(statistics.isBalanced)
        }
    }

    @Test func withOneAllowed_batchesGoOneAtATime() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let gate = HangingExporter()
            let (collector, pipeline) = try makePipeline(gate, maxConcurrentExports: 1)
            record(30, into: collector)

            let flush = Task { await pipeline.forceFlush() }
            for sent in 0..<3 {
                try await expectExportsAtTheGate(1, gate, "batch \(sent + 1) is in flight, alone")
                #expect(pipeline.status.exportsInFlight == 1)
                expectBalanced(collector, inFlight: 10, buffered: 20 - 10 * sent, exported: 10 * sent)
                gate.release()
            }
            await flush.value
            expectBalanced(collector, inFlight: 0, buffered: 0, exported: 30)
            await pipeline.shutdown(deadline: .now + .seconds(5))
        }
    }

    @Test func withOneAllowed_theExporterSeesTheBatchesInOrder() async throws {
        let exporter = InMemoryExporter()
        let (collector, pipeline) = try makePipeline(exporter, maxConcurrentExports: 1)
        record(35, into: collector)
        await pipeline.forceFlush()
        #expect(exporter.records.map(\.name) == makeRecords(35).map(\.name))
        #expect(exporter.batchCount == 4)
        await pipeline.shutdown(deadline: .now + .seconds(5))
    }

    @Test func manyFlushersAtOnceNeverExceedTheLimit() async throws {
        let exporter = ConcurrencyWitnessExporter()
        let (collector, pipeline) = try makePipeline(exporter, maxConcurrentExports: 3, clock: ManualClock())
        await withTaskGroup(of: Void.self) { flushers in
            for flusher in 0..<8 {
                flushers.addTask {
                    for record in makeRecords(50, prefix: "flusher\(flusher)-") { collector.record(record) }
                    await pipeline.forceFlush()
                }
            }
        }
        let statistics = await pipeline.shutdown(deadline: .now + .seconds(5))
        #expect(exporter.maximumConcurrentExports <= 3)
        #expect(statistics.exported == 400)
        #expect(statistics.isBalanced)
    }

    // MARK: - Shared retry policy and circuit breaker

    /// Four batches in flight fail together, twice each: each is counted `exportFailed` once.
    /// Then four more fail together with the breaker one failure short of opening: it opens
    /// once for the pipeline, and all four go back into the collector. At shutdown one batch
    /// probes the open circuit, not four, with the policy's retry; it fails, and the rest is
    /// counted `circuitOpen`.
    @Test func failingBatchesInFlightShareTheRetryPolicyAndOneCircuitBreaker() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let gate = HangingExporter()
            let script = ScriptedExporter { _, _ in throw ExportError.transient(reason: "503 Service Unavailable") }
            let reports = PipelineReports()
            let (collector, pipeline) = try makePipeline(
                GatedExporter(gate: gate, then: script),
                maxConcurrentExports: 4,
                retry: RetryPolicy(maxAttempts: 2, initialDelay: .zero),  // retry at once
                // Phase 1 makes 8 failures in a row; the 9th opens the circuit.
                circuitBreaker: CircuitBreaker.Configuration(failureThreshold: 9, openDuration: .seconds(3600)),
                reports: reports
            )

            // Phase 1: four batches, two attempts each, all four in flight for both.
            record(40, into: collector, prefix: "first")
            let firstFlush = Task { await pipeline.forceFlush() }
            try await expectExportsAtTheGate(4, gate, "four first attempts are in flight")
            expectBalanced(collector, inFlight: 40, buffered: 0, exported: 0)
            gate.release()
            try await expectExportsAtTheGate(4, gate, "four retries are in flight")
            expectBalanced(collector, inFlight: 40, buffered: 0, exported: 0)
            gate.release()
            await firstFlush.value

            var statistics = collector.statistics
            #expect(script.callCount == 8)
            #expect(statistics.dropped[.exportFailed] == 40)
            #expect(statistics.dropped.total == 40)
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
            #expect(reports.batches.count == 4)
            #expect(reports.batches.allSatisfy { $0.records == 10 && $0.attempts == 2 && $0.dropped[.exportFailed] == 10 })
            #expect(reports.failures.count == 8)
            #expect(reports.failures.filter(\.willRetry).count == 4)
            #expect(pipeline.circuitBreaker.currentState == .closed)
            #expect(reports.changes.isEmpty)

            // Phase 2: four batches in flight fail at once; the first failure opens the circuit.
            record(40, into: collector, prefix: "second")
            let secondFlush = Task { await pipeline.forceFlush() }
            try await expectExportsAtTheGate(4, gate, "four batches are in flight as the circuit opens")
            expectBalanced(collector, inFlight: 40, buffered: 0, exported: 0)
            gate.release()
            await secondFlush.value

            statistics = collector.statistics
            #expect(script.callCount == 12)
            #expect(pipeline.circuitBreaker.currentState == .open)
            #expect(reports.changes == [CircuitBreaker.StateChange(collector: "concurrent", from: .closed, to: .open)])
            #expect(statistics.buffered == 40)
            #expect(statistics.inFlight == 0)
            #expect(statistics.dropped[.exportFailed] == 40)
            #expect(statistics.dropped.total == 40)
            #expect(statistics.isBalanced)
            let secondBatches = reports.batches.dropFirst(4)
            #expect(secondBatches.count == 4)
            #expect(secondBatches.allSatisfy { $0.requeued == 10 && $0.attempts == 1 && $0.dropped.total == 0 })

            // Shutdown: one probe of the open circuit and its retry, which fail; the rest counted circuitOpen.
            let shutdown = Task { await pipeline.shutdown(deadline: .now + .seconds(30)) }
            try await expectExportsAtTheGate(1, gate, "one batch probes the open circuit at shutdown")
            gate.release()
            try await expectExportsAtTheGate(1, gate, "the probe's retry")
            gate.release()
            statistics = await shutdown.value
            #expect(script.callCount == 14)
            #expect(statistics.recorded == 80)
            #expect(statistics.exported == 0)
            #expect(statistics.dropped[.exportFailed] == 50)
            #expect(statistics.dropped[.circuitOpen] == 30)
            #expect(statistics.dropped.total == 80)
            #expect(statistics.pending == 0)
            #expect(statistics.isBalanced)
            #expect(reports.changes.count == 1)
            #expect(script.isShutDown)
        }
    }

    /// A batch waiting for its retry does not hold up spans recorded after it: while it waits
    /// (here, an hour), the loop's round sends each full batch that forms, and shutdown then
    /// sends the one that waited. With one export allowed, batches keep their order, so the
    /// later ones wait behind it (`withOneAllowed_…`).
    @Test(arguments: [4, 2])
    func batchesRecordedWhileOneWaitsForItsRetryAreSentMeanwhile(maxConcurrentExports: Int) async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let clock = ManualClock()
            let exporter = ScriptedExporter { call, _ in
                if call == 1 { throw ExportError.transient(reason: "503 Service Unavailable", retryAfter: .seconds(3600)) }
            }
            let reports = PipelineReports()
            let (collector, pipeline) = try makePipeline(
                exporter,
                maxConcurrentExports: maxConcurrentExports,
                retry: RetryPolicy(maxElapsed: .seconds(7200), initialDelay: .milliseconds(1), maxDelay: .seconds(7200)),
                reports: reports,
                clock: clock
            )
            let began = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pipeline.run() }
                record(10, into: collector, prefix: "first")  // a full batch: the loop sends it
                let failure = await next(of: reports.failureStream)
                #expect(failure?.willRetry == true)

                // Three more batches, one at a time, while the first waits an hour.
                for index in 0..<3 {
                    record(10, into: collector, prefix: "later\(index)-")
                    try await waitUntil("later batch \(index) is exported while the first waits") {
                        collector.statistics.exported == 10 * (index + 1)
                    }
                }
                #expect(clock.now == began, "no time passed")
                #expect(pipeline.status.exportsInFlight == 1)  // the first, waiting
                expectBalanced(collector, inFlight: 10, buffered: 0, exported: 30)

                // Shutdown sends it, half-way to the deadline (the hour does not fit before it).
                let shutdown = Task { await pipeline.shutdown(deadline: clock.now + .seconds(30)) }
                try await clock.advanceToNextSleeper(within: .seconds(20))
                let statistics = await shutdown.value
                #expect(statistics.exported == 40)
                #expect(statistics.dropped.total == 0)
                #expect(statistics.isBalanced)
                try await group.waitForAll()
            }
            #expect(exporter.callCount == 5)  // four batches, and the first one's retry
            #expect(exporter.accepted.filter { $0.name.hasPrefix("first") }.count == 10)
        }
    }

    /// Of two batches failing together, one waits for its retry when the other opens the
    /// circuit: when its wait is over it goes back into the collector without another attempt.
    @Test func aBatchWaitingForItsRetryWhenAnotherOpensTheCircuitWaitsInTheCollector() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let gate = HangingExporter()
            let script = ScriptedExporter { _, _ in throw ExportError.transient(reason: "503 Service Unavailable", retryAfter: .seconds(1)) }
            let reports = PipelineReports()
            let clock = ManualClock()
            let (collector, pipeline) = try makePipeline(
                GatedExporter(gate: gate, then: script),
                maxConcurrentExports: 2,
                retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(1)),
                circuitBreaker: CircuitBreaker.Configuration(failureThreshold: 2, openDuration: .seconds(3600)),
                reports: reports,
                clock: clock
            )
            record(20, into: collector)

            let flush = Task { await pipeline.forceFlush() }
            try await expectExportsAtTheGate(2, gate, "both batches are in flight")
            gate.release()
            // The first failure schedules a retry in 1 s (Retry-After); the second opens the circuit.
            try await waitUntil("the second failure opens the circuit") { pipeline.circuitBreaker.currentState == .open }
            try await clock.advanceToNextSleeper(within: .seconds(1))  // the retry is due
            await flush.value

            #expect(script.callCount == 2)
            #expect(gate.stuckCount == 0)
            let statistics = collector.statistics
            #expect(statistics.buffered == 20)
            #expect(statistics.inFlight == 0)
            #expect(statistics.dropped.total == 0)
            #expect(statistics.isBalanced)
            #expect(reports.batches.count == 2)
            #expect(reports.batches.allSatisfy { $0.requeued == 10 && $0.attempts == 1 })
            #expect(reports.changes.count == 1)

            // Shutdown tries the open circuit with one batch and the policy's retries, each after
            // the backend's Retry-After; they fail too, and the other batch is counted circuitOpen.
            let shutdown = Task { await pipeline.shutdown(deadline: clock.now + .seconds(30)) }
            for attempt in 1...3 {
                try await expectExportsAtTheGate(1, gate, "attempt \(attempt) at shutdown")
                gate.release()
                if attempt < 3 { try await clock.advanceToNextSleeper(within: .seconds(1)) }  // its Retry-After
            }
            let final = await shutdown.value
            #expect(script.callCount == 5)
            #expect(final.dropped[.exportFailed] == 10)
            #expect(final.dropped[.circuitOpen] == 10)
            #expect(final.dropped.total == 20)
            #expect(final.isBalanced)
        }
    }

    // MARK: - Shutdown

    @Test func shutdown_whenBatchesInFlightNeverFinish_returnsAtItsDeadlineAndCountsThemOnce() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let gate = HangingExporter()
            let clock = ManualClock()
            let (collector, pipeline) = try makePipeline(gate, maxConcurrentExports: 4, clock: clock)
            record(100, into: collector)

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pipeline.run() }
                pipeline.requestFlush()
                try await expectExportsAtTheGate(4, gate, "four batches are in flight")
                expectBalanced(collector, inFlight: 40, buffered: 60, exported: 0)

                let deadline = clock.now + .seconds(5)
                let shutdown = Task { await pipeline.shutdown(deadline: deadline) }
                // The shutdown's deadline is the nearest wait on the clock (the exports time out
                // after 30 s, the interval after an hour): move the clock to it.
                try await clock.advanceToNextSleeper(within: .seconds(5))
                #expect(clock.now >= deadline)
                let statistics = await shutdown.value
                #expect(statistics.dropped[.shutdownDeadline] == 100)
                #expect(statistics.dropped.total == 100)
                #expect(statistics.exported == 0)
                #expect(statistics.pending == 0)
                #expect(statistics.isBalanced)
                #expect(pipeline.status.exportsInFlight == 4)  // the backend still has not answered

                // The backend answers at last: too late, and the records are not counted again.
                gate.release()
                try await group.waitForAll()
            }
            let statistics = collector.statistics
            #expect(statistics.dropped[.shutdownDeadline] == 100)
            #expect(statistics.dropped.total == 100)
            #expect(statistics.exported == 0)
            #expect(statistics.isBalanced)
        }
    }

    /// An attempt that fails just as shutdown begins opens the circuit. Its batch is not given
    /// up for that: it is set aside, and shutdown's last drain sends it again when its retry is
    /// due, to a backend that is back by then.
    @Test func aBatchThatOpensTheCircuitAsShutdownBeginsIsSentByTheLastDrain() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let gate = HangingExporter()
            let script = ScriptedExporter { call, _ in
                if call == 1 { throw ExportError.transient(reason: "connection refused", retryAfter: .milliseconds(500)) }
            }
            let clock = ManualClock()
            let (collector, pipeline) = try makePipeline(
                GatedExporter(gate: gate, then: script),
                maxConcurrentExports: 1,
                retry: RetryPolicy(maxAttempts: 5, initialDelay: .seconds(1), maxDelay: .seconds(1)),
                circuitBreaker: CircuitBreaker.Configuration(failureThreshold: 1, openDuration: .seconds(3600)),
                clock: clock
            )
            record(10, into: collector)

            let flush = Task { await pipeline.forceFlush() }
            try await expectExportsAtTheGate(1, gate, "the batch is in flight")
            let shutdown = Task { await pipeline.shutdown(deadline: clock.now + .seconds(30)) }
            try await waitUntil("shutdown has begun") { pipeline.shutdownState() != .notStarted }
            gate.release()  // the attempt fails: the circuit opens with shutdown under way
            await flush.value
            #expect(pipeline.circuitBreaker.currentState == .open)
            #expect(collector.statistics.inFlight == 10)  // set aside, still pending

            try await clock.advanceToNextSleeper(within: .seconds(1))  // its retry is due
            try await expectExportsAtTheGate(1, gate, "shutdown's last drain sends the batch again")
            gate.release()
            let statistics = await shutdown.value
            #expect(script.callCount == 2)
            #expect(statistics.exported == 10)
            #expect(statistics.dropped.total == 0, "dropped: \(statistics.dropped)")
            #expect(statistics.isBalanced)
        }
    }

    // MARK: - Configuration

    @Test(arguments: [0, -1, Int.min, ExportConfiguration.maxConcurrentExportsLimit + 1, Int.max])
    func maxConcurrentExportsOutOfRangeIsAConfigurationError(value: Int) throws {
        let configuration = ExportConfiguration(maxConcurrentExports: value)
        let error = #expect(throws: TracezError.self) {
            try ExportPipeline(collector: try Collector(), exporter: InMemoryExporter(), configuration: configuration)
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.field == "maxConcurrentExports")
        #expect(error?.reason?.contains("\(value)") == true)
    }

    @Test(arguments: [1, 4, ExportConfiguration.maxConcurrentExportsLimit])
    func maxConcurrentExportsInRangeIsAccepted(value: Int) throws {
        #expect(throws: Never.self) {
            try ExportConfiguration(maxConcurrentExports: value).validate()
        }
    }

    @Test func theDefaultIsFourAndTheEnvironmentKeepsIt() throws {
        #expect(ExportConfiguration().maxConcurrentExports == 4)
        #expect(try ExportConfiguration(environment: ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "100"]).maxConcurrentExports == 4)
    }
}

/// The gate and the script of the existing test exporters together: each call waits at `gate`
/// (a ``HangingExporter``) until the test releases it, then answers as `script` says.
private struct GatedExporter: Exporter {
    let gate: HangingExporter
    let script: ScriptedExporter

    init(gate: HangingExporter, then script: ScriptedExporter) {
        self.gate = gate
        self.script = script
    }

    func export(_ batch: [SpanRecord]) async throws {
        try await gate.export(batch)
        try await script.export(batch)
    }

    func shutdown() async {
        await script.shutdown()
    }
}
