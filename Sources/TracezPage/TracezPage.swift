import ServiceLifecycle
import Tracez

/// The live `/tracez` page of a running process: per span name, counts, errors and a latency
/// histogram with sample traces; per export pipeline, its collector's fill and counters, its
/// export rate and its health. The page that OpenCensus zPages named, for Swift.
///
/// The page reads finished spans from a collector of its own, a flight recorder that
/// overwrites its oldest record when full, which the tracer records into like any other
/// collector. Give it to the tracer, and the page to a `ServiceGroup` so that it reads that
/// collector often:
///
/// ```swift
/// let page = try TracezPage(pipelines: [pipeline])
/// let tracer = Tracer(pipelines: [pipeline], collectors: [page.flightRecorder])
/// ```
///
/// Serve it with ``addRoutes(to:at:)`` on a Hummingbird router, or on a port of its own with
/// ``TracezPageServer``. A tracer without the page's collector pays nothing for it; with it,
/// each span costs one more collector record on the recording thread.
///
/// Memory is bounded: the flight recorder, the recent spans kept to draw sample traces, and
/// the samples, all fixed in ``TracezPageConfiguration``, and at most
/// ``TracezPageConfiguration/maxSpanNames`` names, each cut to
/// ``TracezPageConfiguration/maxNameLength`` characters.
///
/// Thread-safety: every method may be called from any task; reads take the page's lock.
public final class TracezPage: Service, Sendable {
    public let configuration: TracezPageConfiguration
    /// The page's collector. Pass it to the tracer: `Tracer(…, collectors: [page.flightRecorder])`.
    public let flightRecorder: Collector
    /// The pipelines whose status the page shows.
    public let pipelines: [ExportPipeline]
    private let madeAt = ContinuousClock.now
    private let state: SanitizedMutex<TracezPageState>
    private let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    private let isRunning = SanitizedMutex(false)

    /// Creates a page and its flight recorder.
    ///
    /// - Parameters:
    ///   - configuration: What the page keeps and how it looks.
    ///   - pipelines: The export pipelines whose status the page shows, usually all of the tracer's.
    /// - Throws: `TracezError.invalidCapacity(collector:capacity:)` when
    ///   ``TracezPageConfiguration/flightRecorderCapacity`` is below 1.
    public init(configuration: TracezPageConfiguration = TracezPageConfiguration(), pipelines: [ExportPipeline] = []) throws(TracezError) {
        self.configuration = configuration
        self.pipelines = pipelines
        flightRecorder = try Collector(
            configuration: CollectorConfiguration(
                name: "tracez page",
                capacity: configuration.flightRecorderCapacity,
                overflow: .overwriteOldest
            )
        )
        state = SanitizedMutex(TracezPageState(configuration: configuration))
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let wakeUp = wakeUp
        // Half full: read it now, long before it overwrites anything.
        flightRecorder.onReaching(max(1, configuration.flightRecorderCapacity / 2)) { wakeUp.yield() }
    }

    /// Reads the flight recorder every ``TracezPageConfiguration/readInterval`` and whenever it
    /// is half full, until graceful shutdown or cancellation. Without it, the page reads only
    /// when it is asked for, and spans past the flight recorder's capacity in between are
    /// counted as overwritten, not seen.
    ///
    /// - Throws: `TracezError.pipelineAlreadyStarted(collector:)` if the page already runs.
    public func run() async throws {
        let started = isRunning.withLock { running in
            defer { running = true }
            return !running
        }
        guard started else { throw TracezError.pipelineAlreadyStarted(collector: flightRecorder.name) }
        let interval = max(configuration.readInterval, .milliseconds(1))  // never a busy loop
        let wakeUp = wakeUp
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    wakeUp.yield()
                }
            }
            for await _ in wakeUps.cancelOnGracefulShutdown() {
                read()
            }
            group.cancelAll()
        }
    }

    /// What the page shows now; `/tracez.json` is this value. Reads the flight recorder first.
    ///
    /// Every pipeline's counters are read within this call, after the page's own: on a quiet
    /// tracer they equal what each collector's `Collector.statistics` says.
    public func snapshot() -> TracezPageSnapshot {
        let now = ContinuousClock.now
        let (names, other, rates) = state.withLock { state in
            state.read(flightRecorder, pipelines: pipelines, now: now)
            return (state.summaries(), state.other.map { $0.summary(name: "(other names)") }, state.exportRates(now: now))
        }
        let recorder = flightRecorder.statistics
        return TracezPageSnapshot(
            title: configuration.title,
            uptimeSeconds: madeAt.duration(to: now).secondsAsDouble,
            latencyBuckets: LatencyBucket.allCases.map(\.label),
            spanNames: names,
            otherNames: other,
            pipelines: zip(pipelines, rates).map { pipeline, rate in
                let status = pipeline.status
                return PipelineSummary(
                    collector: CollectorSummary(status.statistics, fillLevel: status.fillLevel),
                    exportedPerSecond: rate,
                    circuit: "\(status.circuitState)",
                    lastError: status.lastFailure?.reason,
                    lastErrorSecondsAgo: status.sinceLastFailure?.secondsAsDouble,
                    nextRetryInSeconds: status.untilNextRetry?.secondsAsDouble
                )
            },
            flightRecorder: CollectorSummary(recorder, fillLevel: flightRecorder.fillLevel)
        )
    }

    /// The sample spans kept for `name` (as the page shows it) in `selection`, the most recent
    /// first, each with the spans of its trace that the page still holds.
    func samples(named name: String, in selection: SampleSelection) -> [TraceSample] {
        let now = ContinuousClock.now
        return state.withLock { state in
            state.read(flightRecorder, pipelines: pipelines, now: now)
            return state.samples(named: name, in: selection)
        }
    }

    /// Reads what the flight recorder holds into the page's counts and samples.
    func read() {
        let now = ContinuousClock.now
        state.withLock { $0.read(flightRecorder, pipelines: pipelines, now: now) }
    }
}
