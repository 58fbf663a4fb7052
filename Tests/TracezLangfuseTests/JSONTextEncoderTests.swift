import Foundation
import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

/// A string coding key, for values that choose their keys as they encode.
private struct TextKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A value whose `encode(to:)` is the closure given: for the orders of calls an `Encoder`
/// allows and synthesized conformances never make.
private struct Script: Encodable {
    let body: (any Encoder) throws -> Void
    func encode(to encoder: any Encoder) throws { try body(encoder) }
}

/// Writes part of an object, then throws: for a value that catches its child's error and goes on.
private struct PartialThenThrows: Encodable {
    struct Failure: Error {}
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TextKey.self)
        try container.encode(1, forKey: TextKey("written"))
        throw Failure()
    }
}

/// An LLM chat request, as an app sends one as a generation's input.
private struct ChatRequest: Encodable {
    struct Message: Encodable {
        let role: String
        let content: String
        let name: String?
        let toolCalls: [ToolCall]?
    }

    struct ToolCall: Encodable {
        let id: String
        let arguments: [String: JSONValue]
    }

    enum Choice: Encodable {
        case auto
        case tool(name: String, strict: Bool?)
    }

    enum Role: String, Encodable {
        case system
        case user
    }

    let model: String
    let messages: [Message]
    let temperature: Double
    let topP: Float
    let maxTokens: Int?
    let stop: [String]
    let seed: UInt64
    let logitBias: [Int: Double]
    let toolChoice: Choice
    let roles: [Role]
    let sent: Date
    let attachment: Data
    let endpoint: URL
    let price: Decimal
}

/// A class hierarchy whose subclasses put the superclass's fields where `Codable` lets them.
private class Animal: Encodable {
    let name: String

    init(name: String) { self.name = name }

    private enum CodingKeys: String, CodingKey { case name }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
    }
}

/// The superclass under `"super"`.
private final class Dog: Animal {
    let breed = "collie"

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TextKey.self)
        try container.encode(breed, forKey: TextKey("breed"))
        try super.encode(to: container.superEncoder())
    }
}

/// The superclass under a key of its own, written before the subclass's fields.
private final class Cat: Animal {
    let lives: UInt8 = 9

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TextKey.self)
        try super.encode(to: container.superEncoder(forKey: TextKey("animal")))
        try container.encode(lives, forKey: TextKey("lives"))
    }
}

/// The superclass in the same object: two keyed containers from one encoder.
private final class Fish: Animal {
    let fins: Int16 = 4

    override func encode(to encoder: any Encoder) throws {
        try super.encode(to: encoder)
        var container = encoder.container(keyedBy: TextKey.self)
        try container.encode(fins, forKey: TextKey("fins"))
    }
}

/// Containers `levels` deep, made while they are encoded: no stored value to build or to
/// release, however deep.
private struct Nest: Encodable {
    enum Shape {
        case array
        case object
        /// Single-value containers: calls nested without containers.
        case single
        /// Nested containers opened in a loop, with no `encode(to:)` per level.
        case loop
    }

    let levels: Int
    let shape: Shape

    func encode(to encoder: any Encoder) throws {
        guard levels > 0 else {
            var container = encoder.singleValueContainer()
            try container.encode("bottom")
            return
        }
        let next = Nest(levels: levels - 1, shape: shape)
        switch shape {
        case .array:
            var container = encoder.unkeyedContainer()
            try container.encode(next)
        case .object:
            var container = encoder.container(keyedBy: TextKey.self)
            try container.encode(next, forKey: TextKey("k"))
        case .single:
            var container = encoder.singleValueContainer()
            try container.encode(next)
        case .loop:
            var container = encoder.unkeyedContainer()
            for _ in 1..<levels { container = container.nestedUnkeyedContainer() }
            try container.encode("bottom")
        }
    }
}

/// A generic wrapper, for a type whose name is long.
private struct WrapsARefusalWithANameLongEnoughThatThreeOfThemMakeTheUnencodableMarkerLongerThan256Bytes<Inner: Encodable>: Encodable {
    let inner: Inner
}

