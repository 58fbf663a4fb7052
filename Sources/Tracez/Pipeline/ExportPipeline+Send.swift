import Logging

// One batch's export: attempts, retries and waits, until the batch is settled.
//
// Thread-safety: runs on the task of the export that drained the batch, which owns the batch
// (a non-copyable `DrainedBatch`) until it settles it, exactly once, or sets it aside for the
// last drain (which then owns it). Several batches of one pipeline may be in this function at
// once, at most `maxConcurrentExports` of them sending (the pipeline's sending slots): they
// share the slots, the circuit breaker, the metrics and the status behind their own locks,
// and nothing else.

extension ExportPipeline {
    enum SendOutcome: Equatable {
        /// Settled: `exported` records were sent, the rest dropped.
        case done(exported: Int)
        /// The circuit opened: the records went back into the collector.
        case requeued
        /// Shutdown began while the batch waited for a retry: it was set aside for the last drain.
        case setAside

        /// Records of the batch the backend took.
        var exported: Int {
            if case .done(let exported) = self { exported } else { 0 }
        }
    }

    /// One batch, with retries, settled exactly once whatever happens (or put back in the
    /// collector, or set aside). The caller holds a sending slot; the batch gives it up while it
    /// waits for a retry, and holds one again when it returns. `progress` is where the batch's
    /// retries stand, for a batch that was set aside; a new batch starts from nothing.
    ///
    /// In a routine round (`inLastDrain` false), a batch that would wait for a retry once shutdown
    /// has begun is set aside instead (``SetAsideBatch``), so that the round ends at once and
    /// shutdown's last drain sends it after the records still buffered. `round`, a routine round,
    /// hears when the batch waits for a retry, so that its idle exports may send meanwhile.
    func send(_ drained: consuming DrainedBatch, inLastDrain: Bool, progress: RetryProgress? = nil, round: ExportRound? = nil) async -> SendOutcome {
        let started = progress?.started ?? clock.now
        let drainedCount = drained.count
        var batch = drained
        var attempt = progress?.attempts ?? 0
        var exported = 0
        var dropped = DropCounts()
        var requeued = 0
        var isSetAside = false
        exportsInFlight.add(1, ordering: .relaxed)

        defer {
            exportsInFlight.subtract(1, ordering: .relaxed)
            // A batch set aside is reported once, when the last drain settles it.
            if !isSetAside { reportBatch() }
        }

        func reportBatch() {
            let duration = clock.now - started
            metrics.batchDuration.recordNanoseconds(duration.nanosecondsClamped)
            if exported > 0 { metrics.batchesSent.increment() }
            if dropped.total > 0 { metrics.batchesFailed.increment() }
            configuration.onBatchResult?(
                BatchResult(
                    collector: collector.name,
                    records: drainedCount,
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
        func settleEach(
            _ batch: consuming DrainedBatch,
            dropping drops: DropCounts,
            retry: [SpanRecord],
            reason: String,
            error: ExportError
        ) -> DrainedBatch? {
            var given = DropCounts()
            for dropReason in DropReason.allCases {
                given[dropReason] = min(drops[dropReason], batch.count - given.total)
            }
            let toRetry = Array(retry.prefix(batch.count - given.total))
            let accepted = batch.count - given.total - toRetry.count
            exported += accepted
            dropped = dropped + given
            if given.total > 0 {
                logFailure("rejected", "records of a batch were given up", ["records": "\(given.total)", "reasons": "\(drops)", "reason": "\(reason)"])
                notifyFailure(attempt: attempt, records: given.total, reason: error.description, willRetry: false)
            }
            return batch.settle(dropped: given, exported: accepted, rest: toRetry)
        }

        while true {
            attempt += 1
            let exporter = self.exporter
            let records = batch.records
            let timeoutAt = clock.now + configuration.exportTimeout
            let exportDeadline = min(timeoutAt, shutdownDeadline.withLock { $0 } ?? timeoutAt)
            // An attempt cut short by shutdown's deadline, not by its own timeout, says nothing
            // about the backend: it is neither reported as a failure nor held against the backend.
            let isCutByShutdown = exportDeadline < timeoutAt
            let outcome: ExportDecision.Outcome
            var reason = ""
            var countsAgainstBackend = true  // a failure of the backend, not of some records
            var isReported = true
            switch await withDeadline(exportDeadline, clock: clock, { try await exporter.export(records) }) {
            case .finished(.success):
                outcome = .accepted
            case .finished(.failure(let error as ExportError)):
                switch error.code {
                case .rejected:
                    outcome = .refused
                    reason = error.description
                    logFailure("rejected", "backend refused a batch", ["status": "\(error.status.map(String.init) ?? "none")", "reason": "\(error.reason)"])
                case .partial:
                    var drops = DropCounts()
                    drops[.rejectedByBackend] = error.rejectedCount ?? 0
                    guard let rest = settleEach(batch, dropping: drops, retry: error.retry ?? [], reason: error.reason, error: error) else {
                        return .done(exported: exported)
                    }
                    batch = rest
                    outcome = .failed(retryAfter: nil)
                    reason = error.reason
                    countsAgainstBackend = false  // the backend answered: not an outage
                case .perRecord:
                    guard let rest = settleEach(batch, dropping: error.dropped ?? DropCounts(), retry: error.retry ?? [], reason: error.reason, error: error)
                    else { return .done(exported: exported) }
                    batch = rest
                    outcome = .failed(retryAfter: error.retryAfter)
                    reason = error.reason
                    countsAgainstBackend = false
                default:
                    // .transient, and any code a later version adds: retried, as any error that
                    // is not an ExportError is.
                    outcome = .failed(retryAfter: error.retryAfter)
                    reason = error.reason
                }
            case .finished(.failure(let error)):
                outcome = .failed(retryAfter: nil)
                reason = "\(error)"
            case .timedOut:
                outcome = .failed(retryAfter: nil)
                reason = isCutByShutdown ? "shutdown's deadline passed during the attempt" : "no answer within the export timeout"
                countsAgainstBackend = !isCutByShutdown
                isReported = !isCutByShutdown
            }

            if case .failed = outcome, countsAgainstBackend { report(circuitBreaker.recordFailure(at: clock.now)) }
            // The one place the batch's fate is chosen (retry, requeue, or which drop reason).
            let decision = ExportDecision.after(
                outcome,
                attempt: attempt,
                elapsed: clock.now - started,
                policy: configuration.retry,
                circuit: circuitBreaker.currentState,
                shutdown: shutdownState()
            )
            if outcome != .accepted, isReported {
                notifyFailure(attempt: attempt, records: batch.count, reason: reason, willRetry: decision.sendsAgain)
            }

            switch decision {
            case .exported:
                exported += batch.count
                batch.markExported()
                report(circuitBreaker.recordSuccess())
                return .done(exported: exported)
            case .drop(let dropReason):
                let count = batch.count
                dropped[dropReason] += count
                batch.markDropped(reason: dropReason)
                if dropReason == .exportFailed {
                    logFailure("failed", "export failed; batch dropped", ["records": "\(count)", "attempts": "\(attempt)", "reason": "\(reason)"])
                }
                return .done(exported: exported)
            case .requeue:
                logCircuitOpen(records: batch.count)
                return putBack(batch, requeued: &requeued, dropped: &dropped)
            case .retry(let delay):
                metrics.retries.increment()
                let retryAt = clock.now + delay
                let isBackendsRequest = if case .failed(let retryAfter) = outcome { retryAfter != nil } else { false }
                if !inLastDrain, delay > .zero, shuttingDown.isFired {
                    isSetAside = true
                    return setAsideForTheLastDrain(
                        batch, retryAt: retryAt, isBackendsRequest: isBackendsRequest, attempts: attempt, started: started)
                }
                activity.withLock { $0.retriesDue.append(retryAt) }
                sendingSlots.give()  // waiting, not sending: the next batch may go
                await waitForRetry(until: retryAt, isBackendsRequest: isBackendsRequest, decidingAgainAtShutdown: inLastDrain, round: round)
                await sendingSlots.take()
                activity.withLock { $0.removeRetry(due: retryAt) }
                // Shutdown began during the wait: a routine round ends, and the last drain sends
                // the batch when its retry is due.
                if !inLastDrain, shuttingDown.isFired, clock.now < retryAt {
                    isSetAside = true
                    return setAsideForTheLastDrain(
                        batch, retryAt: retryAt, isBackendsRequest: isBackendsRequest, attempts: attempt, started: started)
                }
                // Another batch in flight may have opened the circuit during the wait: then this
                // one waits in the collector too, rather than send into an open circuit.
                if circuitBreaker.currentState == .open, shutdownState() == .notStarted {
                    logCircuitOpen(records: batch.count)
                    return putBack(batch, requeued: &requeued, dropped: &dropped)
                }
            }
        }
    }

    /// Waits until `retryAt`, or until shutdown begins. Then, if `decidingAgainAtShutdown` (in
    /// the last drain), what is left of the wait is decided again as shutdown decides waits
    /// (``ExportDecision/waitAtShutdown(_:remaining:isBackendsRequest:)``). A routine round's
    /// batch returns at once, to be set aside. `round`, if any, hears when the wait begins and ends.
    ///
    /// (`round` is told here rather than in `send`: a branch more in `send`, an async function
    /// holding a non-copyable batch, makes the compiler's debug-info pass for moved values run
    /// for ever in Swift 6.x debug builds.)
    func waitForRetry(
        until retryAt: ContinuousClock.Instant,
        isBackendsRequest: Bool,
        decidingAgainAtShutdown: Bool,
        round: ExportRound? = nil
    ) async {
        round?.waitingForRetry(true)
        defer { round?.waitingForRetry(false) }
        await shuttingDown.sleep(for: retryAt - clock.now, clock: clock)
        let now = clock.now
        guard decidingAgainAtShutdown, now < retryAt, let deadline = shutdownDeadline.withLock({ $0 }), now < deadline else { return }
        try? await clock.sleep(until: now + ExportDecision.waitAtShutdown(retryAt - now, remaining: deadline - now, isBackendsRequest: isBackendsRequest))
    }

    /// Sets a batch aside for shutdown's last drain; see ``SetAsideBatch``.
    private func setAsideForTheLastDrain(
        _ batch: consuming DrainedBatch,
        retryAt: ContinuousClock.Instant,
        isBackendsRequest: Bool,
        attempts: Int,
        started: ContinuousClock.Instant
    ) -> SendOutcome {
        let entry = SetAsideBatch(
            records: batch.takeRecordsUnsettled(),
            retryAt: retryAt,
            isBackendsRequest: isBackendsRequest,
            progress: RetryProgress(attempts: attempts, started: started)
        )
        setAside.withLock { $0.append(entry) }
        return .setAside
    }

    /// Puts a batch back at the front of the collector: while the circuit is open, or, for a
    /// routine round once shutdown has begun, for the last drain. Records that no longer fit are
    /// counted `circuitOpen` (the collector is full, or closed).
    private func putBack(_ batch: consuming DrainedBatch, requeued: inout Int, dropped: inout DropCounts) -> SendOutcome {
        let count = batch.count
        let back = batch.requeue(overflow: .circuitOpen)
        requeued += back
        dropped[.circuitOpen] += count - back
        return .requeued
    }

    /// Logs that the circuit is open and `records` wait in the collector.
    private func logCircuitOpen(records: Int) {
        logFailure("circuit", "circuit open; records wait in the collector", ["records": "\(records)"])
    }
}
