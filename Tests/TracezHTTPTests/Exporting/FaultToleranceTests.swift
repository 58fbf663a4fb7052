import Foundation
import Synchronization
import Testing
import Tracez
import TracezTestSupport

@testable import TracezHTTP

/// The export pipeline against a real HTTP backend on loopback that misbehaves.
/// Every scenario checks what the backend received and the drop-accounting invariant.
@Suite(.timeLimit(.minutes(3))) struct FaultToleranceTests {
    /// Fast retries, so scenarios finish quickly; outcomes, not durations, are asserted.
    static let quickRetries = RetryPolicy(maxAttempts: 6, initialDelay: .milliseconds(10), multiplier: 2, maxDelay: .milliseconds(100))

    struct Setup {
        let backend: TestBackend
        let tracer: Tracer
        let collector: Collector
        let pipeline: ExportPipeline
    }

    func makeSetup(
        capacity: Int = 4096,
        configuration: ExportConfiguration = ExportConfiguration(maxBatchSize: 50, interval: .seconds(3600), retry: quickRetries),
        headers: [(name: String, value: String)] = [],
        exportTimeout: Duration = .seconds(5),
        backend: TestBackend? = nil
    ) async throws -> Setup {
        let backend = backend ?? TestBackend()
        if backend.port == 0 { try await backend.start() }
        let collector = try Collector(configuration: CollectorConfiguration(name: "faults", capacity: capacity))
        let exporter = try makeExporter(to: backend, headers: headers, timeout: exportTimeout)
        let pipeline = try ExportPipeline(collector: collector, exporter: exporter, configuration: configuration)
        return Setup(backend: backend, tracer: Tracer(pipelines: [pipeline]), collector: collector, pipeline: pipeline)
    }

    /// The span names a request of the JSON-lines test exporter carried.
    static func spanNames(in request: TestBackend.Request) -> [String] {
        String(decoding: request.body, as: UTF8.self).split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["name"] as? String
        }
    }

    func record(_ count: Int, into tracer: Tracer, prefix: String = "span") {
        for index in 0..<count { tracer.startSpan("\(prefix) \(index)").end() }
    }

    @Test func healthyBackendReceivesEverySpanOnce() async throws {
        let setup = try await makeSetup()
        record(120, into: setup.tracer)
        await setup.tracer.forceFlush()
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(setup.backend.receivedSpanNames.count == 120)
        #expect(Set(setup.backend.receivedSpanNames).count == 120)
        #expect(setup.backend.requests.allSatisfy { $0.uri == "/v1/traces" && $0.method == "POST" })
        #expect(setup.backend.requests.first?.header("Content-Type") == "application/x-ndjson")
        #expect(statistics.exported == 120)
        #expect(statistics.isBalanced)
        try await setup.backend.stop()
    }

    @Test func flaky503sAreRetriedUntilEverythingArrives() async throws {
        let setup = try await makeSetup()
        setup.backend.answer { number in number % 2 == 0 ? .status(503, body: "overloaded") : .status(200) }
        record(200, into: setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        // Only answered-200 requests count as received; 503'd bodies were refused.
        let accepted = setup.backend.requests.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(accepted.count == 4)
        // What the answered requests carried: every span, once.
        let names = accepted.flatMap { Self.spanNames(in: $0) }
        #expect(names.sorted() == (0..<200).map { "span \($0)" }.sorted())
        #expect(statistics.exported == 200)
        #expect(statistics.dropped.total == 0)
        #expect(statistics.isBalanced)
        try await setup.backend.stop()
    }

    @Test func retryAfterOn429IsHonoured() async throws {
        // The policy's own wait is an hour: the flush can only finish if Retry-After: 0 replaces it.
        let slowPolicy = RetryPolicy(maxAttempts: 3, initialDelay: .seconds(3600), multiplier: 1, maxDelay: .seconds(3600))
        let setup = try await makeSetup(configuration: ExportConfiguration(interval: .seconds(3600), retry: slowPolicy))
        setup.backend.answer { number in number == 0 ? .status(429, headers: [("Retry-After", "0")]) : .status(200) }
        record(10, into: setup.tracer)
        // Without Retry-After the flush would wait an hour: give up long before, with a message.
        try await withTimeLimit(.seconds(30), "forceFlush after a 429 with Retry-After: 0 (the policy alone waits an hour)") {
            await setup.tracer.forceFlush()
        }
        #expect(setup.backend.requests.count == 2)
        #expect(setup.collector.statistics.exported == 10)
        await setup.tracer.shutdown(deadline: .now + .seconds(30))
        try await setup.backend.stop()
    }

    @Test(arguments: [401, 403, 413, 400])
    func permanentRefusalIsNotRetriedAndCountedAsRejected(status: Int) async throws {
        let failures = SanitizedMutex<[ExportAttemptFailure]>([])
        var configuration = ExportConfiguration(interval: .seconds(3600), retry: Self.quickRetries)
        configuration.onExportError = { failure in failures.withLock { $0.append(failure) } }
        let setup = try await makeSetup(configuration: configuration)
        setup.backend.answer { _ in .status(status, body: "no thanks") }
        record(30, into: setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(setup.backend.requests.count == 1)
        #expect(statistics.dropped[.rejectedByBackend] == 30)
        #expect(statistics.isBalanced)
        let failure = try #require(failures.withLock { $0.first })
        #expect(!failure.willRetry)
        #expect(failure.reason.contains("\(status)"))
        #expect(failure.reason.contains("no thanks"))
        try await setup.backend.stop()
    }

    @Test func hungBackendTimesOutAndIsCountedAsExportFailed() async throws {
        let retries = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10), maxDelay: .milliseconds(10))
        let attempts = SanitizedMutex<[Int]>([])
        var configuration = ExportConfiguration(interval: .seconds(3600), exportTimeout: .milliseconds(300), retry: retries)
        configuration.onExportError = { failure in attempts.withLock { $0.append(failure.attempt) } }
        let setup = try await makeSetup(configuration: configuration, exportTimeout: .seconds(30))
        setup.backend.answer { _ in .hang }
        record(5, into: setup.tracer)
        await setup.tracer.forceFlush()
        let statistics = setup.collector.statistics
        // Two attempts, each given up at the export timeout. How many of them reached the server
        // before they were given up depends on the machine's speed (under Thread Sanitizer, not
        // always both), so the count of requests is only bounded.
        #expect(attempts.withLock { $0 } == [1, 2])
        #expect(setup.backend.requests.count <= 2)
        #expect(statistics.dropped[.exportFailed] == 5)
        #expect(statistics.isBalanced)
        await setup.tracer.shutdown(deadline: .now + .seconds(5))
        try await setup.backend.stop()
    }

    /// The `Exporter` contract: an export the pipeline gives up at its timeout is cancelled, so
    /// its request does not linger for the transport's own (here, hour-long) timeout.
    @Test func anExportGivenUpAtItsTimeoutIsCancelledAndClosesItsConnection() async throws {
        let configuration = ExportConfiguration(interval: .seconds(3600), exportTimeout: .seconds(2), retry: RetryPolicy(maxAttempts: 1))
        let setup = try await makeSetup(configuration: configuration, exportTimeout: .seconds(3600))
        setup.backend.answer { _ in .hang }
        record(5, into: setup.tracer)
        await setup.tracer.forceFlush()
        #expect(setup.collector.statistics.dropped[.exportFailed] == 5)
        try await waitUntil("the export given up at its timeout closes its connection (the exporter honours cancellation)", limit: .seconds(20)) {
            setup.backend.requests.count == 1 && setup.backend.abandonedHangs == 1
        }
        await setup.tracer.shutdown(deadline: .now + .seconds(5))
        try await setup.backend.stop()
    }

    @Test func transportTimeoutOfAHungBackendIsRetried() async throws {
        let setup = try await makeSetup(exportTimeout: .seconds(1))
        setup.backend.answer { number in number == 0 ? .hang : .status(200) }
        record(5, into: setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 5)
        #expect(statistics.dropped.total == 0)
        #expect(setup.backend.requests.count >= 2)  // the hung one, then at least one answered
        #expect(Set(setup.backend.receivedSpanNames).count == 5)
        try await setup.backend.stop()
    }

    @Test func connectionResetIsRetried() async throws {
        let setup = try await makeSetup()
        setup.backend.answer { number in number < 2 ? .reset : .status(200) }
        record(40, into: setup.tracer)
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 40)
        #expect(statistics.dropped.total == 0)
        #expect(setup.backend.requests.count == 3)
        // The one answered request carried the whole batch.
        #expect(setup.backend.requests.last.map(Self.spanNames(in:))?.sorted() == (0..<40).map { "span \($0)" }.sorted())
        try await setup.backend.stop()
    }

    @Test func backendDownForSecondsLosesNothingWithACollectorSizedForIt() async throws {
        // Retries every 100 ms at most, for up to ~40 attempts: the outage outlasts many of them.
        let patient = RetryPolicy(maxAttempts: 40, initialDelay: .milliseconds(50), multiplier: 2, maxDelay: .milliseconds(100))
        let breaker = CircuitBreaker.Configuration(failureThreshold: 10, openDuration: .milliseconds(200), successThreshold: 1)
        let configuration = ExportConfiguration(maxBatchSize: 100, interval: .milliseconds(50), retry: patient, circuitBreaker: breaker)
        let setup = try await makeSetup(capacity: 10_000, configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await setup.tracer.run() }
            record(500, into: setup.tracer, prefix: "before")
            try await setup.backend.stop()
            record(2000, into: setup.tracer, prefix: "during")
            try await Task.sleep(for: .seconds(3))  // the outage
            try await setup.backend.start()
            record(500, into: setup.tracer, prefix: "after")
            await setup.tracer.shutdown(deadline: .now + .seconds(60))
            try await group.waitForAll()
        }
        let statistics = setup.collector.statistics
        #expect(statistics.recorded == 3000)
        #expect(statistics.exported == 3000)
        #expect(statistics.dropped.total == 0, "dropped: \(statistics.dropped)")
        #expect(Set(setup.backend.receivedSpanNames).count == 3000)
        try await setup.backend.stop()
    }

    /// Issue 18's flaky backend (30 % 503, every 7th 429 with `Retry-After: 1`) with small
    /// batches, the pipeline's default retry policy and circuit breaker, and a program that
    /// records its spans at once and then shuts down: nothing is lost. The deadline is 30 s here
    /// because this test shares its process's two threads with the whole suite; the 5 s budget
    /// of a real program is `DemoFlakyBackendTests`' to show, in a process of its own. It runs
    /// with no core-heavy test beside it (`MachineShare`): with one, both threads of the pool
    /// were once busy elsewhere for 19 s and every seed ran out of its 30 s.
    @Test(arguments: [UInt64(1), 2, 3])
    func aFlakyBackendAndAShutdownLoseNothing(seed: UInt64) async throws {
        try await MachineShare.timing { try await flakyBackendAndShutdown(seed: seed) }
    }

    private func flakyBackendAndShutdown(seed: UInt64) async throws {
        let backend = TestBackend()
        try await backend.start()
        backend.answer(TestBackend.flakyAnswers(seed: seed))
        let setup = try await makeSetup(configuration: ExportConfiguration(maxBatchSize: 8), backend: backend)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await setup.tracer.run() }
            record(360, into: setup.tracer)
            // The loop is running (a full batch went out) before the program ends.
            try await waitUntil("the pipeline sends its first batch") { !backend.requests.isEmpty }
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
            #expect(statistics.exported == 360, "seed \(seed): \(statistics.dropped)")
            #expect(statistics.dropped.total == 0, "seed \(seed): \(statistics.dropped)")
            #expect(statistics.isBalanced)
            try await group.waitForAll()
        }
        #expect(Set(backend.receivedSpanNames).count == 360)
        #expect(backend.requests.count > 360 / 8)  // faults happened, and were retried
        try await backend.stop()
    }

    /// The backend is down for longer than the retry budget, with no circuit breaker to park the
    /// batches: each batch sent meanwhile is retried until its time is spent, then given up as
    /// `exportFailed` (exactly those records, nothing else), and what is recorded once the
    /// backend is back is sent.
    @Test func backendDownForLongerThanTheRetryBudgetDropsExactlyTheBatchesSentMeanwhile() async throws {
        let budget = RetryPolicy(maxElapsed: .seconds(3), initialDelay: .milliseconds(10), multiplier: 2, maxDelay: .milliseconds(100))
        let results = SanitizedMutex<[BatchResult]>([])
        var configuration = ExportConfiguration(
            maxBatchSize: 10, interval: .seconds(3600), retry: budget, circuitBreaker: CircuitBreaker.Configuration(isEnabled: false))
        configuration.onBatchResult = { result in results.withLock { $0.append(result) } }
        let setup = try await makeSetup(configuration: configuration)
        try await setup.backend.stop()  // down: connections are refused

        record(30, into: setup.tracer, prefix: "during")
        await setup.tracer.forceFlush()  // three batches, each retried until its 3 s are spent
        var statistics = setup.collector.statistics
        #expect(statistics.dropped[.exportFailed] == 30)
        #expect(statistics.dropped.total == 30)
        #expect(statistics.pending == 0)
        let failed = results.withLock { $0 }
        #expect(failed.count == 3)
        // Each batch was tried again before it was given up: how often depends on how fast the
        // machine refuses a connection, so the count is only reported (ExportDecisionTests pins
        // the rule: the time budget, not a count, ends the retries).
        #expect(failed.allSatisfy { $0.dropped[.exportFailed] == 10 && $0.attempts >= 2 }, "attempts: \(failed.map(\.attempts))")

        try await setup.backend.start()
        record(20, into: setup.tracer, prefix: "after")
        statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 20)
        #expect(statistics.dropped[.exportFailed] == 30)
        #expect(statistics.dropped.total == 30)
        #expect(statistics.isBalanced)
        #expect(Set(setup.backend.receivedSpanNames) == Set((0..<20).map { "after \($0)" }))
        try await setup.backend.stop()
    }

    @Test func anOpenCircuitSendsNothingAndBatchesWaitInTheCollector() async throws {
        // Open for an hour: however slow the machine, the second flush finds it open.
        let breaker = CircuitBreaker.Configuration(failureThreshold: 3, openDuration: .seconds(3600), successThreshold: 1)
        let configuration = ExportConfiguration(
            maxBatchSize: 10, interval: .seconds(3600), maxConcurrentExports: 1, retry: Self.quickRetries, circuitBreaker: breaker)  // counts requests in order
        let setup = try await makeSetup(configuration: configuration)
        setup.backend.answer { _ in .status(503) }
        record(30, into: setup.tracer)
        await setup.tracer.forceFlush()
        // Three failed attempts opened the circuit; the batch went back, nothing was dropped.
        #expect(setup.pipeline.circuitBreaker.currentState == .open)
        #expect(setup.collector.statistics.buffered == 30)
        #expect(setup.collector.statistics.dropped.total == 0)
        let attemptsWhileOpen = setup.backend.requests.count
        try #require(attemptsWhileOpen == 3)
        await setup.tracer.forceFlush()
        #expect(setup.backend.requests.count == attemptsWhileOpen)  // open: no traffic at all
        #expect(setup.collector.statistics.buffered == 30)
        try await setup.backend.stop()
    }

    @Test func anOpenCircuitClosesOnceTheBackendRecoversAndNothingIsLost() async throws {
        let changes = SanitizedMutex<[CircuitBreaker.State]>([])
        let breaker = CircuitBreaker.Configuration(failureThreshold: 3, openDuration: .milliseconds(200), successThreshold: 1)
        var configuration = ExportConfiguration(maxBatchSize: 10, interval: .seconds(3600), retry: Self.quickRetries, circuitBreaker: breaker)
        configuration.onCircuitStateChange = { change in changes.withLock { $0.append(change.to) } }
        let setup = try await makeSetup(configuration: configuration)
        let healthyFlag = HealthFlag()
        setup.backend.answer { _ in healthyFlag.isHealthy ? .status(200) : .status(503) }
        record(30, into: setup.tracer)
        await setup.tracer.forceFlush()
        try #require(changes.withLock { $0 } == [.open], "three failures should have opened the circuit")
        #expect(setup.collector.statistics.dropped.total == 0)

        healthyFlag.isHealthy = true
        // Flush until the probe after `openDuration` has closed the circuit.
        try await waitUntil("the circuit closes and the collector empties", limit: .seconds(60)) {
            setup.collector.statistics.buffered == 0
        } whileWaiting: {
            await setup.tracer.forceFlush()
        }
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.exported == 30)
        #expect(statistics.dropped.total == 0)
        #expect(setup.pipeline.circuitBreaker.currentState == .closed)
        #expect(changes.withLock { $0 } == [.open, .halfOpen, .closed])
        try await setup.backend.stop()
    }

    /// Shutdown tries an open circuit again with one batch and the policy's retries (nothing
    /// would come back for records left waiting); when they fail too, that batch is counted
    /// `exportFailed` and the rest `circuitOpen`, without sending them into a failing backend.
    @Test func shutdownWhileTheCircuitIsOpenRetriesOneBatchAndCountsTheRestAsCircuitOpen() async throws {
        let breaker = CircuitBreaker.Configuration(failureThreshold: 2, openDuration: .seconds(3600))
        let setup = try await makeSetup(
            configuration: ExportConfiguration(maxBatchSize: 10, interval: .seconds(3600), retry: Self.quickRetries, circuitBreaker: breaker)
        )
        setup.backend.answer { _ in .status(503) }
        record(25, into: setup.tracer)
        await setup.tracer.forceFlush()
        let requestsBeforeShutdown = setup.backend.requests.count
        let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(statistics.dropped[.exportFailed] == 10)
        #expect(statistics.dropped[.circuitOpen] == 15)
        #expect(statistics.dropped.total == 25)
        #expect(setup.backend.requests.count - requestsBeforeShutdown == Self.quickRetries.maxAttempts)
        #expect(statistics.pending == 0)
        #expect(statistics.isBalanced)
        try await setup.backend.stop()
    }

    @Test func shutdownUnderLoadSendsOrCountsEverything() async throws {
        let setup = try await makeSetup(
            capacity: 2000,
            configuration: ExportConfiguration(maxBatchSize: 100, interval: .milliseconds(10), retry: Self.quickRetries)
        )
        setup.backend.answer { number in number % 3 == 0 ? .status(503) : .status(200) }
        let statistics = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await setup.tracer.run() }
            group.addTask {
                for round in 0..<20 {
                    record(250, into: setup.tracer, prefix: "round \(round)")
                    await Task.yield()
                }
            }
            try await Task.sleep(for: .milliseconds(50))
            let statistics = await setup.tracer.shutdown(deadline: .now + .seconds(2))
            try await group.waitForAll()
            return statistics
        }
        let final = setup.collector.statistics
        #expect(final.recorded == 5000)
        #expect(final.pending == 0)
        #expect(final.isBalanced)
        #expect(statistics.isBalanced)
        // What the backend accepted is what was counted as exported, except a request still in
        // flight at the deadline: the backend may answer it after the pipeline gave up and counted
        // its spans as dropped at shutdown. Those spans are over-reported as lost, never unreported.
        let acceptedNames = setup.backend.requests.enumerated().filter { $0.offset % 3 != 0 }.flatMap { entry in
            String(decoding: entry.element.body, as: UTF8.self).split(separator: "\n")
        }
        #expect(acceptedNames.count >= final.exported)
        #expect(acceptedNames.count - final.exported <= final.dropped[.shutdownDeadline])
        try await setup.backend.stop()
    }

    @Test func shutdownReturnsByItsDeadlineWhenTheBackendHangs() async throws {
        let setup = try await makeSetup(
            configuration: ExportConfiguration(interval: .seconds(3600), exportTimeout: .seconds(3600), retry: Self.quickRetries),
            exportTimeout: .seconds(3600)
        )
        setup.backend.answer { _ in .hang }
        let statistics = try await withThrowingTaskGroup(of: CollectorStatistics.self) { group in
            group.addTask {
                try await setup.tracer.run()
                return setup.collector.statistics
            }
            record(10, into: setup.tracer)
            setup.tracer.requestFlush()  // starts an export that will never be answered
            try await Task.sleep(for: .milliseconds(100))
            let statistics = try await withTimeLimit(.seconds(20), "shutdown with a 0.5 s deadline while the backend hangs") {
                await setup.tracer.shutdown(deadline: .now + .milliseconds(500))
            }
            group.cancelAll()
            return statistics
        }
        #expect(statistics.dropped[.shutdownDeadline] == 10)
        #expect(statistics.pending == 0)
        #expect(statistics.isBalanced)
        try await setup.backend.stop()
    }

    @Test func secretHeaderEchoedByTheBackendIsRedacted() async throws {
        let secret = "sk-lf-very-secret-0000"
        let failures = SanitizedMutex<[String]>([])
        var configuration = ExportConfiguration(interval: .seconds(3600), retry: .none)
        configuration.onExportError = { failure in failures.withLock { $0.append(failure.reason) } }
        let setup = try await makeSetup(configuration: configuration, headers: [(name: "Authorization", value: "Bearer \(secret)")])
        setup.backend.answer { _ in .status(401, body: "bad token Bearer \(secret)") }
        record(1, into: setup.tracer)
        await setup.tracer.shutdown(deadline: .now + .seconds(30))
        #expect(setup.backend.requests.first?.header("Authorization") == "Bearer \(secret)")
        let reason = try #require(failures.withLock { $0.first })
        #expect(!reason.contains(secret))
        #expect(reason.contains("[redacted]"))
        try await setup.backend.stop()
    }
}

/// A switch the test flips while the backend's reply closure reads it.
final class HealthFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isHealthy: Bool {
        get { value.load(ordering: .relaxed) }
        set { value.store(newValue, ordering: .relaxed) }
    }
}
