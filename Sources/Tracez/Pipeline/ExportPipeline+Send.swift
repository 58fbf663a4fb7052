import Logging

// One batch's export: attempts, retries and waits, until the batch is settled.
//
// Thread-safety: runs on the task of the export that drained the batch, which owns the batch
// (a non-copyable `DrainedBatch`) until it settles it, exactly once. Several batches of one
// pipeline may be in this function at once (`maxConcurrentExports`): they share the circuit
// breaker, the metrics and the status behind their own locks, and nothing else.

extension ExportPipeline {
    enum SendOutcome: Equatable {
        /// Settled: `exported` records were sent, the rest dropped.
        case done(exported: Int)
        /// The circuit opened: the records went back into the collector.
        case requeued

        /// Records of the batch the backend took.
        var exported: Int {
            if case .done(let exported) = self { exported } else { 0 }
        }
    }

    /// One batch, with retries, settled exactly once whatever happens.
    func send(_ drained: consuming DrainedBatch) async -> SendOutcome {
        let started = clock.now
        let drainedCount = drained.count
        var batch = drained
        var attempt = 0
        var exported = 0
        var dropped = DropCounts()
        var requeued = 0
        exportsInFlight.add(1, ordering: .relaxed)

        defer {
            exportsInFlight.subtract(1, ordering: .relaxed)
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
            let exportDeadline = min(clock.now + configuration.exportTimeout, shutdownDeadline.withLock { $0 } ?? clock.now + .seconds(86_400 * 365))
            let outcome: ExportDecision.Outcome
            var reason = ""
            var countsAgainstBackend = true  // a failure of the backend, not of some records
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
                reason = "no answer within the export timeout"
            }

            if case .failed = outcome, countsAgainstBackend { report(circuitBreaker.recordFailure(at: clock.now)) }
            // The one place the batch's fate is chosen (retry, requeue, or which drop reason).
            let decision = ExportDecision.after(
                outcome,
                attempt: attempt,
                policy: configuration.retry,
                circuit: circuitBreaker.currentState,
                shutdown: shutdownState()
            )
            if outcome != .accepted {
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
                let (back, lost) = putBack(batch)
                requeued += back
                dropped[.circuitOpen] += lost
                return .requeued
            case .retry(let delay):
                metrics.retries.increment()
                // Once shutdown has begun the wait is cut short (or skipped): a batch due for a retry
                // is sent at once, until its attempts or the shutdown deadline run out.
                let retryAt = clock.now + delay
                activity.withLock { $0.retriesDue.append(retryAt) }
                await shuttingDown.sleep(for: delay, clock: clock)
                activity.withLock { $0.removeRetry(due: retryAt) }
                // Another batch in flight may have opened the circuit during the wait: then this
                // one waits in the collector too, rather than send into an open circuit.
                if circuitBreaker.currentState == .open, shutdownState() == .notStarted {
                    let (back, lost) = putBack(batch)
                    requeued += back
                    dropped[.circuitOpen] += lost
                    return .requeued
                }
            }
        }
    }

    /// Puts a batch back at the front of the collector while the circuit is open. Returns how
    /// many records went back, and how many no longer fitted (the caller counts them `circuitOpen`).
    private func putBack(_ batch: consuming DrainedBatch) -> (requeued: Int, dropped: Int) {
        let count = batch.count
        let back = batch.requeue(overflow: .circuitOpen)
        logFailure("circuit", "circuit open; records wait in the collector", ["records": "\(back)"])
        return (back, count - back)
    }
}
