// Export rounds: what the loop, `forceFlush()`, the interval and shutdown's last drain run.
//
// Thread-safety: any task may start a round; `turns` lets one run at a time, so a flush that
// returns has seen every earlier round finish. Inside a round, exports run on child tasks of
// the round, each keeping its batch from drain to settlement; at most `maxConcurrentExports`
// of them send at once (the pipeline's sending slots), while others may wait for a retry.
// They share an `ExportRound`, the slots, the circuit breaker and the collector, each behind
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

    /// Shutdown's last drain: sends what the collector holds, then the batches set aside for
    /// their retries, until all are settled or `deadline` passes, up to `maxConcurrentExports`
    /// at once. Stops early if the backend is still failing.
    func sendRemaining(until deadline: ContinuousClock.Instant) async {
        let round = ExportRound(records: .max)
        let setAsideRecords = setAside.withLock { $0.reduce(0) { $0 + $1.records.count } }
        await runExports(forRecords: collector.statistics.buffered + setAsideRecords) { isFirst in
            await self.sendBatchesAtShutdown(of: round, until: deadline, probing: isFirst)
        }
    }

    /// Runs `export` once per batch the round holds, on up to four times `maxConcurrentExports`
    /// tasks (they share the pipeline's sending slots, so a batch waiting for its retry lets the
    /// next one go), and at least once; `isFirst` is true for one of them. With one export
    /// allowed, a single task runs, on the caller's task, and batches go strictly in order.
    private func runExports(forRecords records: Int, _ export: @escaping @Sendable (_ isFirst: Bool) async -> Void) async {
        let limit = configuration.maxConcurrentExports
        let count = ExportRound.exports(
            forRecords: records,
            batchSize: configuration.maxBatchSize,
            limit: limit == 1 ? 1 : limit * ExportRound.tasksPerSendingSlot
        )
        guard count > 1 else { return await export(true) }
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask { await export(index == 0) }
            }
        }
    }

    /// One export of a round: sends batch after batch, each holding a sending slot, until the
    /// round is over or shutdown begins (shutdown's last drain takes what is left).
    private func exportBatches(of round: ExportRound, probing: Bool) async {
        while !shuttingDown.isFired {
            let goesOn = await sendingSlots.withSlot { await self.exportNextBatch(of: round, probing: probing) }
            guard goesOn else { return }
        }
    }

    /// Drains and sends one batch of a round; false once the round is over for this export.
    ///
    /// Only the round's first export (`probing`) asks the circuit breaker to let a batch through,
    /// which may half-open a circuit whose pause is over; the others export only while the
    /// circuit is closed, so a half-open circuit sees one probe at a time.
    private func exportNextBatch(of round: ExportRound, probing: Bool) async -> Bool {
        guard !shuttingDown.isFired else { return false }
        let claimed = round.claim(batchSize: configuration.maxBatchSize)
        guard claimed > 0 else { return false }
        if probing {
            let (allowed, change) = circuitBreaker.allowsExport(at: clock.now)
            report(change)
            guard allowed else {  // open: the records wait in the collector
                round.stop()
                return false
            }
        } else if circuitBreaker.currentState != .closed {
            round.giveBack(claimed)  // the first export goes on, one batch at a time
            return false
        }
        let batch = collector.drain(max: claimed)
        guard !batch.isEmpty else { return false }
        if case .requeued = await send(batch, inLastDrain: false) {
            round.stop()
            return false
        }
        return true
    }

    /// One export of shutdown's last drain. At shutdown even an open circuit gets tried again,
    /// by the round's first export (`probing`): these are the last records. While the circuit is
    /// open the other exports wait for the probe, holding no slot; once one of its batches gets
    /// through, the backend is answering and they all go on. The drain stops when a batch sent
    /// while the circuit is open gets nothing through (its retries included), or at the deadline.
    private func sendBatchesAtShutdown(of round: ExportRound, until deadline: ContinuousClock.Instant, probing: Bool) async {
        defer { if probing { round.stop() } }  // the probe ends only when the round is over
        // What is buffered first,
        while clock.now < deadline {
            if !probing, circuitBreaker.currentState != .closed, !round.hasBackendAnswered {
                await round.waitUntilBackendAnswers()
                continue
            }
            let goesOn = await sendingSlots.withSlot { await self.sendNextBatchAtShutdown(of: round) }
            guard goesOn else { break }
        }
        // then the batches set aside, each when its retry is due.
        while clock.now < deadline, !round.isStopped, let next = takeSetAsideBatch() {
            await waitForRetry(until: next.retryAt, isBackendsRequest: next.isBackendsRequest, decidingAgainAtShutdown: true)
            let goesOn = await sendingSlots.withSlot {
                await self.settleAtShutdown(DrainedBatch(records: next.records, collector: self.collector), of: round, progress: next.progress)
            }
            guard goesOn else { return }
        }
    }

    /// Drains and sends one batch of shutdown's last drain; false once nothing is buffered or
    /// the drain is over.
    private func sendNextBatchAtShutdown(of round: ExportRound) async -> Bool {
        let claimed = round.claim(batchSize: configuration.maxBatchSize)
        guard claimed > 0 else { return false }
        let batch = collector.drain(max: claimed)
        guard !batch.isEmpty else { return false }  // the collector is empty
        return await settleAtShutdown(batch, of: round, progress: nil)
    }

    /// Sends a batch of shutdown's last drain until it is settled; false if the drain should
    /// stop (the circuit is open and the batch got nothing through).
    private func settleAtShutdown(_ batch: consuming DrainedBatch, of round: ExportRound, progress: RetryProgress?) async -> Bool {
        let outcome = await send(batch, inLastDrain: true, progress: progress)
        if outcome.exported > 0 { round.noteBatchGotThrough() }
        guard ExportDecision.keepsSendingAtShutdown(circuit: circuitBreaker.currentState, lastBatchSentAny: outcome.exported > 0) else {
            round.stop()
            return false
        }
        return true
    }

    /// The batch set aside first, taken off the list.
    private func takeSetAsideBatch() -> SetAsideBatch? {
        setAside.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}
