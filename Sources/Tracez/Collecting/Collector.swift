import Dispatch
import Synchronization

/// A named, fixed-capacity ring of finished spans, drained by its export pipeline.
///
/// Memory is bounded by design: the ring's slots are allocated once, at
/// creation, and a full collector applies its ``OverflowPolicy`` instead of growing.
/// Every record offered to it is accounted for: at any instant
/// `recorded == exported + dropped + pending` (see ``CollectorStatistics``).
///
/// Safe to call from any task or thread. The collector owns the records it
/// holds until ``drain(max:)`` hands them to the caller in a ``DrainedBatch``,
/// which the caller must settle exactly once (the type enforces it).
///
/// - Complexity: ``record(_:)`` is O(1), takes only this collector's lock
///   (never one shared with other collectors or spans), allocates nothing, and
///   never waits on I/O; a full collector counts a drop instead of blocking,
///   unless the policy is ``OverflowPolicy/block(timeout:)``.
public final class Collector: Sendable {
    public let name: String
    public let capacity: Int
    public let overflow: OverflowPolicy
    let filter: CollectorFilter?
    private let onFillLevelChange: (@Sendable (FillLevelChange) -> Void)?
    /// Record counts at which each level starts, precomputed so the hot path only compares integers.
    private let warningCount: Int
    private let criticalCount: Int
    private let overflowCount: Int
    private let state: SanitizedMutex<State>

    private struct State {
        var slots: [SpanRecord?]
        var head = 0  // index of the oldest record
        var count = 0
        var inFlight = 0
        /// `record(_:)` calls waiting for room under the block policy: recorded, not yet kept or dropped.
        var waiting = 0
        /// The sleeping ones among them, to wake when room is made or the collector closes.
        var roomWaiters: [RoomWaiter] = []
        var recorded = 0
        var exported = 0
        var dropped = DropCounts()
        var spanLimits = SpanLimitCounts()
        var level = FillLevel.normal
        var isClosed = false
        var drainMark = Int.max
        var onDrainMark: (@Sendable () -> Void)?
    }

    /// Creates a collector.
    ///
    /// - Throws: ``TracezError/invalidCapacity(collector:capacity:)`` when the capacity is below 1.
    public init(configuration: CollectorConfiguration = CollectorConfiguration()) throws(TracezError) {
        guard configuration.capacity >= 1 else {
            throw .invalidCapacity(collector: configuration.name, capacity: configuration.capacity)
        }
        name = configuration.name
        capacity = configuration.capacity
        overflow = configuration.overflow
        filter = configuration.filter
        onFillLevelChange = configuration.onFillLevelChange
        let thresholds = configuration.fillThresholds
        func count(atPercent percent: Int) -> Int { max(1, (configuration.capacity * percent + 99) / 100) }
        warningCount = count(atPercent: thresholds.warningPercent)
        criticalCount = count(atPercent: thresholds.criticalPercent)
        overflowCount = count(atPercent: thresholds.overflowPercent)
        state = SanitizedMutex(State(slots: Array(repeating: nil, count: configuration.capacity)))
    }

    /// Offers a finished span record. Returns whether the collector kept it
    /// (with ``OverflowPolicy/overwriteOldest`` it always does, at an older record's expense).
    @discardableResult
    public func record(_ record: SpanRecord) -> Bool {
        // Read outside the lock: the record's span has ended, so nothing writes these any more.
        let cuts = record.limitCuts
        var outcome = offer(record, cuts: cuts, waiter: nil)
        if case .wait(let timeout, let waiter) = outcome {
            outcome = waitForRoom(record, waiter: waiter, timeout: timeout)
        }
        notify(outcome)
        return outcome.accepted
    }

    /// Moves up to `max` of the oldest records out to the caller, in a batch that the
    /// caller must settle: exported, dropped with a reason, or requeued.
    ///
    /// - Complexity: O(n) in the records returned; allocates the batch's array.
    public func drain(max: Int) -> DrainedBatch {
        guard max > 0 else { return DrainedBatch(records: [], collector: self) }
        var change: FillLevelChange?
        var woken: [RoomWaiter] = []
        let batch: [SpanRecord] = state.withLock { state in
            let n = Swift.min(max, state.count)
            var batch: [SpanRecord] = []
            batch.reserveCapacity(n)
            for _ in 0..<n {
                if let record = state.slots[state.head].take() {
                    batch.append(record)
                }
                state.head = (state.head + 1) % capacity
            }
            state.count -= n
            state.inFlight += n
            if n > 0 { woken = takeRoomWaiters(&state) }
            change = updateLevel(&state)
            return batch
        }
        woken.forEach { $0.wake() }
        if let change { onFillLevelChange?(change) }
        return DrainedBatch(records: batch, collector: self)
    }

