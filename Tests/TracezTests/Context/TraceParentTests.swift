import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct TraceParentTests {
    static let traceHex = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentHex = "00f067aa0ba902b7"
    static let sampledHeader = "00-\(traceHex)-\(parentHex)-01"
    static let unsampledHeader = "00-\(traceHex)-\(parentHex)-00"

    @Test func specExampleParsesAsSampled() throws {
        let parent = try #require(TraceParent(header: Self.sampledHeader))
        #expect(parent.traceID.hexString == Self.traceHex)
        #expect(parent.parentID.hexString == Self.parentHex)
        #expect(parent.traceFlags == .sampled)
    }

    @Test func flagsZeroParsesAsNotSampled() throws {
        let parent = try #require(TraceParent(header: Self.unsampledHeader))
        #expect(parent.traceID.hexString == Self.traceHex)
        #expect(!parent.traceFlags.contains(.sampled))
    }

    @Test(arguments: [sampledHeader, unsampledHeader])
    func headerValueRoundTrips(_ header: String) {
        #expect(TraceParent(header: header)?.headerValue == header)
    }

    @Test func headerValueWritesVersionZeroAndTwoHexFlagDigits() {
        let parent = TraceParent(traceID: TraceID(high: 0, low: 1), parentID: SpanID(2), traceFlags: TraceFlags(rawValue: 0xA1))
        #expect(parent.headerValue == "00-00000000000000000000000000000001-0000000000000002-a1")
    }

    @Test(arguments: [
        ("uppercase trace id", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
        ("uppercase parent id", "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01"),
        ("uppercase flags", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A"),
        ("all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
        ("all-zero parent id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
        ("version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        ("version not hex", "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        ("version 00 with extra field", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"),
        ("version 00 with trailing byte", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"),
        ("underscore separators", "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"),
        ("separator moved", "00-4bf92f3577b34da6a3ce929d0e0e47360-0f067aa0ba902b7-01"),
        ("too short", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"),
        ("short trace id", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"),
        ("empty", ""),
        ("leading space", " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ])
    func malformedHeaderIsRejected(_ reason: String, _ header: String) {
        #expect(TraceParent(header: header) == nil, "\(reason)")
    }

    @Test func invalidUTF8DecodedWithReplacementCharacterIsRejected() {
        // "00-" then a lone 0xff where the trace id starts; decoding turns it into U+FFFD.
        let bytes: [UInt8] =
            [0x30, 0x30, 0x2d, 0xff] + Array("f92f3577b34da6a3ce929d0e0e4736-\(Self.parentHex)-01".utf8)
        let header = String(decoding: bytes, as: UTF8.self)
        #expect(header.unicodeScalars.contains("\u{FFFD}"))
        #expect(TraceParent(header: header) == nil)
    }

    @Test func replacementCharacterInPlaceOfADigitIsRejected() {
        // Same length in characters as a valid header, but U+FFFD is three UTF-8 bytes.
        let header = "00-\(Self.traceHex)-\(Self.parentHex)-0\u{FFFD}"
        #expect(header.count == 55)
        #expect(TraceParent(header: header) == nil)
    }

    @Test func futureVersionWithExtraFieldsIsAcceptedAndExtraFieldsIgnored() throws {
        let header = "cc-\(Self.traceHex)-\(Self.parentHex)-01-what-the-future-will-be-like"
        let parent = try #require(TraceParent(header: header))
        #expect(parent.traceID.hexString == Self.traceHex)
        #expect(parent.parentID.hexString == Self.parentHex)
        #expect(parent.traceFlags == .sampled)
        #expect(parent.headerValue == Self.sampledHeader)
    }

    @Test func futureVersionWithoutExtraFieldsIsAccepted() {
        #expect(TraceParent(header: "cc-\(Self.traceHex)-\(Self.parentHex)-00")?.traceFlags == [])
    }

    @Test func futureVersionWithTrailingDataWithoutDashIsRejected() {
        #expect(TraceParent(header: "cc-\(Self.traceHex)-\(Self.parentHex)-01x") == nil)
        #expect(TraceParent(header: "cc-\(Self.traceHex)-\(Self.parentHex)-012") == nil)
    }

    @Test func futureVersionStillRejectsInvalidIDs() {
        let zeroTrace = String(repeating: "0", count: 32)
        #expect(TraceParent(header: "cc-\(zeroTrace)-\(Self.parentHex)-01-future") == nil)
        #expect(TraceParent(header: "cc-\(Self.traceHex.uppercased())-\(Self.parentHex)-01") == nil)
    }
}
