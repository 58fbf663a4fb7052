import Synchronization

/// The queue of requests to an ``ExportPipeline``'s loop: timer ticks, "a batch is ready",
/// flushes and shutdown, served one at a time by the loop in `ExportPipeline+Loop.swift`.
///
/// Thread-safety: ``post(_:)`` and ``close()`` may be called from any task or thread, and
/// never block; one task (the pipeline's loop) reads ``messages``. Bounded without a limit of
/// its own: a tick or a "batch ready" is not posted while one of its kind waits unread (one
/// round serves both, and a round may last a while when a batch waits for its retry), and
/// flushes and shutdowns come from callers, each waiting for its own or rare.
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
    private let unread = UnreadMessages()

    /// Whether a tick, and a "batch ready", wait unread.
    private final class UnreadMessages: Sendable {
        let tick = Atomic<Bool>(false)
        let batchReady = Atomic<Bool>(false)
    }

    init() {
        (messages, input) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .unbounded)
    }

    func post(_ message: Message) {
        switch message {
        case .tick: if unread.tick.exchange(true, ordering: .acquiringAndReleasing) { return }
        case .batchReady: if unread.batchReady.exchange(true, ordering: .acquiringAndReleasing) { return }
        case .flush, .shutdown: break
        }
        input.yield(message)
    }

    /// Notes that the loop read `message`: the next one of its kind is posted again.
    func read(_ message: Message) {
        switch message {
        case .tick: unread.tick.store(false, ordering: .releasing)
        case .batchReady: unread.batchReady.store(false, ordering: .releasing)
        case .flush, .shutdown: break
        }
    }

    /// Ends the stream: later posts are dropped, and the reader sees the end once it has
    /// read what was posted before.
    func close() {
        input.finish()
    }
}
