/// How a ``Collector`` is built. Every field has a default; nothing here does I/O.
public struct CollectorConfiguration: Sendable {
    /// Names the collector in statistics, logs and callbacks.
    public var name: String
    /// Records it can hold; fixed for its lifetime. Must be at least 1.
    /// Size it with `tracez size`: spans per second x export interval x 2.
    public var capacity: Int
    public var overflow: OverflowPolicy
    /// Which finished spans it keeps; `nil` keeps all of them.
    public var filter: CollectorFilter?
    public var fillThresholds: FillThresholds
    /// Called when the fill level crosses a threshold, up or down, on the
    /// thread that recorded or drained. Keep it short and never block in it.
    public var onFillLevelChange: (@Sendable (FillLevelChange) -> Void)?

    public init(
        name: String = "default",
        capacity: Int = 2048,
        overflow: OverflowPolicy = .dropNewest,
        filter: CollectorFilter? = nil,
        fillThresholds: FillThresholds = FillThresholds(),
        onFillLevelChange: (@Sendable (FillLevelChange) -> Void)? = nil
    ) {
        self.name = name
        self.capacity = capacity
        self.overflow = overflow
        self.filter = filter
        self.fillThresholds = fillThresholds
        self.onFillLevelChange = onFillLevelChange
    }
}
