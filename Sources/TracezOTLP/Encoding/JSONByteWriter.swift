/// Writes JSON as UTF-8 bytes, for ``OTLPJSONEncoder``: punctuation, escaped strings,
/// integers, doubles and hex ids, appended to one array.
///
/// Tracez's `JSONWriter` (the stdout exporter's) builds a `String` scalar by scalar and
/// through closures; for OTLP/JSON that cost about 20 µs per span of the benchmark's
/// 4 attributes and an event (see the comment on ``OTLPProtobufEncoder``). This one
/// copies runs of bytes that need no escape at once and formats numbers without a `String`.
///
/// Strings are escaped per RFC 8259: `"`, `\` and the control characters below U+0020
/// (as `\n`, `\r`, `\t` or `\u00XX`); everything else, non-ASCII included, is copied as
/// UTF-8, which Swift strings always are. Not thread-safe: a value owned by one encode call.
struct JSONByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// ASCII punctuation and member names, as written (no escaping).
    @inline(__always)
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Bytes already JSON.
    mutating func append(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    @inline(__always)
    mutating func byte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// `value` in double quotes, escaped.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                escape(byte)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
        default:
            raw("u00")
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0xF)])
        }
    }

    /// A decimal integer, unquoted.
    mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        unsigned(value.magnitude)
    }

    /// A decimal integer, unquoted.
    mutating func unsigned(_ value: UInt64) {
        // At most 20 digits, written backwards into a small buffer.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var value = value
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
                value /= 10
            } while value != 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// A 64-bit integer as proto3 JSON writes it: a decimal string.
    mutating func quoted(_ value: Int64) {
        bytes.append(UInt8(ascii: "\""))
        integer(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// An unsigned 64-bit integer (a time) as a decimal string.
    mutating func quoted(_ value: UInt64) {
        bytes.append(UInt8(ascii: "\""))
        unsigned(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A double as proto3 JSON writes it: finite values as numbers (the shortest text that
    /// reads back to the same double), the others as the strings its parsers read.
    mutating func double(_ value: Double) {
        if value.isNaN {
            raw("\"NaN\"")
        } else if value.isInfinite {
            value > 0 ? raw("\"Infinity\"") : raw("\"-Infinity\"")
        } else {
            var text = value.description  // "0.25", "1e-05", "-0.0": all JSON numbers
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }
    }

    mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    /// `"…"` with the 16 lowercase hex digits of `value`, most significant first (a span id).
    mutating func hexID(_ value: UInt64) {
        bytes.append(UInt8(ascii: "\""))
        hex(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"…"` with the 32 lowercase hex digits of a trace id.
    mutating func hexID(high: UInt64, low: UInt64) {
        bytes.append(UInt8(ascii: "\""))
        hex(high)
        hex(low)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func hex(_ value: UInt64) {
        for shift in stride(from: 60, through: 0, by: -4) {
            bytes.append(Self.hexDigits[Int(truncatingIfNeeded: (value >> UInt64(shift)) & 0xF)])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
