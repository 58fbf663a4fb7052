import Foundation
import Tracez

/// A JSON value: what input, output and metadata become before they leave the process,
/// and what a redaction hook (``LangfuseConfiguration/mask``) sees and returns.
///
/// Integers are kept apart from other numbers (``integer(_:)``), so that a count such as a
/// token usage of `Int64.max` reaches the backend as the integer it is, not as a rounded
/// `9.223372036854776e+18`.
public indirect enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    /// A whole number that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let integer): try container.encode(integer)
        case .number(let number):
            // JSON numbers cannot hold NaN and infinities: strings, as everywhere in Tracez.
            if number.isFinite {
                try container.encode(number)
            } else {
                try container.encode(number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity")
            }
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }

    /// Containers nested at most, by default, in a value the typed API sends: deeper values
    /// become a marker (``LangfuseConfiguration/maxValueDepth``).
    public static let defaultMaxDepth = 128

    /// Any `Encodable` as a JSON value.
    ///
    /// Dates become ISO-8601 text, NaN and infinities the strings `"NaN"`, `"Infinity"` and
    /// `"-Infinity"`. A value with containers nested deeper than `maxDepth` throws instead of
    /// being followed, so no input can exhaust the stack.
    public init(encoding value: some Encodable, maxDepth: Int = JSONValue.defaultMaxDepth) throws {
        self = try JSONValueEncoder(maxDepth: maxDepth).encode(value)
    }

    /// Whether containers nest more than `limit` deep in this value. Walks the value with a
    /// stack of its own, not the call stack, so it is safe on any value.
    public func isNested(deeperThan limit: Int) -> Bool {
        var stack: [(value: JSONValue, depth: Int)] = [(self, 0)]
        while let (value, depth) = stack.popLast() {
            switch value {
            case .array(let values):
                guard depth + 1 <= limit else { return true }
                for value in values { stack.append((value, depth + 1)) }
            case .object(let fields):
                guard depth + 1 <= limit else { return true }
                for value in fields.values { stack.append((value, depth + 1)) }
            default:
                continue
            }
        }
        return false
    }

    /// Lets go of `value` one level at a time. Swift releases an enum's nested payloads
    /// recursively, one stack frame per level, so the last reference to a value deeper than
    /// any limit must be dropped this way. Each value taken off the stack is released while
    /// its children are still held by the stack, so no release goes deeper than one level.
    static func releaseIteratively(_ value: consuming JSONValue) {
        var stack: [JSONValue] = [value]
        while let next = stack.popLast() {
            switch next {
            case .array(let values): stack.append(contentsOf: values)
            case .object(let fields): stack.append(contentsOf: fields.values)
            default: break
            }
        }
    }

    /// Compact JSON text with sorted keys.
    ///
    /// Written by hand (Tracez's `JSONWriter`) rather than with `JSONEncoder`: benchmark
    /// "Langfuse ingestion JSON encode, generation (per event)" spent most of its time creating
    /// encoders. Whole numbers up to 2^53 are written without a fraction (`120`, not `120.0`),
    /// as Langfuse's integer fields need; NaN and infinities, which JSON cannot hold, as 0.
    /// Walks the value with a stack of its own, so any depth is safe.
    public var jsonText: String {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.text
    }

    /// A number as ``jsonText`` writes it: a whole number up to 2^53 without a fraction, as
    /// Langfuse's integer fields need; NaN and infinities as `JSONWriter` writes them.
    static func write(number: Double, to writer: inout JSONWriter) {
        if !number.isFinite {
            writer.double(number)  // "NaN", "Infinity", "-Infinity"
        } else if number == number.rounded(), abs(number) <= 9_007_199_254_740_992 {
            writer.number(Int64(number))
        } else {
            writer.number(number)
        }
    }

    /// What is left to write: a value, or the punctuation and keys between values.
    private enum Step {
        case value(JSONValue)
        case byte(UInt8)
        case key(String, first: Bool)
    }

    func write(to writer: inout JSONWriter) {
        var steps: [Step] = [.value(self)]
        while let step = steps.popLast() {
            switch step {
            case .byte(let byte):
                writer.byte(byte)
            case .key(let key, let first):
                if !first { writer.byte(UInt8(ascii: ",")) }
                writer.string(key)
                writer.byte(UInt8(ascii: ":"))
            case .value(.null):
                writer.raw("null")
            case .value(.bool(let bool)):
                writer.bool(bool)
            case .value(.integer(let integer)):
                writer.number(integer)
            case .value(.number(let number)):
                Self.write(number: number, to: &writer)
            case .value(.string(let string)):
                writer.string(string)
            case .value(.array(let values)):
                writer.byte(UInt8(ascii: "["))
                steps.append(.byte(UInt8(ascii: "]")))
                // Pushed last to first, so they come off the stack in order.
                for (index, value) in values.enumerated().reversed() {
                    steps.append(.value(value))
                    if index > 0 { steps.append(.byte(UInt8(ascii: ","))) }
                }
            case .value(.object(let fields)):
                writer.byte(UInt8(ascii: "{"))
                steps.append(.byte(UInt8(ascii: "}")))
                let keys = fields.keys.sorted()
                for (index, key) in keys.enumerated().reversed() {
                    steps.append(.value(fields[key]!))
                    steps.append(.key(key, first: index == 0))
                }
            }
        }
    }
}
