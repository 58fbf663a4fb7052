/// A 16-byte W3C trace id, printed as 32 lowercase hex digits.
///
/// A valid trace id is never all zero; ``TraceID/random()`` never returns one,
/// and parsing rejects one. Exporters send the value as it is: a backend's id for
/// the trace is this value.
public struct TraceID: Hashable, Sendable, Comparable {
    /// The first eight bytes, big-endian.
    public let high: UInt64
    /// The last eight bytes, big-endian. The ratio sampler reads its randomness here.
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Whether the id is usable: W3C forbids the all-zero trace id.
    public var isValid: Bool { high != 0 || low != 0 }

    /// A new random trace id from the calling thread's generator.
    ///
    /// - Complexity: O(1); no lock, no system call after the thread's first id.
    @inlinable
    public static func random() -> TraceID {
        var id: TraceID
        repeat {
            id = TraceID(high: IDGenerator.next(), low: IDGenerator.next())
        } while !id.isValid
        return id
    }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(16)
        appendBigEndian(high, to: &result)
        appendBigEndian(low, to: &result)
        return result
    }

    /// Parses 32 hex digits (either case). Returns `nil` for any other input or the all-zero id.
    public init?<S: StringProtocol>(hexString: S) {
        let utf8 = Array(hexString.utf8)
        guard utf8.count == 32,
            let high = Hex.parse(utf8[0..<16]),
            let low = Hex.parse(utf8[16..<32])
        else { return nil }
        self.init(high: high, low: low)
        guard isValid else { return nil }
    }

    /// 32 lowercase hex digits.
    public var hexString: String { Hex.string(high) + Hex.string(low) }

    public static func < (lhs: TraceID, rhs: TraceID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

extension TraceID: CustomStringConvertible {
    public var description: String { hexString }
}

// MARK: - Helpers shared by the id types

func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
    for shift in stride(from: 56, through: 0, by: -8) {
        bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
    }
}
