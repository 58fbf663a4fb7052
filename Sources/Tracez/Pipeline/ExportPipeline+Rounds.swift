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
    /// Full batches that arrive while this turn's batches are in flight are sent too, by its
    /// free slots, so a steady load keeps the slots busy; the turn ends when nothing of it is in
    /// flight. While a batch of this turn waits for its retry, full batches (and, once the
    /// interval passes, what is there) are sent meanwhile, until its retries end. Neither
    /// happens while a flush or shutdown waits for the turn, so those are never starved
    /// (``ExportRound``).
    func exportPending() async {
        await turns.run {
            let buffered = collector.statistics.buffered
            let round = ExportRound(records: buffered)
            await currentRound.during(round) {
                await runExports(forRecords: buffered, keepingSlotsBusy: buffered > 0) { isFirst in
                    await self.exportBatches(of: round, probing: isFirst)
                }
            }
            metrics.report(collector.statistics)
            // A full batch still waits: the next round starts now, not at the next interval.
            // The collector's fill mark signals only on the way up, and a steady load can keep
            // it above the mark through a whole round.
            if collector.statistics.buffered >= configuration.maxBatchSize { mailbox.post(.batchReady) }
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
    /// `keepingSlotsBusy`: all four times `maxConcurrentExports` tasks however few batches the
    /// round begins with, so that it has exports to send what arrives while batches wait for
    /// their retries (a task with nothing to send costs a suspension, not a thread).
    private func runExports(
        forRecords records: Int,
        keepingSlotsBusy: Bool = false,
        _ export: @escaping @Sendable (_ isFirst: Bool) async -> Void
    ) async {
        let limit = configuration.maxConcurrentExports
        var count = ExportRound.exports(
            forRecords: records,
            batchSize: configuration.maxBatchSize,
            limit: limit == 1 ? 1 : limit * ExportRound.tasksPerSendingSlot
        )
        if keepingSlotsBusy, limit > 1 { count = limit * ExportRound.tasksPerSendingSlot }
        guard count > 1 else { return await export(true) }
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask { await export(index == 0) }
            }
        }
    }

    /// One export of a round: sends batch after batch, each holding a sending slot, until the
    /// round is over or shutdown begins (shutdown's last drain takes what is left). With nothing
    /// left to claim it stays while a batch of the round is unsettled, and sends what arrives
    /// meanwhile if one waits for a retry (``ExportRound``).
    private func exportBatches(of round: ExportRound, probing: Bool) async {
        while !shuttingDown.isFired {
            let wakeUps = round.wakeUps
            let next: NextBatch = await sendingSlots.withSlot { await self.exportNextBatch(of: round, probing: probing) }
            switch next {
            case .sent:
                continue
            case .over:
                return
            case .nothingToClaim:
                guard round.isUnderway else { return }
                await round.sleep(unlessWokenSince: wakeUps)
            }
        }
    }

    /// What one export of a round did.
    private enum NextBatch {
        /// Sent a batch (and settled it): look for the next.
        case sent
        /// Found nothing to send now, though the round goes on.
        case nothingToClaim
        /// The round is over for this export.
        case over
    }

    /// Drains and sends one batch of a round: first from what the round began with, then,
    /// while a batch of the round waits for a retry, from what arrived since.
    ///
    /// Only the round's first export (`probing`) asks the circuit breaker to let a batch through,
    /// which may half-open a circuit whose pause is over; the others export only while the
    /// circuit is closed, so a half-open circuit sees one probe at a time.
    private func exportNextBatch(of round: ExportRound, probing: Bool) async -> NextBatch {
        guard !shuttingDown.isFired else { return .over }
        let claimed = round.claim(batchSize: configuration.maxBatchSize)
        guard claimed > 0 else { return await sendArrivedBatch(of: round) }
        if probing {
            let (allowed, change) = circuitBreaker.allowsExport(at: clock.now)
            report(change)
            guard allowed else {  // open: the records wait in the collector
                round.stop()
                return .over
            }
        } else if circuitBreaker.currentState != .closed {
            round.giveBack(claimed)  // the first export goes on, one batch at a time
            return .over
        }
        return await drainAndSend(upTo: claimed, of: round)
    }

    /// Drains and sends records that arrived since the round began, if the round may take them
    /// now (``ExportRound/topUp(buffered:batchSize:)``): not while the circuit is anything but
    /// closed, nor while a flush or shutdown waits for the round to end.
    private func sendArrivedBatch(of round: ExportRound) async -> NextBatch {
        guard circuitBreaker.currentState == .closed, !turns.hasWaiters else { return .nothingToClaim }
        let buffered = collector.statistics.buffered
        let records = round.topUp(buffered: buffered, batchSize: configuration.maxBatchSize)
        guard records > 0 else { return .nothingToClaim }
        // Another full batch is there: wake the idle exports, one of which takes it (the
        // collector's fill mark, which woke them for this one, fires only on the way up).
        if buffered - records >= configuration.maxBatchSize { round.wake() }
        let next = await drainAndSend(upTo: records, of: round)
        // A round under a steady load may last long: report as it goes, not only at its end.
        metrics.report(collector.statistics)
        return next
    }

    /// Drains up to `records` records and sends them as a batch of the round; `.nothingToClaim`
    /// if the collector had none left (another export took them first).
    private func drainAndSend(upTo records: Int, of round: ExportRound) async -> NextBatch {
        let batch = collector.drain(max: records)
        guard !batch.isEmpty else { return .nothingToClaim }
        round.batchDrained()
        let outcome = await send(batch, inLastDrain: false, round: round)
        round.batchSettled()
        guard outcome != .requeued else {
            round.stop()
            return .over
        }
        return .sent
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
