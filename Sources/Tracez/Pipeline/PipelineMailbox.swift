/// The queue of requests to an ``ExportPipeline``'s loop: timer ticks, "a batch is ready",
/// flushes and shutdown, served one at a time by the loop in `ExportPipeline+Loop.swift`.
///
/// Thread-safety: ``post(_:)`` and ``close()`` may be called from any task or thread, and
/// never block; one task (the pipeline's loop) reads ``messages``. Unbounded, because a
/// message is tiny and every producer is bounded: one timer, one fill mark, and callers.
struct PipelineMailbox: Sendable {
    enum Message: Sendable {
        /// The export interval has passed.
        case tick
        /// The collector holds a full batch.
        case batchReady
        /// Someone asked for a flush without waiting for it.
        case flush
        /// Shutdown, with its deadline and whoever waits for it to finish (if anyone does).
        case shutdown(ContinuousClock.Instant, CheckedContinuation<Void, Never>?)
    }

    /// What the loop reads, in order.
    let messages: AsyncStream<Message>
    private let input: AsyncStream<Message>.Continuation

    init() {
        (messages, input) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .unbounded)
    }

    func post(_ message: Message) {
        input.yield(message)
    }

    /// Ends the stream: later posts are dropped, and the reader sees the end once it has
    /// read what was posted before.
    func close() {
        input.finish()
    }
}
