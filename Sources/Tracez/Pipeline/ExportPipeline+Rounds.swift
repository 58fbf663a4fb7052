// Export rounds: what the loop, `forceFlush()`, the interval and shutdown's last drain run.
//
// Thread-safety: any task may start a round; `turns` lets one run at a time, so a flush that
// returns has seen every earlier round finish. Inside a round, up to `maxConcurrentExports`
// exports run at once, each on a child task of the round that keeps its batch from drain to
// settlement; they share an `ExportRound`, the circuit breaker and the collector, each behind
// its own lock.

extension ExportPipeline {
    /// Exports what the collector holds now, in batches, up to `maxConcurrentExports` at once.
    /// Records that arrive meanwhile wait for the next turn, so a busy collector cannot starve
    /// the mailbox.
    func exportPending() async {
        await turns.run {
            let buffered = collector.statistics.buffered
            let round = ExportRound(records: buffered)
            await runExports(forRecords: buffered) { isFirst in
                await self.exportBatches(of: round, probing: isFirst)
            }
            metrics.report(collector.statistics)
        }
    }

    /// Shutdown's last drain: sends until the collector is empty or `deadline` passes, up to
    /// `maxConcurrentExports` at once. Stops early if the backend is still failing.
    func sendRemaining(until deadline: ContinuousClock.Instant) async {
        let round = ExportRound(records: .max)
        await runExports(forRecords: collector.statistics.buffered) { isFirst in
            await self.sendBatchesAtShutdown(of: round, until: deadline, probing: isFirst)
        }
    }

    /// Runs `export` once per batch the round holds, at most `maxConcurrentExports` at once, and
    /// at least once; `isFirst` is true for one of them. A single export runs on the caller's
    /// task, as the pipeline did before it had concurrent exports.
    private func runExports(forRecords records: Int, _ export: @escaping @Sendable (_ isFirst: Bool) async -> Void) async {
        let count = ExportRound.exports(
            forRecords: records,
            batchSize: configuration.maxBatchSize,
            limit: configuration.maxConcurrentExports
        )
        guard count > 1 else { return await export(true) }
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask { await export(index == 0) }
            }
        }
    }

    /// One export of a round: drains a batch, sends it, and goes on until the round is over.
    ///
    /// Only the round's first export (`probing`) asks the circuit breaker to let a batch through,
    /// which may half-open a circuit whose pause is over; the others export only while the
    /// circuit is closed, so a half-open circuit sees one probe at a time.
    private func exportBatches(of round: ExportRound, probing: Bool) async {
        while !shuttingDown.isFired {
            let claimed = round.claim(batchSize: configuration.maxBatchSize)
            guard claimed > 0 else { return }
            if probing {
                let (allowed, change) = circuitBreaker.allowsExport(at: clock.now)
                report(change)
                guard allowed else { return round.stop() }  // open: the records wait in the collector
            } else if circuitBreaker.currentState != .closed {
                return round.giveBack(claimed)  // the first export goes on, one batch at a time
            }
            let batch = collector.drain(max: claimed)
            guard !batch.isEmpty else { return }
            if case .requeued = await send(batch) { return round.stop() }
        }
    }

    /// One export of shutdown's last drain. At shutdown even an open circuit gets one more try,
    /// from the round's first export (`probing`): these are the last records. The drain stops
    /// when a batch sent while the circuit is open gets nothing through.
    private func sendBatchesAtShutdown(of round: ExportRound, until deadline: ContinuousClock.Instant, probing: Bool) async {
        while clock.now < deadline {
            guard probing || circuitBreaker.currentState == .closed else { return }
            let claimed = round.claim(batchSize: configuration.maxBatchSize)
            guard claimed > 0 else { return }
            let batch = collector.drain(max: claimed)
            guard !batch.isEmpty else { return round.stop() }  // the collector is empty
            let outcome = await send(batch)
            guard ExportDecision.keepsSendingAtShutdown(circuit: circuitBreaker.currentState, lastBatchSentAny: outcome.exported > 0) else {
                return round.stop()
            }
        }
    }
}
