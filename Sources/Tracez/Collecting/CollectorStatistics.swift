/// A consistent snapshot of a ``Collector``'s counters, taken under its lock.
///
/// The counters obey the drop-accounting invariant at every instant:
/// `recorded == exported + dropped.total + pending`.
public struct CollectorStatistics: Sendable, Hashable {
    public let name: String
    /// Records offered to the collector (after its filter accepted them).
    public let recorded: Int
    /// Records an exporter has confirmed as sent.
    public let exported: Int
    /// Records given up, by reason.
    public let dropped: DropCounts
    /// Records waiting in the collector.
    public let buffered: Int
    /// Records drained and handed to an export that has not finished yet.
    public let inFlight: Int
    /// Records whose ``Collector/record(_:)`` call is still waiting for room
    /// (``OverflowPolicy/block(timeout:)`` only).
    public let waiting: Int
    public let capacity: Int
    /// What the span limits cut from the recorded spans (they are still recorded).
    public let spanLimits: SpanLimitCounts

    /// Neither exported nor dropped yet: waiting, buffered or in flight.
    public var pending: Int { waiting + buffered + inFlight }

    /// Whether `recorded == exported + dropped + pending`. Always true; tests check it.
    public var isBalanced: Bool { recorded == exported + dropped.total + pending }

    public init(
        name: String,
        recorded: Int,
        exported: Int,
        dropped: DropCounts,
        buffered: Int,
        inFlight: Int,
        waiting: Int = 0,
        capacity: Int,
        spanLimits: SpanLimitCounts = SpanLimitCounts()
    ) {
        self.name = name
        self.recorded = recorded
        self.exported = exported
        self.dropped = dropped
        self.buffered = buffered
        self.inFlight = inFlight
        self.waiting = waiting
        self.capacity = capacity
        self.spanLimits = spanLimits
    }
}

extension CollectorStatistics: CustomStringConvertible {
    /// `recorded=<n> exported=<n> dropped=<n>`, the form `tracez demo` prints.
    public var description: String {
        "recorded=\(recorded) exported=\(exported) dropped=\(dropped.total)"
    }
}

extension CollectorStatistics {
    /// Sums several collectors' counters; the sum keeps the invariant.
    public init(combining all: [CollectorStatistics], name: String = "all") {
        self.init(
            name: name,
            recorded: all.reduce(0) { $0 + $1.recorded },
            exported: all.reduce(0) { $0 + $1.exported },
            dropped: all.reduce(DropCounts()) { $0 + $1.dropped },
            buffered: all.reduce(0) { $0 + $1.buffered },
            inFlight: all.reduce(0) { $0 + $1.inFlight },
            waiting: all.reduce(0) { $0 + $1.waiting },
            capacity: all.reduce(0) { $0 + $1.capacity },
            spanLimits: all.reduce(SpanLimitCounts()) { $0 + $1.spanLimits }
        )
    }
}
