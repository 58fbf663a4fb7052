import Testing
import Tracez
import TracezTestSupport

@testable import TracezPage

/// The page's counts, histogram, samples and bounds, read with ``TracezPage/snapshot()``.
@Suite struct TracezPageTests {
    /// A span of `name` that lasted `nanoseconds`, through `tracer`.
    private func span(_ name: String, lasting nanoseconds: UInt64, failing: Bool = false, on tracer: Tracer) {
        let start: UInt64 = 1_700_000_000_000_000_000
        let span = tracer.startSpan(name, at: DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: start))
        if failing { span.setStatus(SpanStatus(code: .error, message: "it failed")) }
        span.end(at: DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: start + nanoseconds))
    }

    @Test(
        arguments: [
            (0, LatencyBucket.under10Microseconds), (9_999, .under10Microseconds), (10_000, .under100Microseconds),
            (99_999, .under100Microseconds), (100_000, .under1Millisecond), (999_999, .under1Millisecond),
            (1_000_000, .under10Milliseconds), (10_000_000, .under100Milliseconds), (100_000_000, .under1Second),
            (999_999_999, .under1Second), (1_000_000_000, .under10Seconds), (9_999_999_999, .under10Seconds),
            (10_000_000_000, .atLeast10Seconds), (UInt64.max, .atLeast10Seconds),
        ] as [(UInt64, LatencyBucket)])
    func everyDurationFallsInItsDecade(nanoseconds: UInt64, bucket: LatencyBucket) {
        #expect(LatencyBucket(nanoseconds: nanoseconds) == bucket)
    }

    @Test func countsErrorsAndTheHistogramFollowTheSpansRecorded() throws {
        let page = try TracezPage()
        let tracer = Tracer(collectors: [page.flightRecorder])
        span("query", lasting: 5_000, on: tracer)
        span("query", lasting: 2_000_000, on: tracer)
        span("query", lasting: 3_000_000, failing: true, on: tracer)
        span("render", lasting: 20_000_000_000, on: tracer)

        let snapshot = page.snapshot()
        #expect(snapshot.spanNames.map(\.name) == ["query", "render"])
        let query = snapshot.spanNames[0]
        #expect(query.count == 3)
        #expect(query.errors == 1)
        #expect(query.latency == [1, 0, 0, 2, 0, 0, 0, 0])
        #expect(query.samples == [1, 0, 0, 2, 0, 0, 0, 0])
        #expect(query.errorSamples == 1)
        #expect(snapshot.spanNames[1].latency == [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(snapshot.latencyBuckets.count == LatencyBucket.allCases.count)
        // Every span read is counted once: the flight recorder's exported count is the sum.
        #expect(snapshot.flightRecorder.exported == 4)
        #expect(snapshot.flightRecorder.recorded == 4)
        #expect(snapshot.otherNames == nil)
    }

    @Test func samplesAreTheMostRecentOfTheirBucketWithTheirTrace() throws {
        let page = try TracezPage(configuration: TracezPageConfiguration(samplesPerBucket: 2))
        let tracer = Tracer(collectors: [page.flightRecorder])
        var roots: [SpanID] = []
        // Each request lasts 5 ms by its own timestamps, so all four share a bucket however
        // loaded the machine is (measured durations could straddle a bucket's edge).
        let start: UInt64 = 1_700_000_000_000_000_000
        for index in 0..<4 {
            let begin = start + UInt64(index) * 10_000_000
            let root = tracer.startSpan("request", at: DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: begin))
            roots.append(root.spanContext.spanID)
            tracer.startSpan("child", context: root.context).end()
            root.end(at: DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: begin + 5_000_000))
        }
        let summary = try #require(page.snapshot().spanNames.first { $0.name == "request" })
        #expect(summary.samples[LatencyBucket.under10Milliseconds.rawValue] == 2)
        let samples = page.samples(named: "request", in: .latency(.under10Milliseconds))
        #expect(samples.map(\.span.spanID) == [roots[3], roots[2]])  // the two most recent, newest first
        for sample in samples {
            #expect(Set(sample.trace.map(\.name)) == ["request", "child"])
            #expect(sample.trace.allSatisfy { $0.traceID == sample.span.traceID })
        }
        #expect(page.samples(named: "no such span", in: .errors).isEmpty)
    }

    @Test func spansThatArriveFasterThanThePageReadsAreCountedAsOverwritten() throws {
        let page = try TracezPage(configuration: TracezPageConfiguration(flightRecorderCapacity: 4))
        let tracer = Tracer(collectors: [page.flightRecorder])
        for _ in 0..<10 { span("burst", lasting: 1_000, on: tracer) }
        let snapshot = page.snapshot()
        #expect(snapshot.spanNames.first?.count == 4)
        #expect(snapshot.flightRecorder.dropped["overwritten"] == 6)
        #expect(snapshot.flightRecorder.recorded == 10)
        #expect(snapshot.flightRecorder.exported + snapshot.flightRecorder.droppedTotal == 10)
    }

    @Test func namesPastTheLimitAreCountedTogetherAndLongNamesAreCut() throws {
        let page = try TracezPage(configuration: TracezPageConfiguration(maxSpanNames: 3, maxNameLength: 10))
        let tracer = Tracer(collectors: [page.flightRecorder])
        for index in 0..<50 { span("user-\(index)", lasting: 1_000, on: tracer) }
        span(String(repeating: "x", count: 100_000), lasting: 1_000, on: tracer)
        var snapshot = page.snapshot()
        #expect(snapshot.spanNames.map(\.name) == ["user-0", "user-1", "user-2"])
        #expect(snapshot.otherNames?.count == 48)

        let wide = try TracezPage(configuration: TracezPageConfiguration(maxNameLength: 10))
        let other = Tracer(collectors: [wide.flightRecorder])
        span(String(repeating: "x", count: 100_000), lasting: 1_000, on: other)
        snapshot = wide.snapshot()
        #expect(snapshot.spanNames.map(\.name) == [String(repeating: "x", count: 9) + "…"])
    }

    @Test func runReadsTheFlightRecorderWithoutBeingAsked() async throws {
        try await withTimeLimit(.seconds(30), #function) {
            let page = try TracezPage(configuration: TracezPageConfiguration(readInterval: .milliseconds(5)))
            let tracer = Tracer(collectors: [page.flightRecorder])
            let run = Task { try await page.run() }
            self.span("background", lasting: 1_000, on: tracer)
            try await waitUntil("the page read the span") { page.flightRecorder.statistics.exported == 1 }
            await #expect(throws: TracezError.self) { try await page.run() }  // one reader
            run.cancel()
            try await run.value
        }
    }

    @Test func extremeConfigurationValuesNeitherCrashNorKeepAnything() async throws {
        let configuration = TracezPageConfiguration(
            flightRecorderCapacity: 1,
            readInterval: .zero,
            recentSpans: -1,
            samplesPerBucket: -3,
            errorSamples: 0,
            maxSpanNames: 0,
            maxNameLength: 0,
            refreshInterval: .zero,
            treeWidth: -5
        )
        let page = try TracezPage(configuration: configuration)
        let tracer = Tracer(collectors: [page.flightRecorder])
        let run = Task { try await page.run() }  // a zero interval must not spin: it is clamped
        span("anything", lasting: 5, failing: true, on: tracer)
        try await waitUntil("the page read the span") { page.flightRecorder.statistics.exported == 1 }
        let snapshot = page.snapshot()
        #expect(snapshot.spanNames.isEmpty)
        #expect(snapshot.otherNames?.count == 1 && snapshot.otherNames?.errors == 1)
        #expect(snapshot.otherNames?.samples == [0, 0, 0, 0, 0, 0, 0, 0] && snapshot.otherNames?.errorSamples == 0)
        let html = PageHTML.index(snapshot, base: "tracez", refresh: configuration.refreshInterval)
        #expect(html.contains("content=\"1\""))  // refreshes at most once a second
        run.cancel()
        try await run.value
    }

    @Test func aFlightRecorderWithoutRoomIsAnError() {
        #expect(throws: TracezError.self) { try TracezPage(configuration: TracezPageConfiguration(flightRecorderCapacity: 0)) }
    }
}
