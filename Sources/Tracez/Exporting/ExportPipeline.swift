import Logging
import ServiceLifecycle
import Synchronization

/// Drains one ``Collector`` into one ``Exporter``, in batches, for as long as ``run()`` runs,
/// and survives a bad backend: retries with backoff, a circuit breaker, bounded shutdown.
///
/// The pipeline exports every ``ExportConfiguration/interval``, as soon as the
/// collector holds a full batch, and on ``forceFlush()``. One batch is in
/// flight at a time (loop, flushes and shutdown take turns), so an exporter
/// never sees concurrent calls from it.
///
/// Failures: a transient one (``ExportError/transient(reason:retryAfter:)``, a timeout,
/// or any error that is not an ``ExportError``) is retried per ``RetryPolicy``, honouring
/// `Retry-After`; a refusal (``ExportError/rejected(status:reason:)``) is never retried.
/// While the ``CircuitBreaker`` is open, batches wait in the collector. Every drained
/// record ends up counted on the collector: exported, or dropped with a reason.
///
/// It is a swift-service-lifecycle `Service`: in a `ServiceGroup`, graceful
/// shutdown (SIGTERM) makes it send what is left within
/// ``ExportConfiguration/shutdownTimeout`` and return. Without a service group,
/// call ``shutdown(deadline:)``. A slow backend delays only its own pipeline:
/// other collectors and the application carry on.
///
/// Thread-safety: all methods may be called from any task.
public final class ExportPipeline: Service, Sendable {
    public let collector: Collector
    public let configuration: ExportConfiguration
    public let circuitBreaker: CircuitBreaker
    private let exporter: any Exporter
    private let logger: Logger
    private let logLimiter = LogRateLimiter()
    private let metrics: PipelineMetrics
    private let mailbox: AsyncStream<Message>
    private let mailboxInput: AsyncStream<Message>.Continuation
    private let phase = SanitizedMutex(Phase.idle)
    private let turns = ExportTurns()
    /// Fired when shutdown begins: cuts backoff waits short and stops routine export rounds.
    private let shuttingDown = Signal()
    private let shutdownDeadline = SanitizedMutex<ContinuousClock.Instant?>(nil)
    /// Whether this shutdown has already warned about records it could not send.
    private let warnedAboutUnsentRecords = SanitizedMutex(false)

    private enum Message: Sendable {
        case tick
        case batchReady
        case flush
        case shutdown(ContinuousClock.Instant, CheckedContinuation<Void, Never>?)
    }

    private enum Phase {
        case idle
        case running
        /// `run()` was cancelled: records stay pending until ``shutdown(deadline:)``.
        case cancelled
        case finished
    }

    /// - Throws: ``TracezError/invalidConfiguration(field:reason:)`` for a value out of range.
    public init(
        collector: Collector,
        exporter: some Exporter,
        configuration: ExportConfiguration = ExportConfiguration(),
        logger: Logger = Logger(label: "tracez.export")
    ) throws(TracezError) {
        try configuration.validate()
        self.collector = collector
        self.exporter = exporter
        self.configuration = configuration
        self.circuitBreaker = CircuitBreaker(configuration: configuration.circuitBreaker, collector: collector.name)
        var logger = logger
        logger[metadataKey: "collector"] = "\(collector.name)"
        self.logger = logger
        self.metrics = PipelineMetrics(collector: collector.name)
        (mailbox, mailboxInput) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .unbounded)
        let input = mailboxInput
        collector.onReaching(configuration.maxBatchSize) { input.yield(.batchReady) }
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

