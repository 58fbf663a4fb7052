import Foundation
import Testing
import TracezTestSupport

@testable import Tracez

/// `JSONWriter`'s strings read back through Foundation's `JSONSerialization`, a reader we did not write.
@Suite(.timeLimit(.minutes(3))) struct JSONWriterTests {
    /// Every ASCII control character, the two characters JSON escapes, and non-ASCII text
    /// next to them, in random strings.
    @Test func everyStringReadsBackAsItself() throws {
        var (generator, seed) = SplitMix.seeded()
        let pieces = ["a", " ", "\"", "\\", "/", "é", "日本", "😀", "\u{7F}", "\u{2028}"] + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
        var strings = pieces + ["", String(repeating: "plain ascii ", count: 20)]
        for _ in 0..<500 {
            strings.append((0..<Int.random(in: 1...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        for string in strings {
            var writer = JSONWriter()
            writer.array(strings: [string])
            let decoded = try JSONSerialization.jsonObject(with: Data(writer.text.utf8)) as? [String]
            #expect(decoded == [string], "\(writer.text) (seed \(seed))")
        }
    }

    @Test func controlCharactersUseTheShortEscapesWhereJSONHasThem() {
        var writer = JSONWriter()
        writer.string("\"\\\n\r\t\u{1}")
        #expect(writer.text == #""\"\\\n\r\t\u0001""#)
    }
}

extension JSONWriter {
    fileprivate mutating func array(strings: [String]) {
        array(strings) { writer, string in writer.string(string) }
    }
}
