import Logging
import ServiceLifecycle
import Synchronization

/// Drains one ``Collector`` into one ``Exporter``, in batches, for as long as ``run()`` runs,
/// and survives a bad backend: retries with backoff, a circuit breaker, bounded shutdown.
///
/// The pipeline exports every ``ExportConfiguration/interval``, as soon as the
/// collector holds a full batch, and on ``forceFlush()``. Each time, it sends what the
/// collector holds in batches, up to ``ExportConfiguration/maxConcurrentExports`` (default 4)
/// of them sending at once; a batch waiting for its retry lets the next one go, and spans
/// recorded while it waits are sent meanwhile. With more than one in flight the exporter sees
/// concurrent calls, and ordering across batches is not promised; with 1, batches go one at a
/// time, in order.
/// A batch in flight counts as pending on the collector until it is settled.
///
/// Failures: a transient one (``ExportError/transient(reason:retryAfter:)``, a timeout,
/// or any error that is not an ``ExportError``) is retried per ``RetryPolicy`` until its time
/// budget is spent, honouring `Retry-After`; a refusal (``ExportError/rejected(status:reason:)``)
/// is never retried. While the ``CircuitBreaker`` is open, batches wait in the collector. Every
/// drained record ends up counted on the collector: exported, or dropped with a reason.
///
/// Shutdown spends its deadline rather than wasting it: it sends everything buffered first,
/// then the batches that were waiting for a retry, open circuit or not, with waits that leave
/// room for more tries before the deadline (Docs/Reliability.md says how long).
///
/// It is a swift-service-lifecycle `Service`: in a `ServiceGroup`, graceful
/// shutdown (SIGTERM) makes it send what is left within
/// ``ExportConfiguration/shutdownTimeout`` and return. Without a service group,
/// call ``shutdown(deadline:)``. A slow backend delays only its own pipeline:
/// other collectors and the application carry on.
///
/// Thread-safety: all methods may be called from any task. Ownership: the pipeline owns its
/// exporter (it alone calls it, and shuts it down once) and drives its collector's accounting;
/// it does not own the collector, which a ``Tracer`` records into.
///
/// The type's work is split by facet: this file holds its life (start, flush, shutdown);
/// `ExportPipeline+Loop.swift` the mailbox loop, `ExportPipeline+Rounds.swift` the export
/// rounds and their concurrent exports, `ExportPipeline+Send.swift` one batch's attempts, `ExportPipeline+Shutdown.swift`
/// the last drain, and `ExportPipeline+Reporting.swift` logs, callbacks and metrics.
public final class ExportPipeline: Service, Sendable {
    public let collector: Collector
    public let configuration: ExportConfiguration
    public let circuitBreaker: CircuitBreaker
    /// `package`: an exporter's module may find its own exporters among a tracer's pipelines
    /// (the Langfuse typed API finds the value settings of its tracer's Langfuse exporter).
    package let exporter: any Exporter
    let logger: Logger
    let logLimiter = LogRateLimiter()
    let metrics: PipelineMetrics
    let clock: PipelineClock
    let mailbox = PipelineMailbox()
    let phase = SanitizedMutex(PipelinePhase.idle)
    let turns = ExportTurns()
    /// The routine round under way, woken when a batch is ready, the interval passes, or
    /// shutdown begins (see ``ExportRound``).
    let currentRound = CurrentRound()
    /// The requests in flight: ``ExportConfiguration/maxConcurrentExports`` slots, shared by
    /// every round, held by a batch while it is sent and not while it waits for its retry.
    let sendingSlots: ExportSlots
    /// Batches set aside at shutdown for the last drain, oldest first.
    let setAside = SanitizedMutex<[SetAsideBatch]>([])
    /// Fired when shutdown begins: cuts backoff waits short and stops routine export rounds.
    let shuttingDown = Signal()
    let shutdownDeadline = SanitizedMutex<ContinuousClock.Instant?>(nil)
    /// Whether this shutdown has already warned about records it could not send.
    let warnedAboutUnsentRecords = SanitizedMutex(false)
    /// The last failure and the next retry, for ``status``.
    let activity = SanitizedMutex(PipelineActivity())
    /// Batches in an export (sending, or waiting for a retry), for ``status``.
    let exportsInFlight = Atomic<Int>(0)

    /// - Throws: ``TracezError/invalidConfiguration(field:reason:)`` for a value out of range.
    public convenience init(
        collector: Collector,
        exporter: some Exporter,
        configuration: ExportConfiguration = ExportConfiguration(),
        logger: Logger = Logger(label: "tracez.export")
    ) throws(TracezError) {
        try self.init(collector: collector, exporter: exporter, configuration: configuration, logger: logger, clock: ContinuousClock())
    }

