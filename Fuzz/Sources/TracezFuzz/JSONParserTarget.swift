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
    precondition(!value.isFinite || again == value, "\(text.debugDescription) written as \(written.debugDescription) reads back as another value")
}

extension JSONValue {
    /// No number in it is NaN or infinite.
    fileprivate var isFinite: Bool {
        switch self {
        case .null, .bool, .string: true
        case .number(let number): number.isFinite
        case .array(let values): values.allSatisfy(\.isFinite)
        case .object(let fields): fields.values.allSatisfy(\.isFinite)
        }
    }
}
