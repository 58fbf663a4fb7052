import Foundation
import Tracez

/// A JSON value: what input, output and metadata become before they leave the process,
/// and what a redaction hook (``LangfuseConfiguration/mask``) sees and returns.
public indirect enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
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
        case .number(let number): try container.encode(number.isFinite ? number : 0)  // JSON has no NaN
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }

    /// Any `Encodable` as a JSON value, through Foundation's `JSONEncoder`.
    /// NaN and infinities become strings rather than failing the whole value.
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let data = try encoder.encode(value)
        // JSONEncoder's output is JSON; only nesting deeper than the parser follows needs JSONDecoder.
        self = try JSONParser.parse(String(decoding: data, as: UTF8.self)) ?? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Compact JSON text with sorted keys.
    ///
    /// Written by hand (Tracez's `JSONWriter`) rather than with `JSONEncoder`: benchmark
    /// "Langfuse ingestion JSON encode, generation (per event)" spent most of its time creating
    /// encoders. Whole numbers up to 2^53 are written without a fraction (`120`, not `120.0`),
    /// as Langfuse's integer fields need; NaN and infinities, which JSON cannot hold, as 0.
    public var jsonText: String {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.text
    }

    private func write(to writer: inout JSONWriter) {
        switch self {
        case .null:
            writer.raw("null")
        case .bool(let bool):
            writer.bool(bool)
        case .number(let number):
            if !number.isFinite {
                writer.raw("0")
            } else if number == number.rounded(), abs(number) <= 9_007_199_254_740_992 {
                writer.number(Int64(number))
            } else {
                writer.number(number)
            }
        case .string(let string):
            writer.string(string)
        case .array(let values):
            writer.array(values) { writer, value in value.write(to: &writer) }
        case .object(let fields):
            writer.object { writer in
                for key in fields.keys.sorted() {
                    writer.member(key) { writer in fields[key]!.write(to: &writer) }
                }
            }
        }
    }
}
