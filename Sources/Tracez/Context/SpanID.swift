/// An 8-byte W3C span id, printed as 16 lowercase hex digits.
///
/// A valid span id is never all zero. Exporters send the value as it is: a backend's
/// id for the span (or the observation it makes of it) is this value.
public struct SpanID: Hashable, Sendable {
    /// The eight bytes, big-endian.
    public let value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// Whether the id is usable: W3C forbids the all-zero span id.
    public var isValid: Bool { value != 0 }

    /// A new random span id from the calling thread's generator.
    ///
    /// - Complexity: O(1); no lock, no system call after the thread's first id.
    @inlinable
    public static func random() -> SpanID {
        var value: UInt64
        repeat { value = IDGenerator.next() } while value == 0
        return SpanID(value)
    }

    /// The 8 bytes in network order.
    public var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(8)
        appendBigEndian(value, to: &result)
        return result
    }

    /// Parses 16 hex digits (either case). Returns `nil` for any other input or the all-zero id.
    public init?<S: StringProtocol>(hexString: S) {
        let utf8 = Array(hexString.utf8)
        guard utf8.count == 16, let value = Hex.parse(utf8), value != 0 else { return nil }
        self.init(value)
    }

    /// 16 lowercase hex digits.
    public var hexString: String { Hex.string(value) }
}

extension SpanID: CustomStringConvertible {
    public var description: String { hexString }
}
