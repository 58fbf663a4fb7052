/// Why a span record did not reach a backend. Every such record is counted under exactly one reason.
public enum DropReason: String, Sendable, Hashable, CaseIterable {
    /// The collector was full and its policy is ``OverflowPolicy/dropNewest``
    /// (or ``OverflowPolicy/block(timeout:)`` timed out).
    case bufferFull
    /// The collector was full and its policy, ``OverflowPolicy/overwriteOldest``, overwrote this older record.
    case overwritten
    /// The exporter failed and the batch was given up.
    case exportFailed
    /// The circuit breaker was open.
    case circuitOpen
    /// Shutdown's deadline passed before the record was sent, or it was recorded after shutdown.
    case shutdownDeadline
    /// The backend answered that it will not take the record (a permanent 4xx, or a per-item rejection).
    case rejectedByBackend
    /// The record alone, already cut to the span limits, is larger than one request to the
    /// backend may be: it was never sent, since the backend could only refuse it.
    case tooLarge
}

/// A count for each ``DropReason``.
public struct DropCounts: Sendable, Hashable {
    private var counts: [Int] = Array(repeating: 0, count: DropReason.allCases.count)

    public init() {}

    public subscript(reason: DropReason) -> Int {
        get { counts[reason.index] }
        set { counts[reason.index] = newValue }
    }

    /// All reasons summed.
    public var total: Int { counts.reduce(0, +) }

    public static func + (lhs: DropCounts, rhs: DropCounts) -> DropCounts {
        var sum = lhs
        for reason in DropReason.allCases { sum[reason] += rhs[reason] }
        return sum
    }
}

extension DropCounts: CustomStringConvertible {
    public var description: String {
        DropReason.allCases.filter { self[$0] > 0 }.map { "\($0.rawValue)=\(self[$0])" }.joined(separator: " ")
    }
}

extension DropReason {
    fileprivate var index: Int {
        switch self {
        case .bufferFull: 0
        case .overwritten: 1
        case .exportFailed: 2
        case .circuitOpen: 3
        case .shutdownDeadline: 4
        case .rejectedByBackend: 5
        case .tooLarge: 6
        }
    }
}
