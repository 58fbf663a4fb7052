import Synchronization

@testable import Tracez

/// Counts what it receives, taking `delay` per batch: a backend slower than the spans.
final class SlowExporter: Exporter {
    let delay: Duration
    private let received = Atomic<Int>(0)

    init(delay: Duration) { self.delay = delay }

    func export(_ batch: [SpanRecord]) async throws {
        try await Task.sleep(for: delay)
        received.add(batch.count, ordering: .relaxed)
    }

    var receivedCount: Int { received.load(ordering: .relaxed) }
}

/// Fails every export.
final class FailingExporter: Exporter {
    struct Unavailable: Error {}
    private let attempts = Atomic<Int>(0)

    func export(_ batch: [SpanRecord]) async throws {
        attempts.add(1, ordering: .relaxed)
        throw Unavailable()
    }

    var attemptCount: Int { attempts.load(ordering: .relaxed) }
}

/// Never answers and ignores cancellation, like a backend that accepted the
/// connection and went silent. ``release()`` lets the stuck calls go at the end of a test.
final class HangingExporter: Exporter {
    private let stuck = SanitizedMutex<[CheckedContinuation<Void, Never>]>([])

    func export(_ batch: [SpanRecord]) async throws {
        await withCheckedContinuation { continuation in
            stuck.withLock { $0.append(continuation) }
        }
    }

    var stuckCount: Int { stuck.withLock { $0.count } }

    func release() {
        let continuations = stuck.withLock { stuck in
            defer { stuck = [] }
            return stuck
        }
        continuations.forEach { $0.resume() }
    }

    /// Releases every call, those still to come too, until the returned task is cancelled: for
    /// the end of a test that no longer knows how many batches are left.
    func keepReleasing() -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                release()
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
    }
}

/// Passes every batch on to a stream, so a test can wait for the first one.
final class SignallingExporter: Exporter {
    let batches: AsyncStream<[SpanRecord]>
    private let input: AsyncStream<[SpanRecord]>.Continuation

    init() {
        (batches, input) = AsyncStream.makeStream()
    }

    func export(_ batch: [SpanRecord]) async throws {
        input.yield(batch)
    }
}

/// Remembers the most exports it ever saw running at once.
final class ConcurrencyWitnessExporter: Exporter {
    private let state = SanitizedMutex<(running: Int, maximum: Int)>((0, 0))

    func export(_ batch: [SpanRecord]) async throws {
        state.withLock { state in
            state.running += 1
            state.maximum = max(state.maximum, state.running)
        }
        await Task.yield()
        state.withLock { $0.running -= 1 }
    }

    var maximumConcurrentExports: Int { state.withLock { $0.maximum } }
}

/// Waits for the next element, or gives up after `timeout` (a safety net, never an assertion on time).
func next<Element: Sendable>(
    of stream: AsyncStream<Element>,
    within timeout: Duration = .seconds(30)
) async -> Element? {
    let outcome = await withDeadline(.now + timeout) {
        var iterator = stream.makeAsyncIterator()
        return await iterator.next()
    }
    if case .finished(.success(let element)) = outcome { return element }
    return nil
}

/// Answers each call as `respond` says: `respond` gets the call number (1 for the
/// first) and the batch, and throwing fails that call. Remembers every batch it was
/// handed, failed calls included, and the records of the calls that succeeded.
final class ScriptedExporter: Exporter {
    private let respond: @Sendable (_ call: Int, _ batch: [SpanRecord]) throws -> Void
    private let state = SanitizedMutex<(calls: [[SpanRecord]], accepted: [SpanRecord], isShutDown: Bool)>(([], [], false))

    init(_ respond: @escaping @Sendable (_ call: Int, _ batch: [SpanRecord]) throws -> Void) {
        self.respond = respond
    }

    func export(_ batch: [SpanRecord]) async throws {
        let call = state.withLock { state in
            state.calls.append(batch)
            return state.calls.count
        }
        try respond(call, batch)
        state.withLock { $0.accepted.append(contentsOf: batch) }
    }

    func shutdown() async {
        state.withLock { $0.isShutDown = true }
    }

    /// Every batch handed to `export(_:)`, in call order.
    var calls: [[SpanRecord]] { state.withLock { $0.calls } }
    var callCount: Int { state.withLock { $0.calls.count } }
    /// The records of the calls that did not throw, in call order.
    var accepted: [SpanRecord] { state.withLock { $0.accepted } }
    var isShutDown: Bool { state.withLock { $0.isShutDown } }
}

/// A switch a test flips to bring a fake backend back up.
final class BackendSwitch: Sendable {
    private let up = Atomic<Bool>(false)

    var isUp: Bool { up.load(ordering: .acquiring) }

    func bringUp() { up.store(true, ordering: .releasing) }
}
