/// A 16-byte W3C trace id, printed as 32 lowercase hex digits.
///
/// A valid trace id is never all zero; ``TraceID/random()`` never returns one,
/// and parsing rejects one. The value is the Langfuse trace id too.
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
            let high = parseHex64(utf8[0..<16]),
            let low = parseHex64(utf8[16..<32])
        else { return nil }
        self.init(high: high, low: low)
        guard isValid else { return nil }
    }

    /// 32 lowercase hex digits.
    public var hexString: String { hex64(high) + hex64(low) }

    public static func < (lhs: TraceID, rhs: TraceID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

extension TraceID: CustomStringConvertible {
    public var description: String { hexString }
}

// MARK: - Hex helpers shared by the id types

@usableFromInline
func hex64(_ value: UInt64) -> String {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    return String(unsafeUninitializedCapacity: 16) { buffer in
        var v = value
        for index in stride(from: 15, through: 0, by: -1) {
            buffer[index] = digits[Int(v & 0xF)]
            v >>= 4
        }
        return 16
    }
}

func parseHex64<C: Collection>(_ digits: C) -> UInt64? where C.Element == UInt8 {
    var value: UInt64 = 0
    for digit in digits {
        let nibble: UInt8
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
        value = value << 4 | UInt64(nibble)
    }
    return value
}

func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
    for shift in stride(from: 56, through: 0, by: -8) {
        bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
    }
}
