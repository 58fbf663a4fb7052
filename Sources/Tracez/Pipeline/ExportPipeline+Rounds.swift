// Export rounds: what the loop, `forceFlush()` and the interval run, one at a time.
//
// Thread-safety: any task may start a round; `turns` lets one run at a time, so the
// exporter never sees two batches at once.

extension ExportPipeline {
    /// Exports what the collector holds now, batch by batch. Records that arrive
    /// meanwhile wait for the next turn, so a busy collector cannot starve the mailbox.
    func exportPending() async {
        await turns.run {
            var remaining = collector.statistics.buffered
            while remaining > 0, !shuttingDown.isFired {
                let (allowed, change) = circuitBreaker.allowsExport(at: clock.now)
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
}
