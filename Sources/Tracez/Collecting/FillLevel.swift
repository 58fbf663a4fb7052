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
/// Whatever is assigned, the values read back are clamped to 1...100 and in
/// order (warning <= critical <= overflow), and the collector uses those.
public struct FillThresholds: Sendable, Hashable {
    private var warning: Int
    private var critical: Int
    private var overflow: Int

    public init(warningPercent: Int = 70, criticalPercent: Int = 90, overflowPercent: Int = 100) {
        warning = warningPercent
        critical = criticalPercent
        overflow = overflowPercent
    }

    /// Default 70.
    public var warningPercent: Int {
        get { min(max(warning, 1), 100) }
        set { warning = newValue }
    }

    /// Default 90; never below ``warningPercent``.
    public var criticalPercent: Int {
        get { min(max(critical, warningPercent), 100) }
        set { critical = newValue }
    }

    /// Default 100 (full); never below ``criticalPercent``.
    public var overflowPercent: Int {
        get { min(max(overflow, criticalPercent), 100) }
        set { overflow = newValue }
    }

    public static func == (lhs: FillThresholds, rhs: FillThresholds) -> Bool {
        (lhs.warningPercent, lhs.criticalPercent, lhs.overflowPercent)
            == (rhs.warningPercent, rhs.criticalPercent, rhs.overflowPercent)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(warningPercent)
        hasher.combine(criticalPercent)
        hasher.combine(overflowPercent)
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
