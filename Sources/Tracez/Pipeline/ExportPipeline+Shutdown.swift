import Logging

// Shutdown: the last drain, bounded by the deadline, and the count of what it could not send.
//
// Thread-safety: shutdown may begin from any task (the loop, a caller of
// `shutdown(deadline:)`, the service group's graceful-shutdown handler); the deadline and
// the one warning are kept behind locks, and the last drain takes its turn like any round.

extension ExportPipeline {
    /// Records the deadline (the earliest, if shutdown is asked more than once) and fires
    /// the signal that cuts backoff short and stops routine rounds.
    func beginShutdown(deadline: ContinuousClock.Instant) {
        shutdownDeadline.withLock { current in
            if let existing = current { current = min(existing, deadline) } else { current = deadline }
        }
        shuttingDown.fire()
        currentRound.wake()  // its idle exports end
    }

    /// Whether shutdown has begun, and whether its deadline has passed.
    func shutdownState() -> ExportDecision.Shutdown {
        guard let deadline = shutdownDeadline.withLock({ $0 }) else { return .notStarted }
        let now = clock.now
        return now >= deadline ? .pastDeadline : .underway(remaining: deadline - now)
    }

    /// Shutdown ran out of time: count what is left (every batch in flight too) and ignore late
    /// answers. The collector counts each record once, however many exports were in flight.
    func abandon() {
        let reason = ExportDecision.reasonForUnsent(circuit: circuitBreaker.currentState)
        collector.abandon(reason: reason)
        forgetSetAsideBatches()
        metrics.report(collector.statistics)
        warnAboutUnsentRecords("shutdown deadline passed; unsent records counted as dropped", reason)
    }

    /// The last drain: send until the deadline, then count what is left and close.
    func finish(deadline: ContinuousClock.Instant) async {
        await turns.run {
            await sendRemaining(until: deadline)
            let left = collector.statistics.buffered + setAside.withLock { $0.count }
            let reason = ExportDecision.reasonForUnsent(circuit: circuitBreaker.currentState)
            collector.abandon(reason: reason)
            forgetSetAsideBatches()
            // Also when nothing was left: an export in flight past the deadline counts its own
            // batch as `shutdownDeadline` when it fails, and that loss must be said too.
            if left > 0 || reason == .shutdownDeadline {
                warnAboutUnsentRecords("shutdown left records unsent; counted as dropped", reason)
            }
            metrics.report(collector.statistics)
        }
        _ = await withDeadline(max(deadline, clock.now + .milliseconds(100)), clock: clock) { await self.exporter.shutdown() }
    }

    /// Drops the batches still set aside once the collector has counted everything in flight
    /// (theirs included): nothing will send them now.
    private func forgetSetAsideBatches() {
        setAside.withLock { $0.removeAll() }
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
}
