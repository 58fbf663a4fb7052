/// How full a ``Collector`` is, in the bands set by ``FillThresholds``.
public enum FillLevel: Int, Sendable, Hashable, Comparable, CaseIterable {
    case normal
    case warning
    case critical
    /// At or over the overflow threshold (by default: full).
    case overflow

    public static func < (lhs: FillLevel, rhs: FillLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Fill percentages at which a ``Collector`` reports a new ``FillLevel``.
///
/// Values are clamped to 1...100 and put in order (warning <= critical <= overflow).
public struct FillThresholds: Sendable, Hashable {
    public var warningPercent: Int
    public var criticalPercent: Int
    public var overflowPercent: Int

    public init(warningPercent: Int = 70, criticalPercent: Int = 90, overflowPercent: Int = 100) {
        let warning = min(max(warningPercent, 1), 100)
        let critical = min(max(criticalPercent, warning), 100)
        self.warningPercent = warning
        self.criticalPercent = critical
        self.overflowPercent = min(max(overflowPercent, critical), 100)
    }
}

/// A crossing from one ``FillLevel`` to another, up or down.
public struct FillLevelChange: Sendable, Hashable {
    public let collector: String
    public let from: FillLevel
    public let to: FillLevel
    /// Records held when the level changed.
    public let count: Int
    public let capacity: Int
}
