/// Decides at span start whether a span records and is exported.
///
/// A sampler is a value, not a protocol, so the decision on the hot path is a
/// `switch` rather than a dynamic call. An unsampled span is non-recording:
/// it still carries a span context (children and outgoing requests see the
/// trace), but setting attributes, events or status on it does nothing.
public indirect enum Sampler: Sendable, Hashable {
    /// Every trace.
    case alwaysOn
    /// No trace.
    case alwaysOff
    /// A fixed fraction of traces, decided from the trace id alone, so every
    /// process that sees the same trace id makes the same decision.
    /// Ratios outside 0...1 are clamped; NaN counts as 0.
    case traceIDRatio(Double)
    /// Follows the parent's sampled flag when there is a parent (local or
    /// remote) and asks `root` for new traces. This is the OpenTelemetry default.
    case parentBased(root: Sampler)

    /// The decision for a span of `traceID` whose parent is `parent` (nil for a root span).
    @inlinable
    public func shouldSample(traceID: TraceID, parent: SpanContext?) -> Bool {
        switch self {
        case .alwaysOn:
            return true
        case .alwaysOff:
            return false
        case .traceIDRatio(let ratio):
            return Self.ratioAccepts(traceID: traceID, ratio: ratio)
        case .parentBased(let root):
            if let parent {
                return parent.isSampled
            }
            return root.shouldSample(traceID: traceID, parent: nil)
        }
    }

    /// The W3C level-2 / OpenTelemetry consistent-probability rule: the low 56 bits
    /// of the trace id are its randomness R; sample when R >= (1 - ratio) * 2^56.
    @usableFromInline
    static func ratioAccepts(traceID: TraceID, ratio: Double) -> Bool {
        guard ratio > 0 else { return false }  // also NaN
        guard ratio < 1 else { return true }
        let randomness = traceID.low & 0x00FF_FFFF_FFFF_FFFF
        let threshold = UInt64(((1 - ratio) * 72_057_594_037_927_936).rounded(.up))  // 2^56
        return randomness >= threshold
    }
}