/// A random value written through every kind of container: a key may repeat, a container
/// may be written through the parent's `nestedContainer` instead of an `encode` of its own.
private indirect enum Dynamic: Encodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case double(Double)
    case float(Float)
    case string(String)
    case json(JSONValue)
    case array([Dynamic], nested: Bool)
    case object([(String, Dynamic)], nested: Bool)

    static let keys = ["", "a", "b", "A", "B", "aa", "10", "9", "é", "e\u{301}", "\u{0}", "\"", "key with space", "日本"]
    static let strings = ["", "plain", "quote \" and \\ backslash", "\n\r\t\u{0}\u{1}\u{1F}\u{7F}", "é 日本 🧪", "\u{2028}\u{2029}", "e\u{301}"]
    static let doubles: [Double] = [
        0, -0.0, 1, -1, 0.1, 1.5, 120, 1e-300, 1e300, 9_007_199_254_740_992, 9_007_199_254_740_994, -9_007_199_254_740_992,
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .nan, .infinity, -.infinity,
    ]

    static func random(depth: Int, using generator: inout SplitMix) -> Dynamic {
        let choice = Int.random(in: 0..<(depth < 4 ? 12 : 8), using: &generator)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2:
            let integers: [Int64] = [0, 1, -1, .max, .min, Int64.random(in: .min ... .max, using: &generator)]
            return .integer(integers.randomElement(using: &generator)!)
        case 3:
            let integers: [UInt64] = [0, UInt64(Int64.max), UInt64(Int64.max) + 1, .max, UInt64.random(in: 0 ... .max, using: &generator)]
            return .unsigned(integers.randomElement(using: &generator)!)
        case 4:
            if Bool.random(using: &generator) { return .double(doubles.randomElement(using: &generator)!) }
            return .double(Double(bitPattern: generator.next()))
        case 5: return .float(Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())))
        case 6, 7: return .string(strings.randomElement(using: &generator)!)
        case 8: return .json(nestedArrays(depth: Int.random(in: 0...3, using: &generator)))
        case 9:
            let count = Int.random(in: 0...4, using: &generator)
            return .array((0..<count).map { _ in random(depth: depth + 1, using: &generator) }, nested: Bool.random(using: &generator))
        default:
            let count = Int.random(in: 0...5, using: &generator)
            let fields = (0..<count).map { _ in (keys.randomElement(using: &generator)!, random(depth: depth + 1, using: &generator)) }
            return .object(fields, nested: Bool.random(using: &generator))
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .array(let elements, _):
            var container = encoder.unkeyedContainer()
            for element in elements { try element.write(into: &container) }
        case .object(let fields, _):
            var container = encoder.container(keyedBy: TextKey.self)
            for (key, value) in fields { try value.write(into: &container, forKey: TextKey(key)) }
        default:
            var container = encoder.singleValueContainer()
            try write(into: &container)
        }
    }

    private func write(into container: inout any SingleValueEncodingContainer) throws {
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let integer): try container.encode(integer)
        case .unsigned(let unsigned): try container.encode(unsigned)
        case .double(let double): try container.encode(double)
        case .float(let float): try container.encode(float)
        case .string(let string): try container.encode(string)
        case .json(let json): try container.encode(json)
        case .array, .object: try container.encode(self)
        }
    }

    private func write(into container: inout any UnkeyedEncodingContainer) throws {
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let integer): try container.encode(integer)
        case .unsigned(let unsigned): try container.encode(unsigned)
        case .double(let double): try container.encode(double)
        case .float(let float): try container.encode(float)
        case .string(let string): try container.encode(string)
        case .array(let elements, nested: true):
            var nested = container.nestedUnkeyedContainer()
            for element in elements { try element.write(into: &nested) }
        case .object(let fields, nested: true):
            var nested = container.nestedContainer(keyedBy: TextKey.self)
            for (key, value) in fields { try value.write(into: &nested, forKey: TextKey(key)) }
        default: try container.encode(self)
        }
    }

    private func write(into container: inout KeyedEncodingContainer<TextKey>, forKey key: TextKey) throws {
        switch self {
        case .null: try container.encodeNil(forKey: key)
        case .bool(let bool): try container.encode(bool, forKey: key)
        case .integer(let integer): try container.encode(integer, forKey: key)
        case .unsigned(let unsigned): try container.encode(unsigned, forKey: key)
        case .double(let double): try container.encode(double, forKey: key)
        case .float(let float): try container.encode(float, forKey: key)
        case .string(let string): try container.encode(string, forKey: key)
        case .array(let elements, nested: true):
            var nested = container.nestedUnkeyedContainer(forKey: key)
            for element in elements { try element.write(into: &nested) }
        case .object(let fields, nested: true):
            var nested = container.nestedContainer(keyedBy: TextKey.self, forKey: key)
            for (key, value) in fields { try value.write(into: &nested, forKey: TextKey(key)) }
        default: try container.encode(self, forKey: key)
        }
    }
}

extension LangfuseTests {
    /// `JSONTextEncoder` against the path it replaces, `JSONValue(encoding:maxDepth:)` then
    /// `jsonText`: the same bytes, the same errors, for every value.
    @Suite struct JSONTextEncoderTests {
        /// What an encoding came to: its text, or what it threw.
        enum Outcome: Equatable {
            case text(String)
            case tooDeep(maxDepth: Int)
            case failed(String)

            /// Texts compared byte for byte: Swift's `==` takes "é" composed and decomposed as equal.
            static func == (a: Outcome, b: Outcome) -> Bool {
                switch (a, b) {
                case (.text(let a), .text(let b)): a.utf8.elementsEqual(b.utf8)
                case (.tooDeep(let a), .tooDeep(let b)): a == b
                case (.failed(let a), .failed(let b)): a == b
                default: false
                }
            }
        }

        static func tree(_ value: some Encodable, maxDepth: Int) -> Outcome {
            do {
                return .text(try JSONValue(encoding: value, maxDepth: maxDepth).jsonText)
            } catch let error as JSONValueEncoder.TooDeep {
                return .tooDeep(maxDepth: error.maxDepth)
            } catch {
                return .failed(String(describing: error))
            }
        }