    // MARK: - Accounting, through DrainedBatch and the export pipeline

    /// Reports `count` drained records as sent. Counts beyond what is in flight are ignored.
    package func markExported(_ count: Int) {
        guard count > 0 else { return }
        state.withLock { state in
            let n = Swift.min(count, state.inFlight)
            state.inFlight -= n
            state.exported += n
        }
    }

    /// Reports `count` drained records as given up, for `reason`. Counts beyond what is in flight are ignored.
    package func markDropped(_ count: Int, reason: DropReason) {
        guard count > 0 else { return }
        state.withLock { state in
            let n = Swift.min(count, state.inFlight)
            state.inFlight -= n
            state.dropped[reason] += n
        }
    }

    /// Puts drained records back at the front of the collector, oldest first, so they
    /// are exported before anything newer (the pipeline does this while its circuit
    /// breaker is open). Records that no longer fit are counted under `overflow`.
    /// Returns how many went back.
    @discardableResult
    package func requeue(_ records: [SpanRecord], overflow reason: DropReason = .circuitOpen) -> Int {
        var change: FillLevelChange?
        let requeued: Int = state.withLock { state in
            var requeued = 0
            for record in records.reversed() {
                guard state.inFlight > 0 else { break }  // nothing of ours left to take back
                state.inFlight -= 1
                guard state.count < capacity, !state.isClosed else {
                    state.dropped[reason] += 1
                    continue
                }
                state.head = (state.head - 1 + capacity) % capacity
                state.slots[state.head] = record
                state.count += 1
                requeued += 1
            }
            change = updateLevel(&state)
            return requeued
        }
        if let change { onFillLevelChange?(change) }
        return requeued
    }

    /// Closes the collector and counts everything not yet exported (buffered and in
    /// flight) under `reason`. Export results that arrive later are ignored, so each
    /// record is still counted exactly once. Shutdown calls this when its deadline passes.
    package func abandon(reason: DropReason) {
        let woken = state.withLock { state in
            state.isClosed = true
            state.dropped[reason] += state.inFlight
            state.inFlight = 0
            return takeRoomWaiters(&state)
        }
        woken.forEach { $0.wake() }
        discardBuffered(reason: reason)
    }

    /// Drops everything still buffered, counted under `reason`. Returns how many.
    @discardableResult
    package func discardBuffered(reason: DropReason) -> Int {
        var discarded: [SpanRecord?] = []
        var change: FillLevelChange?
        var woken: [RoomWaiter] = []
        let count: Int = state.withLock { state in
            let n = state.count
            // Swap the slots out so the records are released after the lock is let go.
            discarded = state.slots
            state.slots = Array(repeating: nil, count: capacity)
            state.head = 0
            state.count = 0
            state.dropped[reason] += n
            if n > 0 { woken = takeRoomWaiters(&state) }
            change = updateLevel(&state)
            return n
        }
        woken.forEach { $0.wake() }
        discarded.removeAll()
        if let change { onFillLevelChange?(change) }
        return count
    }

    /// Stops accepting records: later ones are counted as dropped (``DropReason/shutdownDeadline``).
    /// Called by the export pipeline at the end of shutdown.
    package func close() {
        let woken = state.withLock { state in
            state.isClosed = true
            return takeRoomWaiters(&state)
        }
        woken.forEach { $0.wake() }  // they find it closed and count their records as refused
    }

    /// The counters, read together under the lock.
    public var statistics: CollectorStatistics {
        state.withLock { state in
            CollectorStatistics(
                name: name,
                recorded: state.recorded,
                exported: state.exported,
                dropped: state.dropped,
                buffered: state.count,
                inFlight: state.inFlight,
                waiting: state.waiting,
                capacity: capacity,
                spanLimits: state.spanLimits
            )
        }
    }

    /// Records dropped so far for `reason`.
    public func droppedCount(for reason: DropReason) -> Int {
        state.withLock { $0.dropped[reason] }
    }

    /// The current fill level.
    public var fillLevel: FillLevel {
        state.withLock { $0.level }
    }