        let input = mailboxInput
        let interval = configuration.interval
        let shutdownTimeout = configuration.shutdownTimeout
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        input.yield(.tick)
                    }
                }
                await self.serveMailbox()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            let deadline = ContinuousClock.now + shutdownTimeout
            self.beginShutdown(deadline: deadline)
            input.yield(.shutdown(deadline, nil))
        }
    }

    /// Starts exporting everything pending, without waiting for it.
    /// This is what `Tracing.Tracer.forceFlush()` calls.
    public func requestFlush() {
        let isRunning = phase.withLock { if case .running = $0 { true } else { false } }
        if isRunning {
            mailboxInput.yield(.flush)
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
    /// Returns by `deadline` even if the backend hangs: an export still in flight then
    /// is counted as dropped, and its late answer is ignored.
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
            outcome = await withDeadline(deadline) { await self.finish(deadline: deadline) }
        case .askLoop:
            beginShutdown(deadline: deadline)
            let input = mailboxInput
            outcome = await withDeadline(deadline) {
                await withCheckedContinuation { input.yield(.shutdown(deadline, $0)) }
            }
        case .nothing:
            return collector.statistics
        }
        if case .timedOut = outcome { abandon() }
        return collector.statistics
    }

    // MARK: - The loop

    private func serveMailbox() async {
        for await message in mailbox {
            switch message {
            case .tick, .batchReady, .flush:
                await exportPending()
            case .shutdown(let deadline, let continuation):
                beginShutdown(deadline: deadline)
                if case .timedOut = await withDeadline(deadline, { await self.finish(deadline: deadline) }) {
                    abandon()
                }
                phase.withLock { $0 = .finished }
                continuation?.resume()
                drainLeftoverMessages()
                return
            }
        }
        // Cancelled: stop now, leaving records pending for a later shutdown.
        phase.withLock { if case .running = $0 { $0 = .cancelled } }
        drainLeftoverMessages()
    }

    /// Resumes anyone still waiting on a shutdown after the loop has stopped.
    private func drainLeftoverMessages() {
        mailboxInput.finish()
        Task { [mailbox] in
            for await message in mailbox {
                if case .shutdown(_, let continuation) = message {
                    continuation?.resume()
                }
            }
        }
    }

    private func beginShutdown(deadline: ContinuousClock.Instant) {
        shutdownDeadline.withLock { current in
            if let existing = current { current = min(existing, deadline) } else { current = deadline }
        }
        shuttingDown.fire()
    }

    /// Shutdown ran out of time: count what is left and ignore late answers.
    private func abandon() {
        let reason: DropReason = ExportDecision.reasonForUnsent(circuit: circuitBreaker.currentState)
        collector.abandon(reason: reason)
        metrics.report(collector.statistics)
        warnAboutUnsentRecords("shutdown deadline passed; unsent records counted as dropped", reason)
    }

    /// One warning per shutdown, however many of its parts see the deadline pass (the loop,
    /// the caller waiting for it, and the export in flight, which may have counted the records
    /// itself), and none if nothing was lost. `records` is the collector's count for `reason`:
    /// for `shutdownDeadline`, everything the shutdown could not send.
    private func warnAboutUnsentRecords(_ message: Logger.Message, _ reason: DropReason) {
        let records = collector.statistics.dropped[reason]
        guard records > 0 else { return }
        let alreadyWarned = warnedAboutUnsentRecords.withLock { warned in
            defer { warned = true }
            return warned
        }
        guard !alreadyWarned else { return }
        logger.warning(message, metadata: ["records": "\(records)", "reason": "\(reason.rawValue)"])
    }

    // MARK: - Export rounds

    /// Exports what the collector holds now, batch by batch. Records that arrive
    /// meanwhile wait for the next turn, so a busy collector cannot starve the mailbox.
    private func exportPending() async {
        await turns.run {
            var remaining = collector.statistics.buffered
            while remaining > 0, !shuttingDown.isFired {
                let (allowed, change) = circuitBreaker.allowsExport()
                report(change)
                guard allowed else { break }  // open: the records wait in the collector
                let batch = collector.drain(max: min(configuration.maxBatchSize, remaining))
                guard !batch.isEmpty else { break }
                remaining -= batch.count
                if await send(batch) == .requeued { break }
            }
            metrics.report(collector.statistics)
        }
    }

    /// The last drain: send until the deadline, then count what is left and close.
    private func finish(deadline: ContinuousClock.Instant) async {
        await turns.run {
            while ContinuousClock.now < deadline {
                let batch = collector.drain(max: configuration.maxBatchSize)
                if batch.isEmpty { break }
                let exportedBefore = collector.statistics.exported
                // At shutdown even an open circuit gets one more try: these are the last records.
                _ = await send(batch)
                // Stop only if that try failed too. A success means the backend is back, though the
                // breaker stays open until its open duration has passed: keep sending.
                if circuitBreaker.currentState == .open, collector.statistics.exported == exportedBefore { break }
            }
            let left = collector.statistics.buffered
            let reason: DropReason = ExportDecision.reasonForUnsent(circuit: circuitBreaker.currentState)
            collector.abandon(reason: reason)
            if left > 0 { warnAboutUnsentRecords("shutdown left records unsent; counted as dropped", reason) }
            metrics.report(collector.statistics)
        }
        _ = await withDeadline(max(deadline, .now + .milliseconds(100))) { await self.exporter.shutdown() }
    }

    private enum SendOutcome: Equatable {
        case done
        /// The circuit opened: the records went back into the collector.
        case requeued
    }

    /// One batch, with retries, counted exactly once whatever happens.
    private func send(_ batch: [SpanRecord]) async -> SendOutcome {
        let started = ContinuousClock.now
        var pending = batch
        var attempt = 0
        var exported = 0
        var dropped = DropCounts()
        var requeued = 0

        func drop(_ count: Int, _ reason: DropReason) {
            guard count > 0 else { return }
            collector.markDropped(count, reason: reason)
            dropped[reason] += count
        }
        defer {
            let duration = ContinuousClock.now - started
            metrics.batchDuration.recordNanoseconds(duration.nanosecondsClamped)
            if exported > 0 { metrics.batchesSent.increment() }
            if dropped.total > 0 { metrics.batchesFailed.increment() }
            configuration.onBatchResult?(
                BatchResult(
                    collector: collector.name,
                    records: batch.count,
                    exported: exported,
                    dropped: dropped,
                    requeued: requeued,
                    attempts: attempt,
                    duration: duration
                )
            )
        }

        /// Settles what the exporter reported record by record; returns the records left to
        /// decide on, or `nil` if none is.
        func settleEach(dropping drops: DropCounts, retry: [SpanRecord], reason: String, error: ExportError) -> [SpanRecord]? {
            var given = 0
            for dropReason in DropReason.allCases {
                let count = min(drops[dropReason], pending.count - given)
                drop(count, dropReason)
                given += count
            }
            let toRetry = Array(retry.prefix(pending.count - given))
            let accepted = pending.count - given - toRetry.count
            collector.markExported(accepted)
            exported += accepted
            if given > 0 {
                logFailure("rejected", "records of a batch were given up", ["records": "\(given)", "reasons": "\(drops)", "reason": "\(reason)"])
                notifyFailure(attempt: attempt, records: given, reason: error.description, willRetry: false)
            }
            return toRetry.isEmpty ? nil : toRetry
        }

        while true {
            attempt += 1
            let exporter = self.exporter
            let records = pending
            let exportDeadline = min(ContinuousClock.now + configuration.exportTimeout, shutdownDeadline.withLock { $0 } ?? .now + .seconds(86_400 * 365))
            let outcome: ExportDecision.Outcome
            var reason = ""
            var countsAgainstBackend = true  // a failure of the backend, not of some records
            switch await withDeadline(exportDeadline, { try await exporter.export(records) }) {
            case .finished(.success):
                outcome = .accepted
            case .finished(.failure(let error as ExportError)):
                switch error {
                case .rejected(let status, let why):
                    outcome = .refused
                    reason = error.description
                    logFailure("rejected", "backend refused a batch", ["status": "\(status.map(String.init) ?? "none")", "reason": "\(why)"])
                case .partial(let rejectedCount, let retry, let why):
                    var drops = DropCounts()
                    drops[.rejectedByBackend] = rejectedCount
                    guard let rest = settleEach(dropping: drops, retry: retry, reason: why, error: error) else { return .done }
                    pending = rest
                    outcome = .failed(retryAfter: nil)
                    reason = why
                    countsAgainstBackend = false  // the backend answered: not an outage
                case .perRecord(let drops, let retry, let retryAfter, let why):
                    guard let rest = settleEach(dropping: drops, retry: retry, reason: why, error: error) else { return .done }
                    pending = rest
                    outcome = .failed(retryAfter: retryAfter)
                    reason = why
                    countsAgainstBackend = false
                case .transient(let why, let retryAfter):
                    outcome = .failed(retryAfter: retryAfter)
                    reason = why
                }
            case .finished(.failure(let error)):
                outcome = .failed(retryAfter: nil)
                reason = "\(error)"
            case .timedOut:
                outcome = .failed(retryAfter: nil)
                reason = "no answer within the export timeout"
            }

            if case .failed = outcome, countsAgainstBackend { report(circuitBreaker.recordFailure()) }
            let decision = ExportDecision.after(
                outcome,
                attempt: attempt,
                policy: configuration.retry,
                circuit: circuitBreaker.currentState,
                shutdown: shutdownState()
            )
            if outcome != .accepted {
                notifyFailure(attempt: attempt, records: pending.count, reason: reason, willRetry: decision.sendsAgain)
            }

            switch decision {
            case .exported:
                collector.markExported(pending.count)
                exported += pending.count
                report(circuitBreaker.recordSuccess())
                return .done
            case .drop(let dropReason):
                drop(pending.count, dropReason)
                if dropReason == .exportFailed {
                    logFailure("failed", "export failed; batch dropped", ["records": "\(pending.count)", "attempts": "\(attempt)", "reason": "\(reason)"])
                }
                return .done
            case .requeue:
                let back = collector.requeue(pending, overflow: .circuitOpen)
                requeued += back
                dropped[.circuitOpen] += pending.count - back
                logFailure("circuit", "circuit open; records wait in the collector", ["records": "\(back)"])
                return .requeued
            case .retry(let delay):
                metrics.retries.increment()
                // Once shutdown has begun the wait is cut short (or skipped): a batch due for a retry
                // is sent at once, until its attempts or the shutdown deadline run out.
                await shuttingDown.sleep(for: delay)
            }
        }
    }

    /// Whether shutdown has begun, and whether its deadline has passed.
    private func shutdownState() -> ExportDecision.Shutdown {
        guard let deadline = shutdownDeadline.withLock({ $0 }) else { return .notStarted }
        return ContinuousClock.now >= deadline ? .pastDeadline : .underway
    }

    // MARK: - Reporting

    private func report(_ change: CircuitBreaker.StateChange?) {
        guard let change else { return }
        metrics.report(change.to)
        configuration.onCircuitStateChange?(change)
        logger.notice("circuit breaker changed state", metadata: ["from": "\(change.from)", "to": "\(change.to)"])
    }

    private func notifyFailure(attempt: Int, records: Int, reason: String, willRetry: Bool) {
        configuration.onExportError?(
            ExportAttemptFailure(collector: collector.name, attempt: attempt, records: records, reason: reason, willRetry: willRetry)
        )
    }

    /// At most one line per kind every 10 s, however often the backend fails.
    private func logFailure(_ kind: String, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        let (admitted, suppressed) = logLimiter.admit(kind)
        guard admitted else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.warning(message, metadata: metadata)
    }
}
