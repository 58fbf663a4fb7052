/// What ``SpanLimits`` cut from the spans a collector recorded, summed: the span-level
/// counts of every ``SpanRecord`` it was offered.
///
/// These spans were recorded and are counted in ``CollectorStatistics`` as usual; these
/// counts say what they lost on the way in.
public struct SpanLimitCounts: Sendable, Hashable {
    /// Attributes dropped: past ``SpanLimits/maxAttributes`` (or per event and link), or with a blank key.
    public var droppedAttributes = 0
    /// Events past ``SpanLimits/maxEvents``.
    public var droppedEvents = 0
    /// Links past ``SpanLimits/maxLinks``, or to a context without a span.
    public var droppedLinks = 0
    /// Strings cut: values, status messages, names and keys.
    public var truncatedValues = 0

    public init(droppedAttributes: Int = 0, droppedEvents: Int = 0, droppedLinks: Int = 0, truncatedValues: Int = 0) {
        self.droppedAttributes = droppedAttributes
        self.droppedEvents = droppedEvents
        self.droppedLinks = droppedLinks
        self.truncatedValues = truncatedValues
    }

    /// Whether nothing was cut.
    public var isZero: Bool { droppedAttributes == 0 && droppedEvents == 0 && droppedLinks == 0 && truncatedValues == 0 }

    static func += (lhs: inout SpanLimitCounts, rhs: SpanLimitCounts) {
        lhs = lhs + rhs
    }

    public static func + (lhs: SpanLimitCounts, rhs: SpanLimitCounts) -> SpanLimitCounts {
        SpanLimitCounts(
            droppedAttributes: lhs.droppedAttributes + rhs.droppedAttributes,
            droppedEvents: lhs.droppedEvents + rhs.droppedEvents,
            droppedLinks: lhs.droppedLinks + rhs.droppedLinks,
            truncatedValues: lhs.truncatedValues + rhs.truncatedValues
        )
    }
}

extension SpanLimitCounts: CustomStringConvertible {
    /// `droppedAttributes=2 truncatedValues=1`: the counts that are not zero.
    public var description: String {
        [
            ("droppedAttributes", droppedAttributes), ("droppedEvents", droppedEvents),
            ("droppedLinks", droppedLinks), ("truncatedValues", truncatedValues),
        ].filter { $0.1 > 0 }.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }
}
