import Logging
import ServiceLifecycle
import Synchronization

/// Drains one ``Collector`` into one ``Exporter``, in batches, for as long as ``run()`` runs.
///
/// The pipeline exports every ``ExportConfiguration/interval``, as soon as the
/// collector holds a full batch, and on ``forceFlush()``. One batch is in
/// flight at a time (loop, flushes and shutdown take turns), so an exporter
/// never sees concurrent calls from it. Every
/// drained record ends up counted on the collector: exported, or dropped with a reason.
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
    private let exporter: any Exporter
    private let logger: Logger
    private let mailbox: AsyncStream<Message>
    private let mailboxInput: AsyncStream<Message>.Continuation
    private let phase = Mutex(Phase.idle)
    private let turns = ExportTurns()

    private enum Message: Sendable {
        case tick
        case batchReady
        case flush
        case shutdown(ContinuousClock.Instant, CheckedContinuation<Void, Never>?)
    }

    private enum Phase {
        case idle
        case running
        case finished
    }

    /// - Throws: ``TracezError/invalidConfiguration(field:reason:)`` for a batch size or duration that is not positive.
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
        var logger = logger
        logger[metadataKey: "collector"] = "\(collector.name)"
        self.logger = logger
        (mailbox, mailboxInput) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .unbounded)
        let input = mailboxInput
        collector.onReaching(configuration.maxBatchSize) { input.yield(.batchReady) }
    }

    /// Exports until graceful shutdown, cancellation, or ``shutdown(deadline:)``.
    ///
    /// On graceful shutdown it sends what is pending within
    /// ``ExportConfiguration/shutdownTimeout`` and counts the rest as
    /// ``DropReason/shutdownDeadline``. On cancellation it stops at once and leaves
    /// what is buffered pending.
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
            input.yield(.shutdown(.now + shutdownTimeout, nil))
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

    /// Exports everything recorded before the call, and returns when that is done.
    ///
    /// Works whether or not ``run()`` is running: the export happens on the
    /// caller's task, taking its turn with the pipeline's own exports.
    public func forceFlush() async {
        await exportPending()
    }

    /// Sends what is pending until `deadline`, counts the rest as
    /// ``DropReason/shutdownDeadline``, shuts the exporter down and closes the collector.
    /// Returns the collector's final counters.
    ///
    /// Works whether or not ``run()`` is running; a second call only returns the counters.
    @discardableResult
    public func shutdown(deadline: ContinuousClock.Instant) async -> CollectorStatistics {
        enum Action { case runInline, askLoop, nothing }
        let action = phase.withLock { phase -> Action in
            switch phase {
            case .idle:
                phase = .finished
                return .runInline
            case .running:
                return .askLoop
            case .finished:
                return .nothing
            }
        }
        switch action {
        case .runInline:
            await finish(deadline: deadline)
        case .askLoop:
            await withCheckedContinuation { continuation in
                mailboxInput.yield(.shutdown(deadline, continuation))
            }
        case .nothing:
            break
        }
        return collector.statistics
    }

    // MARK: - The loop

    private func serveMailbox() async {
        for await message in mailbox {
            switch message {
            case .tick, .batchReady, .flush:
                await exportPending()
            case .shutdown(let deadline, let continuation):
                await finish(deadline: deadline)
                phase.withLock { $0 = .finished }
                continuation?.resume()
                drainLeftoverMessages()
                return
            }
        }
        // Cancelled: stop now, leaving records pending. Waiters must not hang.
        phase.withLock { $0 = .finished }
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

    /// Exports what the collector holds now, batch by batch. Records that arrive
    /// meanwhile wait for the next turn, so a busy collector cannot starve the mailbox.
    private func exportPending() async {
        await turns.run {
            var remaining = collector.statistics.buffered
            while remaining > 0 {
                let batch = collector.drain(max: min(configuration.maxBatchSize, remaining))
                guard !batch.isEmpty else { return }
                remaining -= batch.count
                await send(batch, deadline: .now + configuration.exportTimeout)
            }
        }
    }

    /// One export call, bounded by `deadline`, counted either way.
    private func send(_ batch: [SpanRecord], deadline: ContinuousClock.Instant, reasonOnTimeout: DropReason = .exportFailed) async {
        let exporter = self.exporter
        switch await withDeadline(deadline, { try await exporter.export(batch) }) {
        case .finished(.success):
            collector.markExported(batch.count)
        case .finished(.failure(let error)):
            collector.markDropped(batch.count, reason: .exportFailed)
            logger.warning(
                "export failed; batch dropped",
                metadata: ["records": "\(batch.count)", "error": "\(error)"]
            )
        case .timedOut:
            collector.markDropped(batch.count, reason: reasonOnTimeout)
            logger.warning("export timed out; batch dropped", metadata: ["records": "\(batch.count)"])
        }
    }

    /// The last drain: send until the deadline, then count what is left and close.
    private func finish(deadline: ContinuousClock.Instant) async {
        await turns.run { await finishInTurn(deadline: deadline) }
    }

    private func finishInTurn(deadline: ContinuousClock.Instant) async {
        while ContinuousClock.now < deadline {
            let batch = collector.drain(max: configuration.maxBatchSize)
            if batch.isEmpty { break }
            let exportTimeoutAt = ContinuousClock.now + configuration.exportTimeout
            let reason: DropReason = deadline <= exportTimeoutAt ? .shutdownDeadline : .exportFailed
            await send(batch, deadline: min(deadline, exportTimeoutAt), reasonOnTimeout: reason)
        }
        collector.close()
        let left = collector.discardBuffered(reason: .shutdownDeadline)
        if left > 0 {
            logger.warning("shutdown deadline passed; records dropped", metadata: ["records": "\(left)"])
        }
        await exporter.shutdown()
    }
}