        static func direct(_ value: some Encodable, maxDepth: Int) -> Outcome {
            do {
                return .text(try JSONTextEncoder(maxDepth: maxDepth).encode(value))
            } catch let error as JSONValueEncoder.TooDeep {
                return .tooDeep(maxDepth: error.maxDepth)
            } catch {
                return .failed(String(describing: error))
            }
        }

        /// Both encoders' outcome for `value`, after checking they agree.
        @discardableResult
        static func same(
            _ value: some Encodable, maxDepth: Int = JSONValue.defaultMaxDepth, _ label: String = "",
            sourceLocation: SourceLocation = #_sourceLocation
        ) -> Outcome {
            let expected = tree(value, maxDepth: maxDepth)
            let actual = direct(value, maxDepth: maxDepth)
            #expect(actual == expected, "\(label)", sourceLocation: sourceLocation)
            return actual
        }

        static let date = Date(timeIntervalSince1970: 1_795_000_000.123)

        static func corpus() -> [(String, any Encodable)] {
            let scalars: [(String, any Encodable)] = [
                ("true", true), ("false", false), ("Int 0", 0), ("Int -1", -1), ("Int.min", Int.min), ("Int.max", Int.max),
                ("Int8.min", Int8.min), ("Int16.max", Int16.max), ("Int32.min", Int32.min), ("Int64.min", Int64.min), ("Int64.max", Int64.max),
                ("UInt8.max", UInt8.max), ("UInt16.max", UInt16.max), ("UInt32.max", UInt32.max), ("UInt.max", UInt.max),
                ("UInt64 Int64.max", UInt64(Int64.max)), ("UInt64 Int64.max + 1", UInt64(Int64.max) + 1), ("UInt64.max", UInt64.max),
                ("0.0", 0.0), ("-0.0", -0.0), ("0.1", 0.1), ("120.0", 120.0), ("1e-300", 1e-300), ("1e300", 1e300), ("1e16", 1e16),
                ("2^53", 9_007_199_254_740_992.0), ("-2^53", -9_007_199_254_740_992.0), ("2^53 + 2", 9_007_199_254_740_994.0),
                ("greatestFiniteMagnitude", Double.greatestFiniteMagnitude), ("-greatestFiniteMagnitude", -Double.greatestFiniteMagnitude),
                ("leastNonzeroMagnitude", Double.leastNonzeroMagnitude), ("NaN", Double.nan), ("Infinity", Double.infinity),
                ("-Infinity", -Double.infinity), ("Float.nan", Float.nan), ("Float.infinity", Float.infinity), ("-Float.infinity", -Float.infinity),
                ("Float 0.1", Float(0.1)), ("Float -0.0", Float(-0.0)), ("Float 2^24 + 1", Float(16_777_217)),
                ("Float.greatestFiniteMagnitude", Float.greatestFiniteMagnitude),
                ("empty string", ""), ("quotes and backslashes", "say \"hi\" \\ \\\\ /"),
                ("control characters", "\u{0}\u{1}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1B}\u{1F} \u{7F}"),
                ("unicode", "héllo 日本語 🧪👩‍👩‍👧 \u{2028}\u{2029} \u{FEFF} e\u{301}"),
                ("Date", date), ("Date.distantPast", Date.distantPast), ("Date.distantFuture", Date.distantFuture),
                ("Data", Data([0, 1, 2, 254, 255])), ("empty Data", Data()),
                ("URL", URL(string: "https://example.com/a%20b?c=d&e=f#g")!),
                ("relative URL", URL(string: "chat/completions", relativeTo: URL(string: "https://api.example.com/v1/"))!),
                ("Decimal", Decimal(string: "3.14159")!), ("Decimal 120", Decimal(120)), ("Decimal NaN", Decimal.nan),
                ("Decimal.greatestFiniteMagnitude", Decimal.greatestFiniteMagnitude),
                ("Optional none", Int?.none), ("Optional some", Int?.some(7)), ("Optional Date", Date?.some(date)),
            ]
            let embedded: [(String, any Encodable)] = [
                ("JSONValue string", JSONValue.string("as itself")), ("JSONValue null", JSONValue.null),
                ("JSONValue NaN", JSONValue.number(.nan)), ("JSONValue -Infinity", JSONValue.number(-.infinity)),
                ("JSONValue -0.0", JSONValue.number(-0.0)), ("JSONValue integer", JSONValue.integer(.min)),
                (
                    "JSONValue object",
                    JSONValue.object(["b": .array([.integer(1), .number(2.5), .null]), "a": .object(["": .bool(false)]), "é": .string("\n")])
                ),
                ("JSONValue in an array", [JSONValue.number(3), .string("x"), nestedArrays(depth: 3)]),
                ("JSONValue in an object", ["payload": JSONValue.object(["z": .integer(1), "y": .integer(2)])]),
            ]
            let containers: [(String, any Encodable)] = [
                ("empty array", [Int]()), ("empty object", [String: Int]()), ("array of empties", [[String: Int](), [:]]),
                ("nested empty arrays", [[[Int]]()]), ("optionals in an array", [1, nil, 3] as [Int?]),
                ("keys in order", ["b": 1, "a": 2, "B": 3, "_": 4, "aa": 5, "é": 6, "10": 7, "9": 8, "": 9, "a b": 10]),
                ("keys that need escaping", ["\"": 1, "\\": 2, "\n": 3, "\u{0}": 4, "\u{1F}": 5, "日本": 6, "🧪": 7]),
                ("Int keys", [10: "ten", 9: "nine", -1: "minus one", 0: "zero", Int.min: "min"]),
                ("Bool keys", [true: 1, false: 0]), ("Double keys", [1.5: "a", -0.0: "b"]),
                ("arrays of dictionaries", [["role": "user", "content": "hi"], ["role": "assistant", "content": "hello"], [:]]),
                ("dictionaries of arrays", ["a": [1, 2], "b": [], "c": [3]]),
                ("a set", Set([3, 1, 2])),
                ("classes", [Dog(name: "Rex"), Cat(name: "Tom"), Fish(name: "Nemo"), Animal(name: "Generic")]),
                (
                    "a chat request",
                    ChatRequest(
                        model: "gpt-4o",
                        messages: [
                            .init(role: "system", content: "Be brief.", name: nil, toolCalls: nil),
                            .init(
                                role: "assistant", content: "", name: "bot",
                                toolCalls: [.init(id: "call_1", arguments: ["city": .string("Zürich"), "days": .integer(3)])]),
                        ],
                        temperature: 0.7, topP: 0.9, maxTokens: nil, stop: ["\n\n"], seed: .max, logitBias: [50_256: -100, 11: 0.5],
                        toolChoice: .tool(name: "weather", strict: nil), roles: [.system, .user], sent: date,
                        attachment: Data("png".utf8), endpoint: URL(string: "https://api.openai.com/v1/chat")!, price: Decimal(string: "0.0025")!
                    )
                ),
                ("an enum case", ChatRequest.Choice.auto),
                ("a nested structure", Nest(levels: 5, shape: .object)),
                ("containers opened in a loop", Nest(levels: 5, shape: .loop)),
            ]
            return scalars + embedded + containers + scripts()
        }

