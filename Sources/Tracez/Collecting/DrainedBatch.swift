/// Records that ``Collector/drain(max:)`` moved out of a collector, with the duty to say what
/// became of them: each batch is settled exactly once.
///
/// Settle it with one of its `consuming` methods: ``markExported()``, ``markDropped(reason:)``
/// or ``requeue(overflow:)``. Because the batch is non-copyable and those methods consume it,
/// the compiler refuses a second settlement, and a copy that could be settled twice cannot
/// exist. A batch that is destroyed unsettled is a bug in its owner: debug builds trap, and
/// release builds count its records as ``DropReason/exportFailed`` so the collector's counters
/// still balance. A batch may also be abandoned: when the collector gives up everything in
/// flight at a shutdown deadline, it counts the batch's records itself, and settling the
/// batch afterwards changes no counter.
///
/// Non-copyable rather than a settle-once reference: the export pipeline keeps the batch on its
/// own task from drain to settlement (the exporter receives a copy of ``records``, an ordinary
/// `[SpanRecord]`), so nothing needs to share it, and a value costs no allocation of its own.
///
/// Ownership: the batch owns its duty to the collector; the records themselves are ordinary
/// values that may be copied out and handed to an exporter.
///
/// - Complexity: settling takes the collector's lock once; ``requeue(overflow:)`` is O(n) in
///   the records put back.
public struct DrainedBatch: ~Copyable, Sendable {
    /// The drained records, oldest first.
    public private(set) var records: [SpanRecord]
    private let collector: Collector
    /// Records not yet settled. Zero once settled, or for an empty batch.
    private var unsettled: Int

    init(records: [SpanRecord], collector: Collector) {
        self.records = records
        self.collector = collector
        self.unsettled = records.count
    }

    /// How many records the batch holds.
    public var count: Int { records.count }

    /// Whether the batch holds no record (an empty batch needs no settling).
    public var isEmpty: Bool { records.isEmpty }

    /// Reports every record as sent.
    public consuming func markExported() {
        collector.markExported(unsettled)
        unsettled = 0
    }

    /// Reports every record as given up, for `reason`.
    public consuming func markDropped(reason: DropReason) {
        collector.markDropped(unsettled, reason: reason)
        unsettled = 0
    }

    /// Puts the records back at the front of the collector, oldest first, so they are drained
    /// again before anything newer (the pipeline does this while its circuit breaker is open).
    /// Records that no longer fit are counted under `overflow`. Returns how many went back.
    @discardableResult
    public consuming func requeue(overflow reason: DropReason = .circuitOpen) -> Int {
        defer { unsettled = 0 }
        return collector.requeue(records, overflow: reason)
    }

    /// Settles part of the batch, as an exporter reported it record by record: `dropped`
    /// records are given up under their reasons, `exported` are sent, and `rest` (records of
    /// this batch) stay unsettled in the batch returned, or `nil` if none is left.
    ///
    /// - Precondition: `dropped.total + exported + rest.count == count`.
    package consuming func settle(dropped: DropCounts, exported: Int, rest: [SpanRecord]) -> DrainedBatch? {
        precondition(dropped.total + exported + rest.count == unsettled, "a partial settlement must cover the batch")
        for reason in DropReason.allCases where dropped[reason] > 0 {
            collector.markDropped(dropped[reason], reason: reason)
        }
        collector.markExported(exported)
        unsettled = 0
        return rest.isEmpty ? nil : DrainedBatch(records: rest, collector: collector)
    }

    /// Takes the records out without settling them: the caller takes over the duty to report
    /// each one with the collector's own accounting methods. For the package's tests of those
    /// methods, and for the export pipeline, which sets a batch aside at shutdown (the records
    /// stay in flight on the collector meanwhile).
    package consuming func takeRecordsUnsettled() -> [SpanRecord] {
        unsettled = 0
        return records
    }

    deinit {
        guard unsettled > 0 else { return }
        assertionFailure("a DrainedBatch of \(unsettled) records was destroyed unsettled")
        // Release builds: keep the counters balanced; the records did not reach the backend.
        collector.markDropped(unsettled, reason: .exportFailed)
    }
}
