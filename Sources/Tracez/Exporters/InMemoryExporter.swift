import Synchronization

/// Keeps every exported span record in memory, for tests and debugging.
///
/// Safe to call from any task or thread. Memory grows with every batch:
/// call ``reset()`` between tests, and never use it in production.
public final class InMemoryExporter: Exporter {
    private let state = SanitizedMutex<State>(State())

    private struct State {
        var records: [SpanRecord] = []
        var batchCount = 0
        var isShutDown = false
    }

    public init() {}

    public func export(_ batch: [SpanRecord]) async throws {
        state.withLock { state in
            state.records.append(contentsOf: batch)
            state.batchCount += 1
        }
    }

    public func shutdown() async {
        state.withLock { $0.isShutDown = true }
    }

    /// Every record exported so far, in export order.
    public var records: [SpanRecord] { state.withLock { $0.records } }

    /// How many batches have been exported.
    public var batchCount: Int { state.withLock { $0.batchCount } }

    /// Whether ``shutdown()`` was called.
    public var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// Forgets the records and batches exported so far.
    public func reset() {
        state.withLock { state in
            state.records = []
            state.batchCount = 0
        }
    }
}