        /// The orders of calls `Encoder` allows that synthesized conformances never make.
        static func scripts() -> [(String, any Encodable)] {
            func keyed(_ encoder: any Encoder) -> KeyedEncodingContainer<TextKey> { encoder.container(keyedBy: TextKey.self) }
            func key(_ name: String) -> TextKey { TextKey(name) }
            return [
                (
                    "a key written twice",
                    Script { encoder in
                        var container = keyed(encoder)
                        try container.encode(1, forKey: key("a"))
                        try container.encode(0, forKey: key("z"))
                        try container.encode("two", forKey: key("a"))
                    }
                ),
                (
                    "a nested container replaced by a scalar, then written into",
                    Script { encoder in
                        var container = keyed(encoder)
                        var nested = container.nestedContainer(keyedBy: TextKey.self, forKey: key("a"))
                        try nested.encode(1, forKey: key("x"))
                        try container.encode(2, forKey: key("a"))
                        try nested.encode(3, forKey: key("y"))
                    }
                ),
                (
                    "a scalar replaced by a nested container",
                    Script { encoder in
                        var container = keyed(encoder)
                        try container.encode(2, forKey: key("a"))
                        var nested = container.nestedUnkeyedContainer(forKey: key("a"))
                        try nested.encode(1)
                    }
                ),
                (
                    "two nested containers under one key",
                    Script { encoder in
                        var container = keyed(encoder)
                        var first = container.nestedContainer(keyedBy: TextKey.self, forKey: key("a"))
                        var second = container.nestedContainer(keyedBy: TextKey.self, forKey: key("a"))
                        try first.encode(1, forKey: key("x"))
                        try second.encode(2, forKey: key("y"))
                    }
                ),
                (
                    "nested containers written between the parent's fields",
                    Script { encoder in
                        var container = keyed(encoder)
                        var nested = container.nestedContainer(keyedBy: TextKey.self, forKey: key("m"))
                        try container.encode(1, forKey: key("z"))
                        try nested.encode(2, forKey: key("q"))
                        try container.encode(3, forKey: key("b"))
                        var list = container.nestedUnkeyedContainer(forKey: key("list"))
                        try list.encode(1)
                        try nested.encode(4, forKey: key("p"))
                        var inner = list.nestedContainer(keyedBy: TextKey.self)
                        try list.encode(2)
                        try inner.encode(true, forKey: key("late"))
                        try container.encode(5, forKey: key("a"))
                    }
                ),
                (
                    "keys equal as Swift strings",
                    Script { encoder in
                        var container = keyed(encoder)
                        try container.encode(1, forKey: key("e\u{301}"))
                        try container.encode(0, forKey: key("d"))
                        try container.encode(2, forKey: key("\u{E9}"))
                    }
                ),
                (
                    "two keyed containers from one encoder",
                    Script { encoder in
                        var first = keyed(encoder)
                        try first.encode(1, forKey: key("a"))
                        var second = keyed(encoder)
                        try second.encode(2, forKey: key("b"))
                        try first.encode(3, forKey: key("c"))
                    }
                ),
                (
                    "a keyed container replaced by an unkeyed one",
                    Script { encoder in
                        var container = keyed(encoder)
                        try container.encode(1, forKey: key("a"))
                        var list = encoder.unkeyedContainer()
                        try list.encode(2)
                        try container.encode(3, forKey: key("b"))
                    }
                ),
                (
                    "a single value replaced by a keyed container",
                    Script { encoder in
                        var single = encoder.singleValueContainer()
                        try single.encode("x")
                        var container = keyed(encoder)
                        try container.encode(1, forKey: key("a"))
                    }
                ),
                (
                    "a keyed container replaced by a single value, then written into",
                    Script { encoder in
                        var container = keyed(encoder)
                        try container.encode(1, forKey: key("a"))
                        var single = encoder.singleValueContainer()
                        try single.encode(5)
                        try container.encode(2, forKey: key("b"))
                    }
                ),
                (
                    "a single value written twice",
                    Script { encoder in
                        var single = encoder.singleValueContainer()
                        try single.encode(1)
                        try single.encode("two")
                    }
                ),
                (
                    "an unkeyed container that outlives its node's reset",
                    Script { encoder in
                        var first = encoder.unkeyedContainer()
                        try first.encode(1)
                        var single = encoder.singleValueContainer()
                        try single.encode(true)
                        var second = encoder.unkeyedContainer()
                        try second.encode(2)
                        try first.encode(3)
                    }
                ),
                (
                    "an unkeyed container's count",
                    Script { encoder in
                        var list = encoder.unkeyedContainer()
                        try list.encode(1)
                        try list.encodeNil()
                        _ = list.nestedUnkeyedContainer()
                        _ = list.superEncoder()
                        try list.encode(list.count)
                    }
                ),
                (
                    "a child's error caught",
                    Script { encoder in
                        var container = keyed(encoder)
                        try container.encode(1, forKey: key("a"))
                        try? container.encode(PartialThenThrows(), forKey: key("b"))
                        try container.encode(2, forKey: key("c"))
                        var list = container.nestedUnkeyedContainer(forKey: key("d"))
                        try? list.encode(PartialThenThrows())
                    }
                ),
                (
                    "superEncoder unused",
                    Script { encoder in
                        var container = keyed(encoder)
                        _ = container.superEncoder()
                        _ = container.superEncoder(forKey: key("other"))
                    }
                ),
                (
                    "superEncoder in an array",
                    Script { encoder in
                        var list = encoder.unkeyedContainer()
                        try list.encode(1)
                        let parent = list.superEncoder()
                        try list.encode(3)
                        var container = parent.container(keyedBy: TextKey.self)
                        try container.encode("late", forKey: key("p"))
                    }
                ),
                (
                    "superEncoder taking a single value",
                    Script { encoder in
                        var container = keyed(encoder)
                        var single = container.superEncoder().singleValueContainer()
                        try single.encode(Date?.some(date))
                    }
                ),
                (
                    "arrays nested and written out of order",
                    Script { encoder in
                        var list = encoder.unkeyedContainer()
                        var first = list.nestedUnkeyedContainer()
                        var second = list.nestedUnkeyedContainer()
                        try second.encode(2)
                        try first.encode(1)
                        try list.encode(3)
                        try first.encode(contentsOf: [4, 5])
                    }
                ),
                (
                    "optionals through every method",
                    Script { encoder in
                        var container = keyed(encoder)
                        try container.encodeIfPresent(Int?.none, forKey: key("absent"))
                        try container.encodeIfPresent(Int?.some(1), forKey: key("present"))
                        try container.encodeIfPresent(String?.none, forKey: key("absent string"))
                        try container.encodeIfPresent(Double?.some(.nan), forKey: key("nan"))
                        try container.encode(Date?.some(date), forKey: key("date"))
                        try container.encode(Date?.none, forKey: key("no date"))
                        try container.encodeNil(forKey: key("nil"))
                        try container.encodeIfPresent(UInt64?.some(.max), forKey: key("big"))
                        try container.encodeConditional(Dog(name: "conditional"), forKey: key("dog"))
                    }
                ),
                (
                    "every primitive, in every container",
                    Script { encoder in
                        var container = keyed(encoder)
                        try container.encode(Int8.min, forKey: key("i8"))
                        try container.encode(Int16.min, forKey: key("i16"))
                        try container.encode(Int32.min, forKey: key("i32"))
                        try container.encode(Int64.min, forKey: key("i64"))
                        try container.encode(Int.min, forKey: key("i"))
                        try container.encode(UInt8.max, forKey: key("u8"))
                        try container.encode(UInt16.max, forKey: key("u16"))
                        try container.encode(UInt32.max, forKey: key("u32"))
                        try container.encode(UInt64.max, forKey: key("u64"))
                        try container.encode(UInt.max, forKey: key("u"))
                        try container.encode(Float.nan, forKey: key("f"))
                        try container.encode(-Double.infinity, forKey: key("d"))
                        try container.encode(false, forKey: key("b"))
                        try container.encode("s", forKey: key("s"))
                        var list = container.nestedUnkeyedContainer(forKey: key("list"))
                        try list.encode(Int8.max)
                        try list.encode(Int16.max)
                        try list.encode(Int32.max)
                        try list.encode(Int64.max)
                        try list.encode(Int.max)
                        try list.encode(UInt8.max)
                        try list.encode(UInt16.max)
                        try list.encode(UInt32.max)
                        try list.encode(UInt64.max)
                        try list.encode(UInt.max)
                        try list.encode(Float.infinity)
                        try list.encode(Float(-0.0))
                        try list.encode(Double.nan)
                        try list.encode(1e-300)
                        try list.encode(true)
                        try list.encode("s")
                        try list.encode(JSONValue.number(.infinity))
                        try list.encode(Decimal.nan)
                    }
                ),
            ]
        }

