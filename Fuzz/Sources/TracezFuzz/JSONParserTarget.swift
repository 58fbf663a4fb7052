@testable import TracezLangfuse

/// Parses any bytes with Tracez's own JSON reader (`JSONParser`, internal); what it accepts
/// must be written back (`jsonText`) as text it accepts again, with the same value unless a
/// number overflowed to infinity (written as 0, since JSON has no infinities).
func fuzzJSONParser(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let value = JSONParser.parse(text) else { return }
    let written = value.jsonText
    guard let again = JSONParser.parse(written) else {
        preconditionFailure("JSONParser accepted \(text.debugDescription) but not its own jsonText \(written.debugDescription)")
    }
    precondition(
        !value.isFinite || again.isSameNumber(as: value),
        "\(text.debugDescription) written as \(written.debugDescription) reads back as another value"
    )
}

extension JSONValue {
    /// Equal, where a whole `.number` and the `.integer` of the same value count as one: `jsonText`
    /// writes a whole double as an integer, which reads back as `.integer`. (Recursive, but the
    /// parser refuses nesting past 512.)
    fileprivate func isSameNumber(as other: JSONValue) -> Bool {
        switch (self, other) {
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): return Double(a) == b
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.isSameNumber(as: $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.isSameNumber(as: $0) } ?? false }
        default: return self == other
        }
    }

    /// No number in it is NaN or infinite.
    fileprivate var isFinite: Bool {
        switch self {
        case .null, .bool, .string, .integer: true
        case .number(let number): number.isFinite
        case .array(let values): values.allSatisfy(\.isFinite)
        case .object(let fields): fields.values.allSatisfy(\.isFinite)
        }
    }
}