    /// The same, reading time from `clock`: every wait and timestamp of the pipeline (see
    /// `PipelineClock`). Tests pass a manual clock to drive backoff and the circuit breaker.
    package init<C: Clock>(
        collector: Collector,
        exporter: some Exporter,
        configuration: ExportConfiguration = ExportConfiguration(),
        logger: Logger = Logger(label: "tracez.export"),
        clock: C
    ) throws(TracezError) where C.Instant == ContinuousClock.Instant {
        try configuration.validate()
        self.collector = collector
        self.exporter = exporter
        self.configuration = configuration
        self.circuitBreaker = CircuitBreaker(configuration: configuration.circuitBreaker, collector: collector.name)
        var logger = logger
        logger[metadataKey: "collector"] = "\(collector.name)"
        self.logger = logger
        self.metrics = PipelineMetrics(collector: collector.name)
        self.clock = PipelineClock(clock)
        self.sendingSlots = ExportSlots(count: configuration.maxConcurrentExports)
        let mailbox = mailbox
        let currentRound = currentRound
        collector.onReaching(configuration.maxBatchSize) {
            mailbox.post(.batchReady)
            currentRound.wake()
        }
    }

    /// Exports until graceful shutdown, cancellation, or ``shutdown(deadline:)``.
    ///
    /// On graceful shutdown it sends what is pending within
    /// ``ExportConfiguration/shutdownTimeout`` and counts the rest as
    /// ``DropReason/shutdownDeadline``. On cancellation it stops at once and leaves
    /// what is buffered pending; a later ``shutdown(deadline:)`` still sends it.
    ///
    /// - Throws: ``TracezError/pipelineAlreadyStarted(collector:)`` if it is running or has finished.
    public func run() async throws {
        let started = phase.withLock { phase -> Bool in
            guard case .idle = phase else { return false }
            phase = .running
            return true
        }
        guard started else { throw TracezError.pipelineAlreadyStarted(collector: collector.name) }

        let mailbox = mailbox
        let currentRound = currentRound
        let clock = clock
        let interval = configuration.interval
        let shutdownTimeout = configuration.shutdownTimeout
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await clock.sleep(for: interval)
                        mailbox.post(.tick)
                        currentRound.wake(mayTakePartialBatch: true)
                    }
                }
                await self.serveMailbox()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            let deadline = clock.now + shutdownTimeout
            self.beginShutdown(deadline: deadline)
            mailbox.post(.shutdown(deadline, nil))
        }
    }

    /// Starts exporting everything pending, without waiting for it.
    /// This is what `Tracing.Tracer.forceFlush()` calls.
    public func requestFlush() {
        let isRunning = phase.withLock { if case .running = $0 { true } else { false } }
        if isRunning {
            mailbox.post(.flush)
        } else {
            Task { await self.forceFlush() }
        }
    }

    /// Exports everything recorded before the call, and returns when that is done
    /// (retries included, so a failing backend can make this take a while).
    ///
    /// Works whether or not ``run()`` is running: the export happens on the
    /// caller's task, taking its turn with the pipeline's own exports.
    public func forceFlush() async {
        await exportPending()
    }

    /// Sends what is pending until `deadline`, including batches waiting for a retry,
    /// then counts the rest as ``DropReason/shutdownDeadline`` (or
    /// ``DropReason/circuitOpen`` if the backend is still failing), shuts the exporter
    /// down and closes the collector. Returns the collector's final counters.
    ///
    /// Returns by `deadline` even if the backend hangs: exports still in flight then
    /// are counted as dropped, each record once, and their late answers are ignored.
    /// Works whether or not ``run()`` is running; a second call only returns the counters.
    @discardableResult
    public func shutdown(deadline: ContinuousClock.Instant) async -> CollectorStatistics {
        enum Action { case runInline, askLoop, nothing }
        let action = phase.withLock { phase -> Action in
            switch phase {
            case .idle, .cancelled:
                phase = .finished
                return .runInline
            case .running:
                return .askLoop
            case .finished:
                return .nothing
            }
        }
        let outcome: DeadlineOutcome<Void>
        switch action {
        case .runInline:
            beginShutdown(deadline: deadline)
            outcome = await withDeadline(deadline, clock: clock) { await self.finish(deadline: deadline) }
        case .askLoop:
            beginShutdown(deadline: deadline)
            let mailbox = mailbox
            outcome = await withDeadline(deadline, clock: clock) {
                await withCheckedContinuation { mailbox.post(.shutdown(deadline, $0)) }
            }
        case .nothing:
            return collector.statistics
        }
        if case .timedOut = outcome { abandon() }
        return collector.statistics
    }
}