        @Test func everyValueOfTheCorpusGivesTheTreePathsText() {
            for (label, value) in Self.corpus() {
                let outcome = Self.same(value, label)
                guard case .text = outcome else {
                    Issue.record("\(label): \(outcome)")
                    continue
                }
            }
        }

        /// The corpus's expectations spelled out, so that they do not rest on the tree alone.
        @Test func textsTheCorpusDocuments() throws {
            func expect(_ value: some Encodable, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
                let encoded = try JSONTextEncoder(maxDepth: JSONValue.defaultMaxDepth).encode(value)
                #expect(Array(encoded.utf8) == Array(text.utf8), sourceLocation: sourceLocation)
            }
            try expect(UInt64.max, "1.8446744073709552e+19")
            try expect(Int64.min, "-9223372036854775808")
            try expect(-0.0, "0")
            try expect(120.0, "120")
            try expect(1e-300, "1e-300")
            try expect(Double.greatestFiniteMagnitude, "1.7976931348623157e+308")
            try expect(9_007_199_254_740_994.0, "9.007199254740994e+15")
            try expect(Float.nan, #""NaN""#)
            try expect([-Double.infinity], #"["-Infinity"]"#)
            try expect("a\"\\\n\u{1}é", #""a\"\\\n\u0001é""#)
            try expect([10: "ten", 9: "nine", -1: "minus one"], #"{"-1":"minus one","10":"ten","9":"nine"}"#)
            try expect(["b": 1, "a": 2, "B": 3, "": 4], #"{"":4,"B":3,"a":2,"b":1}"#)
            try expect(Dog(name: "Rex"), #"{"breed":"collie","super":{"name":"Rex"}}"#)
            try expect(Cat(name: "Tom"), #"{"animal":{"name":"Tom"},"lives":9}"#)
            try expect(Fish(name: "Nemo"), #"{"fins":4,"name":"Nemo"}"#)
            try expect(Self.date, #""2026-11-18T11:06:40.123Z""#)
            try expect(Data([0, 255]), #""AP8=""#)
            try expect([Int?.none, 1], "[null,1]")
            try expect(JSONValue.object(["b": .number(.nan), "a": .integer(1)]), #"{"a":1,"b":"NaN"}"#)
            let scripts = Dictionary(uniqueKeysWithValues: Self.scripts())
            try expect(scripts["a key written twice"]!, #"{"a":"two","z":0}"#)
            try expect(scripts["a nested container replaced by a scalar, then written into"]!, #"{"a":2}"#)
            try expect(scripts["two nested containers under one key"]!, #"{"a":{"y":2}}"#)
            try expect(scripts["keys equal as Swift strings"]!, "{\"d\":0,\"e\u{301}\":2}")
            try expect(scripts["a keyed container replaced by a single value, then written into"]!, "5")
            try expect(scripts["an unkeyed container that outlives its node's reset"]!, "[2,3]")
            try expect(scripts["an unkeyed container's count"]!, "[1,null,[],null,4]")
            try expect(scripts["a child's error caught"]!, #"{"a":1,"b":{"written":1},"c":2,"d":[{"written":1}]}"#)
            try expect(scripts["superEncoder unused"]!, #"{"other":null,"super":null}"#)
            try expect(scripts["superEncoder in an array"]!, #"[1,{"p":"late"},3]"#)
            try expect(scripts["arrays nested and written out of order"]!, "[[1,4,5],[2],3]")
            try expect(
                scripts["nested containers written between the parent's fields"]!, #"{"a":5,"b":3,"list":[1,{"late":true},2],"m":{"p":4,"q":2},"z":1}"#)
        }

        @Test(arguments: 0..<300)
        func randomValuesGiveTheTreePathsText(seed: Int) {
            var generator = SplitMix(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15)
            let value = Dynamic.random(depth: 0, using: &generator)
            for maxDepth in [2, 4, JSONValue.defaultMaxDepth] {
                Self.same(value, maxDepth: maxDepth, "seed \(seed), maxDepth \(maxDepth)")
            }
        }

        @Test func errorsAreTheTreePaths() {
            #expect(Self.same(Refuses()) == .failed(String(describing: Refuses.Refusal())))
            #expect(Self.same(["a": [Refuses()]]) == .failed(String(describing: Refuses.Refusal())))
            // A child's error, caught by a value that then opens a container too deep: the depth wins.
            let caughtThenTooDeep = Script { encoder in
                var list = encoder.unkeyedContainer()
                try? list.encode(Refuses())
                try list.encode(Nest(levels: 3, shape: .array))
            }
            #expect(Self.same(caughtThenTooDeep, maxDepth: 3) == .tooDeep(maxDepth: 3))
            // TooDeep caught by the value, which then throws an error of its own: that error wins.
            let tooDeepCaughtThenRefused = Script { encoder in
                var list = encoder.unkeyedContainer()
                try? list.encode(Nest(levels: 3, shape: .array))
                throw Refuses.Refusal()
            }
            // TooDeep caught, and the value writes on: every later write throws it again.
            let tooDeepCaughtThenWritten = Script { encoder in
                var list = encoder.unkeyedContainer()
                try? list.encode(Nest(levels: 3, shape: .array))
                try list.encode(Refuses())
            }
            #expect(Self.same(tooDeepCaughtThenWritten, maxDepth: 3) == .tooDeep(maxDepth: 3))
            #expect(Self.same(tooDeepCaughtThenRefused, maxDepth: 3) == .failed(String(describing: Refuses.Refusal())))
        }

        @Test func theDepthCapHoldsAtItsLimitAndRefusesOneLevelMore() {
            #expect(Self.same(Nest(levels: 3, shape: .array), maxDepth: 3) == .text(#"[[["bottom"]]]"#))
            #expect(Self.same(Nest(levels: 4, shape: .array), maxDepth: 3) == .tooDeep(maxDepth: 3))
            #expect(Self.same(Nest(levels: 3, shape: .object), maxDepth: 3) == .text(#"{"k":{"k":{"k":"bottom"}}}"#))
            #expect(Self.same(Nest(levels: 4, shape: .object), maxDepth: 3) == .tooDeep(maxDepth: 3))
            #expect(Self.same(Nest(levels: 3, shape: .loop), maxDepth: 3) == .text(#"[[["bottom"]]]"#))
            #expect(Self.same(Nest(levels: 4, shape: .loop), maxDepth: 3) == .tooDeep(maxDepth: 3))
            let limit = JSONValue.defaultMaxDepth
            #expect(Self.same(Nest(levels: limit, shape: .array), maxDepth: limit) == .text(Self.arrays(limit)))
            #expect(Self.same(Nest(levels: limit + 1, shape: .array), maxDepth: limit) == .tooDeep(maxDepth: limit))
            // An embedded JSONValue is measured from where it sits.
            #expect(Self.same(nestedArrays(depth: 3), maxDepth: 3) == .text(#"[[["bottom"]]]"#))
            #expect(Self.same(nestedArrays(depth: 4), maxDepth: 3) == .tooDeep(maxDepth: 3))
            #expect(Self.same([nestedArrays(depth: 2)], maxDepth: 3) == .text(#"[[["bottom"]]]"#))
            #expect(Self.same([nestedArrays(depth: 3)], maxDepth: 3) == .tooDeep(maxDepth: 3))
            #expect(Self.same(["k": ["k": nestedArrays(depth: 2)]], maxDepth: 3) == .tooDeep(maxDepth: 3))
        }

        /// `"bottom"` in `depth` arrays.
        static func arrays(_ depth: Int) -> String {
            String(repeating: "[", count: depth) + #""bottom""# + String(repeating: "]", count: depth)
        }

        @Test func singleValueCallsAreBoundedAsTheTreeBoundsThem() {
            // 4 × maxDepth + 16 calls of `encode` on the stack at most: 28 for a cap of 3.
            #expect(Self.same(Nest(levels: 27, shape: .single), maxDepth: 3) == .text(#""bottom""#))
            #expect(Self.same(Nest(levels: 28, shape: .single), maxDepth: 3) == .tooDeep(maxDepth: 3))
        }

        @Test func aHundredThousandLevelsThrowAndDoNotCrash() {
            let encoder = JSONTextEncoder(maxDepth: JSONValue.defaultMaxDepth)
            for shape in [Nest.Shape.array, .object, .single, .loop] {
                // The tree path is not run for `.loop`: its 100 000 nodes, linked object to object,
                // are released one stack frame per level.
                #expect(throws: JSONValueEncoder.TooDeep.self, "\(shape)") { try encoder.encode(Nest(levels: 100_000, shape: shape)) }
            }
            var deep = nestedArrays(depth: 100_000)
            #expect(throws: JSONValueEncoder.TooDeep.self) { try encoder.encode(deep) }
            #expect(throws: JSONValueEncoder.TooDeep.self) { try encoder.encode(["inside": [deep]]) }
            release(&deep)
        }

        // MARK: The shaper

        /// A shaper with no mask and the smallest caps (256 bytes, three levels).
        static func shaper() -> LangfuseValueShaper {
            LangfuseValueShaper(masks: [], maxValueBytes: 256, maxDepth: 3, defaults: TraceAttributes())
        }

        @Test func withoutMasksTheShapersTextAndCountsAreThoseOfTheTreePath() {
            let long = String(repeating: "x", count: 300)
            let cases: [(String, any Encodable)] = [
                ("short string", "short"), ("long string", long), ("optional string", String?.some(long)),
                ("object", ["b": [1, 2], "a": [3]]), ("over the size cap", Array(repeating: "0123456789", count: 30)),
                ("at the depth cap", Nest(levels: 3, shape: .array)), ("deeper", Nest(levels: 4, shape: .object)),
                ("deep JSONValue", nestedArrays(depth: 1_000)), ("unencodable", Refuses()),
                ("unencodable, with a name over the size cap", Self.longNamedRefusal),
                ("Date, a string", Self.date), ("NaN, a string", Double.nan), ("Decimal NaN, a number", Decimal.nan),
                ("JSONValue string", JSONValue.string(long)), ("number", 42), ("a string in an enum", ChatRequest.Role.user),
            ]
            for (label, value) in cases {
                let (direct, tree) = (Self.shaper(), Self.shaper())
                let text = direct.jsonText(value)
                let expected = tree.shaped(value).text
                #expect(Array(text.utf8) == Array(expected.utf8), "\(label)")
                #expect(direct.statistics == tree.statistics, "\(label)")
            }
        }

        static var longNamedRefusal: some Encodable {
            // Three levels, within the depth cap.
            WrapsARefusalWithANameLongEnoughThatThreeOfThemMakeTheUnencodableMarkerLongerThan256Bytes(
                inner: WrapsARefusalWithANameLongEnoughThatThreeOfThemMakeTheUnencodableMarkerLongerThan256Bytes(
                    inner: WrapsARefusalWithANameLongEnoughThatThreeOfThemMakeTheUnencodableMarkerLongerThan256Bytes(inner: Refuses())))
        }

        @Test func markersAndCountersOfTheShaperWithoutMasks() throws {
            let shaper = Self.shaper()
            #expect(shaper.jsonText(["b": 1, "a": 2]) == #"{"a":2,"b":1}"#)
            #expect(shaper.jsonText(Self.date) == "2026-11-18T11:06:40.123Z")
            #expect(shaper.jsonText(Double.nan) == "NaN")
            #expect(shaper.jsonText(Decimal.nan) == #""NaN""#)
            #expect(shaper.jsonText("plain") == "plain")
            #expect(shaper.statistics == LangfuseValueStatistics())

            #expect(shaper.jsonText(Nest(levels: 4, shape: .array)) == #"{"reason":"nested deeper than 3 levels","tracez.truncated":true}"#)
            #expect(shaper.statistics == LangfuseValueStatistics(truncated: 1, unencodable: 0))

            #expect(shaper.jsonText(Refuses()) == #"{"tracez.unencodable":"Refuses"}"#)
            #expect(shaper.statistics == LangfuseValueStatistics(truncated: 1, unencodable: 1))

            let over = shaper.jsonText(Array(repeating: "0123456789", count: 30))
            let marker = try #require(try JSONSerialization.jsonObject(with: Data(over.utf8)) as? [String: Any])
            #expect(marker["reason"] as? String == "over 256 bytes")
            #expect(marker["bytes"] as? Int == 30 * 13 + 1)
            #expect((marker["preview"] as? String)?.hasPrefix(#"["0123456789","#) == true)
            #expect(shaper.statistics == LangfuseValueStatistics(truncated: 2, unencodable: 1))

            // Unencodable, and its marker over the size cap: counted as both.
            let long = shaper.jsonText(Self.longNamedRefusal)
            #expect(long.contains(#""reason":"over 256 bytes""#))
            #expect(shaper.statistics == LangfuseValueStatistics(truncated: 3, unencodable: 2))
        }

        @Test func withMasksTheShaperStillMasks() {
            let shaper = LangfuseValueShaper(
                masks: [
                    { value in
                        guard case .object(var fields) = value else { return value }
                        fields["password"] = .string("[masked]")
                        return .object(fields)
                    }
                ],
                maxValueBytes: 256, maxDepth: 3, defaults: TraceAttributes())
            #expect(shaper.jsonText(["password": "hunter2", "user": "ada"]) == #"{"password":"[masked]","user":"ada"}"#)
            #expect(shaper.jsonText(Nest(levels: 4, shape: .array)) == #"{"reason":"nested deeper than 3 levels","tracez.truncated":true}"#)
            #expect(shaper.statistics == LangfuseValueStatistics(truncated: 1, unencodable: 0))
        }
    }
}
