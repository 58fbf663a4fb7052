/// Lowercase hexadecimal digits: the one table behind ids, `traceparent` and JSON escapes.
package enum Hex {
    /// `0123456789abcdef` as ASCII bytes.
    package static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The `count` low nibbles of `value`, most significant first, as ASCII digits.
    @inline(__always)
    package static func append(_ value: UInt64, nibbles count: Int = 16, to bytes: inout [UInt8]) {
        for index in stride(from: count - 1, through: 0, by: -1) {
            bytes.append(digits[Int(truncatingIfNeeded: (value >> UInt64(4 * index)) & 0xF)])
        }
    }

    /// The 16 hex digits of `value` as a string.
    package static func string(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            var v = value
            for index in stride(from: 15, through: 0, by: -1) {
                buffer[index] = digits[Int(v & 0xF)]
                v >>= 4
            }
            return 16
        }
    }

    /// The value of hex digits of either case; `nil` if any is not one.
    package static func parse<C: Collection>(_ digits: C) -> UInt64? where C.Element == UInt8 {
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
}
