import Foundation
import Testing
import TracezTestSupport

@testable import TracezLangfuse

/// `JSONParser` against Foundation's `JSONSerialization`, a reader we did not write.
@Suite(.timeLimit(.minutes(3))) struct JSONParserTests {
    @Test(arguments: 0..<400)
    func randomDocumentsReadAsFoundationReadsThem(seed: Int) throws {
        var generator = SplitMix(state: UInt64(seed) &* 0x9E37_79B9)
        let text = RandomJSON.value(depth: 0, using: &generator)
        let ours = try #require(JSONParser.parse(text), "refused: \(text)")
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        #expect(Self.same(ours, foundation), "\(text)")
    }

    @Test func escapesAndSurrogatePairsBecomeTheirCharacters() throws {
        let text = #"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u65E5", "\ud83d\ude00", "é日😀"]"#
        let value = try #require(JSONParser.parse(text))
        #expect(value == .array([.string("a\"b\\c/d\u{8}\u{C}\n\r\t"), .string("é日"), .string("😀"), .string("é日😀")]))
    }

    @Test func numbersAreCorrectlyRounded() throws {
        var generator = SplitMix(state: 7)
        for _ in 0..<2_000 {
            let number = Double(bitPattern: generator.next())
            guard number.isFinite else { continue }
            // Swift prints the shortest text that reads back as the same Double.
            #expect(JSONParser.parse("\(number)") == .number(number), "\(number)")
        }
    }

    @Test func numbersFollowTheGrammar() throws {
        #expect(JSONParser.parse("-0") == .number(-0.0))
        #expect(JSONParser.parse("1e-7") == .number(1e-7))
        #expect(JSONParser.parse("1.5E+300") == .number(1.5e300))
        #expect(JSONParser.parse(" 12 ") == .integer(12))
        #expect(JSONParser.parse("9223372036854775807") == .integer(.max))
        #expect(JSONParser.parse("-9223372036854775808") == .integer(.min))
        #expect(JSONParser.parse("9223372036854775808") == .number(9_223_372_036_854_775_808))  // past Int64: a double
        #expect(JSONParser.parse("12.0") == .number(12))
    }

    @Test(arguments: [
        "", " ", "[1,]", "{\"a\":}", "{\"a\" 1}", "{a:1}", "01", "-", "1.", ".5", "1e", "+1",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\x\"", "\"\\u12G4\"", "\"abc",
        "\"a\u{1}b\"", "nul", "truex", "1 2", "[1] x", "{\"a\":1,}", "[", "{", "NaN", "Infinity",
    ])
    func whatIsNotOneJSONValueIsRefused(text: String) {
        #expect(JSONParser.parse(text) == nil)
        // Foundation refuses them too, except the trailing commas RFC 8259 forbids and it allows.
        if !text.hasSuffix(",]"), !text.hasSuffix(",}") {
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) == nil)
        }
    }

    @Test func nestingDeeperThanTheLimitIsRefusedWithoutOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONParser.parse(deep) == nil)
        let limit = JSONParser.maxDepth
        let allowed = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(JSONParser.parse(allowed) != nil)
        let over = "[" + allowed + "]"
        #expect(JSONParser.parse(over) == nil)
    }

    @Test func theUpperBoundIsNeverBelowTheText() throws {
        for seed in 0..<200 {
            var generator = SplitMix(state: UInt64(seed))
            let value = try #require(JSONParser.parse(RandomJSON.value(depth: 0, using: &generator)))
            #expect(value.jsonBytesUpperBound >= value.jsonText.utf8.count)
        }
    }

    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// Whether our value and Foundation's object are the same JSON value.
    static func same(_ ours: JSONValue, _ theirs: Any) -> Bool {
        switch ours {
        case .null:
            return theirs is NSNull
        case .bool(let bool):
            // Foundation reads true and false as NSNumbers whose Objective-C type is `c` (char);
            // the numbers it reads have other types (`i`, `q`, `d`).
            guard let number = theirs as? NSNumber, isBoolean(number) else { return false }
            return number.boolValue == bool
        case .integer(let integer):
            guard let value = theirs as? NSNumber, !isBoolean(value) else { return false }
            return value.int64Value == integer || value.doubleValue == Double(integer)
        case .number(let number):
            guard let value = theirs as? NSNumber, !isBoolean(value) else { return false }
            // Foundation on Linux is sometimes a few units in the last place off (it reads
            // -644179.6074040323 as -644179.6074040321); `numbersAreCorrectlyRounded` checks ours exactly.
            let theirs = value.doubleValue
            return number == theirs || abs(number - theirs) <= abs(theirs) * 1e-14
        case .string(let string):
            return (theirs as? String) == string
        case .array(let values):
            guard let array = theirs as? [Any], array.count == values.count else { return false }
            return zip(values, array).allSatisfy { same($0, $1) }
        case .object(let fields):
            guard let object = theirs as? [String: Any], object.count == fields.count else { return false }
            return fields.allSatisfy { key, value in object[key].map { same(value, $0) } ?? false }
        }
    }
}

/// Random JSON text: every kind of value, escapes, non-ASCII, numbers in every form, whitespace.
enum RandomJSON {
    static func value(depth: Int, using generator: inout SplitMix) -> String {
        let kind = Int.random(in: 0..<(depth < 4 ? 8 : 5), using: &generator)
        switch kind {
        case 0: return "null"
        case 1: return Bool.random(using: &generator) ? "true" : "false"
        case 2: return number(using: &generator)
        case 3, 4: return string(using: &generator)
        case 5, 6:
            let count = Int.random(in: 0...5, using: &generator)
            let values = (0..<count).map { _ in value(depth: depth + 1, using: &generator) }
            return "[" + values.joined(separator: space(using: &generator) + ",") + "]"
        default:
            let count = Int.random(in: 0...5, using: &generator)
            var seen = Set<String>()
            var members: [String] = []
            for index in 0..<count {
                let key = "k\(index)" + String(string(using: &generator).dropFirst().dropLast())
                guard seen.insert(key).inserted else { continue }
                members.append("\"\(key)\"" + space(using: &generator) + ":" + space(using: &generator) + value(depth: depth + 1, using: &generator))
            }
            return "{" + space(using: &generator) + members.joined(separator: ",") + "}"
        }
    }

    static func number(using generator: inout SplitMix) -> String {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: return "\(Int.random(in: -1_000_000...1_000_000, using: &generator))"
        case 1: return "\(Double.random(in: -1e6...1e6, using: &generator))"
        case 2: return "\(Int.random(in: 1...9, using: &generator))e-\(Int.random(in: 1...300, using: &generator))"
        case 3:
            return "-\(Int.random(in: 1...9, using: &generator)).\(Int.random(in: 0...999, using: &generator))E+\(Int.random(in: 0...300, using: &generator))"
        case 4: return "-0"
        default: return "0.5"
        }
    }

    /// A JSON string token. Escapes for the quote, backslash, control characters and, as
    /// `\u` pairs, characters outside the Basic Multilingual Plane.
    static func string(using generator: inout SplitMix) -> String {
        let pieces = ["a", "Z", " ", "é", "日本", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u0001", "\\u00e9", "\\ud83d\\ude00", "\\u65E5"]
        let count = Int.random(in: 0...8, using: &generator)
        return "\"" + (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined() + "\""
    }

    static func space(using generator: inout SplitMix) -> String {
        ["", " ", "\n", "\t ", "\r\n"].randomElement(using: &generator)!
    }
}
