import Testing
import TracezTestSupport

@testable import Tracez

/// `ExportPipeline.status`: what the `/tracez` page shows of a pipeline, read while a batch
/// waits for its retry. Time is a ``ManualClock`` that nobody moves, so the retry waits.
@Suite(.timeLimit(.minutes(2))) struct ExportPipelineStatusTests {
    @Test func aFreshPipelineHasNoFailureAndNoRetry() throws {
        let collector = try Collector(configuration: CollectorConfiguration(name: "fresh", capacity: 8))
        let pipeline = try ExportPipeline(collector: collector, exporter: InMemoryExporter())
        collector.record(makeRecords(3)[0])
        let status = pipeline.status
        #expect(status.statistics == collector.statistics)
        #expect(status.statistics.buffered == 1)
        #expect(status.circuitState == .closed)
        #expect(status.lastFailure == nil && status.sinceLastFailure == nil && status.untilNextRetry == nil)
    }

    @Test func aBatchWaitingForItsRetryShowsTheFailureAndWhenItIsSentAgain() async throws {
        try await withTimeLimit(.seconds(60), #function) {
            let clock = ManualClock()
            let collector = try Collector(configuration: CollectorConfiguration(name: "failing", capacity: 8))
            let exporter = ScriptedExporter { call, _ in
                if call == 1 { throw ExportError.transient(reason: "backend answered 503", retryAfter: .seconds(20)) }
            }
            let pipeline = try ExportPipeline(
                collector: collector,
                exporter: exporter,
                configuration: ExportConfiguration(
                    interval: .seconds(3600),
                    retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(60)),
                    circuitBreaker: CircuitBreaker.Configuration(isEnabled: false)
                ),
                clock: clock
            )
            for record in makeRecords(2) { collector.record(record) }
            let run = Task { try await pipeline.run() }
            pipeline.requestFlush()
            try await waitUntil("the retry is scheduled") { pipeline.status.untilNextRetry != nil }

            let status = pipeline.status
            #expect(status.lastFailure?.reason == "backend answered 503")
            #expect(status.lastFailure?.willRetry == true)
            #expect(status.sinceLastFailure == .zero)  // the manual clock has not moved
            #expect(status.untilNextRetry == .seconds(20))  // Retry-After, honoured
            #expect(status.statistics.inFlight == 2)
            #expect(status.statistics.isBalanced)

            clock.advance(by: .seconds(5))
            #expect(pipeline.status.untilNextRetry == .seconds(15))
            #expect(pipeline.status.sinceLastFailure == .seconds(5))

            clock.advance(by: .seconds(15))
            try await waitUntil("the retry is sent") { collector.statistics.exported == 2 }
            try await waitUntil("no retry waits") { pipeline.status.untilNextRetry == nil }
            #expect(pipeline.status.lastFailure?.reason == "backend answered 503")  // the last one stays
            _ = await pipeline.shutdown(deadline: .now + .seconds(5))
            run.cancel()
        }
    }
}
