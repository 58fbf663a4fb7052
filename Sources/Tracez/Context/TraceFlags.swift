/// The W3C trace flags byte. Only the `sampled` bit is defined today.
public struct TraceFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The caller may have recorded this trace; the W3C `sampled` bit.
    public static let sampled = TraceFlags(rawValue: 0x01)
}
