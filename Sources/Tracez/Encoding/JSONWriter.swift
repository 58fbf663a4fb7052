import Tracing

/// Writes JSON as UTF-8 bytes, for every exporter that sends JSON (the stdout exporter's
/// JSON Lines among them).
///
/// Two layers: primitives that append punctuation, escaped strings, numbers and hex ids
/// (for encoders that write member by member), and ``object(_:)``,
/// ``member(_:_:)`` and ``array(_:_:)``, which place the commas for code that reads better
/// nested.
///
/// Bytes rather than a `String`, and strings copied in runs between escapes rather than
/// scalar by scalar: building a `String` scalar by scalar cost about 20 µs per span in the
/// JSON encode benchmarks of `Benchmarks/Benchmarks/TracezBenchmarks/EncodingBenchmarks.swift`
/// (2 µs now for a span with 4 attributes and an event).
///
/// Never fails: strings are escaped per RFC 8259 (`"`, `\` and the control characters
/// below U+0020, as `\n`, `\r`, `\t` or `\u00XX`); everything else, non-ASCII included,
/// is copied as UTF-8, which Swift strings always are. Not thread-safe: a value owned by
/// the one call that writes.
package struct JSONWriter {
    package private(set) var bytes: [UInt8] = []
    private var needsComma = false

    package init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// What has been written, as text.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// ASCII punctuation and member names, as written (no escaping).
    @inline(__always)
    package mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Bytes already JSON.
    package mutating func append(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    @inline(__always)
    package mutating func byte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// `value` in double quotes, escaped.
    package mutating func string(_ value: String) {
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
            Hex.append(UInt64(byte), nibbles: 2, to: &bytes)
        }
    }

    /// A decimal integer, unquoted.
    package mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        unsigned(value.magnitude)
    }

    /// A decimal integer, unquoted.
    package mutating func unsigned(_ value: UInt64) {
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
    package mutating func quoted(_ value: Int64) {
        bytes.append(UInt8(ascii: "\""))
        integer(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// An unsigned 64-bit integer (a time) as a decimal string.
    package mutating func quoted(_ value: UInt64) {
        bytes.append(UInt8(ascii: "\""))
        unsigned(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A double: finite values as numbers (the shortest text that reads back to the same
    /// double), NaN and infinities, which JSON numbers cannot hold, as the strings `"NaN"`,
    /// `"Infinity"` and `"-Infinity"`, as proto3 JSON writes them. Tracez's one rule for
    /// non-finite numbers in JSON: every JSON encoding in the package writes them so.
    package mutating func double(_ value: Double) {
        if value.isNaN {
            raw("\"NaN\"")
        } else if value.isInfinite {
            value > 0 ? raw("\"Infinity\"") : raw("\"-Infinity\"")
        } else {
            appendDescription(of: value)
        }
    }

    package mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    /// `"…"` with the 16 lowercase hex digits of `value`, most significant first (a span id).
    package mutating func hexID(_ value: UInt64) {
        bytes.append(UInt8(ascii: "\""))
        hex(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"…"` with the 32 lowercase hex digits of a trace id.
    package mutating func hexID(high: UInt64, low: UInt64) {
        bytes.append(UInt8(ascii: "\""))
        hex(high)
        hex(low)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func hex(_ value: UInt64) {
        Hex.append(value, to: &bytes)
    }

    /// `value.description`: the shortest text that reads back as the same double
    /// ("0.25", "1e-05", "-0.0"), a JSON number when finite.
    private mutating func appendDescription(of value: Double) {
        var text = value.description
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// The same as ``double(_:)``.
    package mutating func number(_ value: Double) {
        double(value)
    }

    package mutating func number(_ value: some BinaryInteger) {
        if value < 0 { integer(Int64(value)) } else { unsigned(UInt64(value)) }
    }

    /// `{"k":v,...}`: `body` writes the members with ``member(_:_:)``.
    package mutating func object(_ body: (inout JSONWriter) -> Void) {
        let outer = needsComma  // an object inside a member's value has its own commas
        needsComma = false
        byte(UInt8(ascii: "{"))
        body(&self)
        byte(UInt8(ascii: "}"))
        needsComma = outer
    }

    /// One `"key":value` member of the object being written.
    package mutating func member(_ key: String, _ value: (inout JSONWriter) -> Void) {
        if needsComma { byte(UInt8(ascii: ",")) }
        string(key)
        byte(UInt8(ascii: ":"))
        value(&self)
        needsComma = true
    }

    package mutating func array<S: Sequence>(_ elements: S, _ element: (inout JSONWriter, S.Element) -> Void) {
        byte(UInt8(ascii: "["))
        var first = true
        for item in elements {
            if !first { byte(UInt8(ascii: ",")) }
            first = false
            element(&self, item)
        }
        byte(UInt8(ascii: "]"))
    }

    /// `maxTextBytes` caps the text of `stringConvertible` values, formatted here, once.
    package mutating func attribute(_ value: SpanAttribute, maxTextBytes: Int = .max) {
        switch value {
        case .int32(let v): number(v)
        case .int64(let v): number(v)
        case .double(let v): number(v)
        case .bool(let v): bool(v)
        case .string(let v): string(v)
        case .int32Array(let v): array(v) { $0.number($1) }
        case .int64Array(let v): array(v) { $0.number($1) }
        case .doubleArray(let v): array(v) { $0.number($1) }
        case .boolArray(let v): array(v) { $0.bool($1) }
        case .stringArray(let v): array(v) { $0.string($1) }
        case .stringConvertible(let v): string(SpanLimits.exportText(v, maxBytes: maxTextBytes))
        case .stringConvertibleArray(let v): array(v) { $0.string(SpanLimits.exportText($1, maxBytes: maxTextBytes)) }
        default: raw("null")
        }
    }

    package mutating func attributes(_ attributes: some AttributeWalk, maxTextBytes: Int = .max) {
        object { object in
            // In order of key: the same output in every process, for people and diffs.
            attributes.forEachSortedByKey { key, value in object.member(key) { $0.attribute(value, maxTextBytes: maxTextBytes) } }
        }
    }
}
