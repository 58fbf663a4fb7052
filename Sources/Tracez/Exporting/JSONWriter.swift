import Tracing

/// Writes JSON text by hand, for the stdout exporter's JSON Lines and OTLP/JSON.
///
/// Never fails: NaN and infinities (which JSON cannot hold) become `null`,
/// and strings are escaped per RFC 8259. Swift strings are valid Unicode
/// already, so no invalid UTF-8 can reach the output.
package struct JSONWriter {
    package private(set) var text = ""
    private var needsComma = false

    package init() {}

    package mutating func raw(_ fragment: String) { text += fragment }

    /// `value` in quotes, with `"`, `\` and control characters escaped.
    ///
    /// Works on the UTF-8 bytes and appends the runs between escapes whole: most strings
    /// have nothing to escape and are appended in one go. Appending scalar by scalar was a
    /// quarter of benchmark "Langfuse ingestion JSON encode, generation (per event)" (perf).
    /// Only ASCII bytes are escaped, so every run ends on a character boundary.
    package mutating func string(_ value: String) {
        text += "\""
        var utf8View = value
        let nothingToEscape = utf8View.withUTF8 { utf8 in
            guard utf8.contains(where: Self.needsEscape) else { return true }
            var runStart = 0
            for index in utf8.indices where Self.needsEscape(utf8[index]) {
                if runStart < index {
                    text += String(decoding: UnsafeBufferPointer(rebasing: utf8[runStart..<index]), as: UTF8.self)
                }
                text += Self.escaped(utf8[index])
                runStart = index + 1
            }
            if runStart < utf8.count {
                text += String(decoding: UnsafeBufferPointer(rebasing: utf8[runStart...]), as: UTF8.self)
            }
            return false
        }
        if nothingToEscape { text += value }
        text += "\""
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func escaped(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\""): return "\\\""
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "\n"): return "\\n"
        case UInt8(ascii: "\r"): return "\\r"
        case UInt8(ascii: "\t"): return "\\t"
        default:
            let hex = String(byte, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }

    package mutating func number(_ value: Double) {
        text += value.isFinite ? "\(value)" : "null"
    }

    package mutating func number(_ value: some BinaryInteger) { text += "\(value)" }

    package mutating func bool(_ value: Bool) { text += value ? "true" : "false" }

    /// `{"k":v,...}`: `body` writes the members with ``member(_:_:)``.
    package mutating func object(_ body: (inout JSONWriter) -> Void) {
        let outer = needsComma  // an object inside a member's value has its own commas
        needsComma = false
        text += "{"
        body(&self)
        text += "}"
        needsComma = outer
    }

    /// One `"key":value` member of the object being written.
    package mutating func member(_ key: String, _ value: (inout JSONWriter) -> Void) {
        if needsComma { text += "," }
        string(key)
        text += ":"
        value(&self)
        needsComma = true
    }

    package mutating func array<S: Sequence>(_ elements: S, _ element: (inout JSONWriter, S.Element) -> Void) {
        text += "["
        var first = true
        for item in elements {
            if !first { text += "," }
            first = false
            element(&self, item)
        }
        text += "]"
    }

    package mutating func attribute(_ value: SpanAttribute) {
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
        case .stringConvertible(let v): string(String(describing: v))
        case .stringConvertibleArray(let v): array(v) { $0.string(String(describing: $1)) }
        default: raw("null")
        }
    }

    package mutating func attributes(_ attributes: SpanAttributes) {
        var pairs: [(String, SpanAttribute)] = []
        attributes.forEach { pairs.append(($0, $1)) }
        pairs.sort { $0.0 < $1.0 }  // stable output for people and diffs
        object { object in
            for (key, value) in pairs { object.member(key) { $0.attribute(value) } }
        }
    }
}