    /// Asks the collector to call `signal` each time it fills to `mark` records, so
    /// its pipeline can export a full batch before the interval. One pipeline per collector.
    package func onReaching(_ mark: Int, _ signal: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.drainMark = Swift.max(1, Swift.min(mark, capacity))
            state.onDrainMark = signal
        }
    }

    // MARK: - The hot path

    private enum Outcome {
        case accepted(level: FillLevelChange?, drainSignal: (@Sendable () -> Void)?, overwritten: SpanRecord?)
        case rejected(level: FillLevelChange?)
        /// Full, under the block policy: sleep on the waiter (registered already) and offer again.
        case wait(timeout: Duration, waiter: RoomWaiter)

        var accepted: Bool {
            if case .accepted = self { return true }
            return false
        }
    }

    /// Offers `record`; `waiter` is the blocked call's own waiter when it offers again after a wake-up.
    private func offer(_ record: SpanRecord, cuts: SpanLimitCounts = SpanLimitCounts(), waiter: RoomWaiter?) -> Outcome {
        state.withLock { state -> Outcome in
            if waiter != nil {
                state.waiting -= 1  // kept, refused, or (below) waiting again
            } else {
                state.recorded += 1
                if !cuts.isZero { state.spanLimits += cuts }  // most spans lose nothing
            }
            if state.isClosed {
                state.dropped[.shutdownDeadline] += 1
                return .rejected(level: nil)
            }
            if state.count < capacity {
                state.slots[(state.head + state.count) % capacity] = record
                state.count += 1
                let signal = state.count == state.drainMark ? state.onDrainMark : nil
                return .accepted(level: updateLevel(&state), drainSignal: signal, overwritten: nil)
            }
            switch overflow {
            case .dropNewest:
                state.dropped[.bufferFull] += 1
                return .rejected(level: nil)
            case .overwriteOldest:
                // The old record leaves the lock inside the outcome and is released after it.
                let old = state.slots[state.head].take()
                state.slots[state.head] = record
                state.head = (state.head + 1) % capacity
                state.dropped[.overwritten] += 1
                return .accepted(level: nil, drainSignal: nil, overwritten: old)
            case .block(let timeout):
                state.waiting += 1
                // Registered in the same critical section that found no room: a drain that
                // follows will see this waiter, so its wake-up cannot be missed.
                let waiter = waiter ?? RoomWaiter()
                state.roomWaiters.append(waiter)
                return .wait(timeout: timeout, waiter: waiter)
            }
        }
    }

    /// The ``OverflowPolicy/block(timeout:)`` path: sleep until a drain, discard or close
    /// wakes this call, offer again, and after `timeout` count the record as
    /// ``DropReason/bufferFull``. The thread sleeps on a semaphore: no polling.
    private func waitForRoom(_ record: SpanRecord, waiter: RoomWaiter, timeout: Duration) -> Outcome {
        let nanoseconds = Swift.max(0, timeout.nanosecondsClamped)
        let deadline: DispatchTime =
            nanoseconds > Int64(Int.max / 2) ? .distantFuture : .now() + .nanoseconds(Int(nanoseconds))
        while waiter.wait(until: deadline) {
            let outcome = offer(record, waiter: waiter)
            if case .wait = outcome { continue }  // another record took the room: registered again
            return outcome  // kept, or refused (and counted) because the collector closed
        }
        return state.withLock { state in
            state.roomWaiters.removeAll { $0 === waiter }
            state.waiting -= 1
            state.dropped[.bufferFull] += 1
            return .rejected(level: nil)
        }
    }

    /// Hands over every sleeping `record(_:)` call, to be woken once the lock is released.
    private func takeRoomWaiters(_ state: inout State) -> [RoomWaiter] {
        guard !state.roomWaiters.isEmpty else { return [] }
        defer { state.roomWaiters = [] }
        return state.roomWaiters
    }

    private func notify(_ outcome: Outcome) {
        switch outcome {
        case .accepted(let level, let drainSignal, _):
            if let level { onFillLevelChange?(level) }
            drainSignal?()
        case .rejected(let level):
            if let level { onFillLevelChange?(level) }
        case .wait:
            break
        }
    }

    private func updateLevel(_ state: inout State) -> FillLevelChange? {
        let level: FillLevel =
            if state.count >= overflowCount { .overflow } else if state.count >= criticalCount { .critical } else if state.count >= warningCount {
                .warning
            } else { .normal }
        guard level != state.level else { return nil }
        let change = FillLevelChange(collector: name, from: state.level, to: level, count: state.count, capacity: capacity)
        state.level = level
        return change
    }
}
