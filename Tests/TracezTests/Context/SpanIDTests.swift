import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct SpanIDTests {
    static let example = SpanID(0x00f0_67aa_0ba9_02b7)
    static let exampleHex = "00f067aa0ba902b7"

    @Test func hexStringIsSixteenLowercaseDigitsWithLeadingZeros() {
        #expect(Self.example.hexString == Self.exampleHex)
        #expect(Self.example.description == Self.exampleHex)
        #expect(SpanID(1).hexString == "0000000000000001")
    }

    @Test func hexStringRoundTrips() {
        #expect(SpanID(hexString: Self.exampleHex) == Self.example)
        let id = SpanID.random()
        #expect(SpanID(hexString: id.hexString) == id)
    }

    @Test func parsingAcceptsUppercaseDigits() {
        #expect(SpanID(hexString: "00F067AA0BA902B7") == Self.example)
        #expect(SpanID(hexString: "FFFFFFFFFFFFFFFF") == SpanID(.max))
    }

    @Test func allZeroIDIsInvalidAndRejected() {
        #expect(!SpanID(0).isValid)
        #expect(SpanID(hexString: "0000000000000000") == nil)
    }

    @Test(arguments: [
        "",
        "00f067aa0ba902b",  // 15 digits
        "00f067aa0ba902b70",  // 17 digits
        "00f067aa0ba902bz",  // non-hex letter
        "00f067aa-ba902b7",  // dash
        "+0f067aa0ba902b7",  // sign
        "00f067aa0ba902é",  // 16 UTF-8 bytes, not hex
    ])
    func malformedHexIsRejected(_ text: String) {
        #expect(SpanID(hexString: text) == nil)
    }

    @Test func bytesAreBigEndian() {
        #expect(SpanID(0x0102_0304_0506_0708).bytes == Array(1...8))
        #expect(Self.example.bytes == [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7])
    }

    @Test func millionRandomIDsAreValidAndDistinct() {
        let ids = drawDistinctIDs(1_000_000, SpanID.random)
        #expect(ids.count == 1_000_000)
        #expect(ids.allSatisfy { $0.isValid })
    }

    @Test func idsDrawnConcurrentlyAreDistinct() async {
        let ids = await drawIDsConcurrently(tasks: 8, perTask: 50_000, SpanID.random)
        #expect(ids.count == 400_000)
        #expect(Set(ids).count == ids.count)
    }
}
