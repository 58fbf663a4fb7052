import Testing
import TracezTestSupport

@testable import Tracez

/// Cases from the W3C Baggage specification (https://www.w3.org/TR/baggage/, section 3:
/// grammar, limits and examples), and hostile input the specification leaves to us.
@Suite(.timeLimit(.minutes(3))) struct BaggageTests {
    private func keys(_ header: String) -> [String] {
        Baggage(header: header).entries.map(\.key)
    }

    // MARK: - The specification's examples

    @Test func specExampleWithPropertiesAndWhitespaceParses() {
        let baggage = Baggage(header: "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue")
        #expect(
            baggage.entries == [
                Baggage.Entry(key: "key1", value: "value1", properties: ["property1", "property2"]),
                Baggage.Entry(key: "key2", value: "value2"),
                Baggage.Entry(key: "key3", value: "value3", properties: ["propertyKey=propertyValue"]),
            ]
        )
        #expect(baggage.droppedEntryCount == 0)
        #expect(baggage.headerValue == "key1=value1;property1;property2,key2=value2,key3=value3;propertyKey=propertyValue")
    }

    @Test func specSingleHeaderExampleDecodesAndFormatsBackUnchanged() {
        let header = "userId=alice,serverNode=DF%2028,isProduction=false"
        let baggage = Baggage(header: header)
        #expect(baggage["userId"] == "alice")
        #expect(baggage["serverNode"] == "DF 28")
        #expect(baggage["isProduction"] == "false")
        #expect(baggage["missing"] == nil)
        #expect(baggage.headerValue == header)
    }

    @Test func specSplitHeadersJoinedWithCommaParseAsOne() {
        let joined = ["userId =   alice", "serverNode = DF%2028, isProduction = false"].joined(separator: ",")
        #expect(Baggage(header: joined) == Baggage(header: "userId=alice,serverNode=DF%2028,isProduction=false"))
    }

    // MARK: - Whitespace

    @Test func spacesAndTabsAroundEveryPartAreTrimmed() {
        let baggage = Baggage(header: " \tk1 \t= \tv1 \t; \tp \t= \t1 \t; \tflag \t, \t k2=\tv2\t")
        #expect(baggage.entries == [Baggage.Entry(key: "k1", value: "v1", properties: ["p=1", "flag"]), Baggage.Entry(key: "k2", value: "v2")])
        #expect(baggage.headerValue == "k1=v1;p=1;flag,k2=v2")
    }

    @Test func emptyHeaderOnlyCommasAndOnlyWhitespaceGiveEmptyBaggageWithNothingDropped() {
        for header in ["", ",", ",,,", " , \t, ", "   "] {
            let baggage = Baggage(header: header)
            #expect(baggage.isEmpty, "\(header)")
            #expect(baggage == Baggage())
            #expect(baggage.droppedEntryCount == 0, "\(header)")
            #expect(baggage.headerValue == "")
        }
    }

    @Test func emptyEntriesBetweenCommasAreSkipped() {
        #expect(keys(",,a=1, ,\t,b=2,") == ["a", "b"])
    }

    @Test func emptyValueIsKept() {
        let baggage = Baggage(header: "a=,b = ;p")
        #expect(baggage.entries == [Baggage.Entry(key: "a", value: ""), Baggage.Entry(key: "b", value: "", properties: ["p"])])
        #expect(baggage.headerValue == "a=,b=;p")
    }

    // MARK: - Values

    @Test func valueMayContainEqualSigns() {
        // "Parsers MUST NOT assume that the equal sign is only used to separate key and value."
        #expect(Baggage(header: "k=a=b==")["k"] == "a=b==")
    }

    @Test(arguments: [
        ("%25", "%"),
        ("100%25", "100%"),
        ("%2C%3B%3D", ",;="),
        ("a%20b", "a b"),
        ("%C3%A9", "\u{E9}"),
        ("%c3%a9", "\u{E9}"),
        ("%E2%82%AC", "\u{20AC}"),
        ("%F0%9F%98%80", "\u{1F600}"),
        ("e%CC%81", "e\u{301}"),
        ("a+b", "a+b"),
        ("%2525", "%25"),
    ])
    func percentEncodedValueIsDecodedAsUTF8(_ encoded: String, _ decoded: String) {
        let baggage = Baggage(header: "k=\(encoded)")
        #expect(baggage["k"] == decoded)
        #expect(baggage.droppedEntryCount == 0)
    }

    @Test(arguments: ["%", "%4", "%zz", "%G1", "a%2", "%%41", "%4%41"])
    func invalidPercentSequenceDropsTheEntryAndKeepsItsNeighbours(_ value: String) {
        let baggage = Baggage(header: "first=1,k=\(value),last=2")
        #expect(baggage.entries.map(\.key) == ["first", "last"], "\(value)")
        #expect(baggage.droppedEntryCount == 1)
    }

    @Test(arguments: [
        ("%FF", "\u{FFFD}"),
        ("a%C3", "a\u{FFFD}"),
        ("%C3%28", "\u{FFFD}("),
        ("%ED%A0%80x", "\u{FFFD}\u{FFFD}\u{FFFD}x"),
    ])
    func percentEncodedBytesThatAreNotUTF8BecomeReplacementCharacters(_ encoded: String, _ decoded: String) {
        // "percent-encoded octet sequences that do not match the UTF-8 encoding scheme MUST be
        // replaced with the replacement code point (U+FFFD)."
        let baggage = Baggage(header: "k=\(encoded),next=1")
        #expect(baggage["k"] == decoded)
        #expect(baggage["next"] == "1")
        #expect(baggage.droppedEntryCount == 0)
    }

    // MARK: - Malformed entries

    @Test(arguments: [
        ("empty key", "=v"),
        ("no =", "novalue"),
        ("only properties", ";p=1"),
        ("key with space", "a b=1"),
        ("key with @ (a separator)", "a@b=1"),
        ("key with /", "a/b=1"),
        ("key with quote", "\"k\"=1"),
        ("key with non-ASCII", "k\u{E9}=1"),
        ("value with inner space", "k=a b"),
        ("value with double quote", "k=\"v\""),
        ("value with backslash", "k=a\\b"),
        ("value with control character", "k=a\u{7}b"),
        ("value with DEL", "k=a\u{7F}b"),
        ("value with raw non-ASCII", "k=caf\u{E9}"),
        ("property key with space", "k=v;p q"),
        ("property with empty key", "k=v;=1"),
        ("property value with space", "k=v;p=a b"),
        ("property value with quote", "k=v;p=\"x\""),
    ])
    func malformedEntryIsDroppedAndCountedAndItsNeighboursKept(_ reason: String, _ member: String) {
        let baggage = Baggage(header: "first=1,\(member),last=2")
        #expect(baggage.entries.map(\.key) == ["first", "last"], "\(reason)")
        #expect(baggage.droppedEntryCount == 1, "\(reason)")
    }

    @Test func everyTokenCharacterIsAValidKey() {
        let key = "!#$%&'*+-.^_`|~09azAZ"
        let baggage = Baggage(header: "\(key)=1;\(key)=2;\(key)")
        #expect(baggage[key] == "1")
        #expect(baggage.entries.first?.properties == ["\(key)=2", key])
        #expect(Baggage(header: baggage.headerValue) == baggage)
    }

    @Test func combiningMarkAfterCommaDoesNotGlueEntries() {
        // "," followed by U+0301 is one Character in Swift; the header is split on the byte.
        let baggage = Baggage(header: "a=1,\u{301}bad=2,c=3")
        #expect(baggage.entries.map(\.key) == ["a", "c"])
        #expect(baggage.droppedEntryCount == 1)
    }

    @Test func emptyPropertiesAreSkipped() {
        let baggage = Baggage(header: "k=v;;p; ;")
        #expect(baggage.entries == [Baggage.Entry(key: "k", value: "v", properties: ["p"])])
        #expect(baggage.droppedEntryCount == 0)
    }

    @Test func propertiesAreKeptAsTextNotPercentDecoded() {
        let baggage = Baggage(header: "k=v;p=%20x")
        #expect(baggage.entries.first?.properties == ["p=%20x"])
        #expect(baggage.headerValue == "k=v;p=%20x")
    }

    // MARK: - Duplicates

    @Test func duplicateKeyKeepsTheLastValueInTheFirstPlace() {
        let baggage = Baggage(header: "a=1;p,b=2,a=3;q")
        #expect(baggage.entries == [Baggage.Entry(key: "a", value: "3", properties: ["q"]), Baggage.Entry(key: "b", value: "2")])
        #expect(baggage.droppedEntryCount == 0)
        #expect(baggage.headerValue == "a=3;q,b=2")
    }

    @Test func keysAreCaseSensitive() {
        #expect(keys("a=1,A=2") == ["a", "A"])
    }

    // MARK: - Limits when parsing

    @Test func entriesPastOneHundredEightyAreDroppedAndCounted() {
        let baggage = Baggage(header: (0..<181).map { "k\($0)=v" }.joined(separator: ","))
        #expect(baggage.entries.count == Baggage.maximumEntries)
        #expect(baggage.entries.map(\.key) == (0..<180).map { "k\($0)" })
        #expect(baggage.droppedEntryCount == 1)

        #expect(Baggage(header: (0..<200).map { "k\($0)=v" }.joined(separator: ",")).droppedEntryCount == 20)
    }

    @Test func malformedEntriesDoNotCountTowardsTheEntryLimit() {
        let baggage = Baggage(header: (["bad key=1"] + (0..<180).map { "k\($0)=v" }).joined(separator: ","))
        #expect(baggage.entries.count == 180)
        #expect(baggage.entries.first?.key == "k0")
        #expect(baggage.droppedEntryCount == 1)
    }

    @Test func anEntryEndingAtByte8192IsKeptAndOneEndingPastItIsDropped() {
        let fits = "k=" + String(repeating: "x", count: 8190)
        #expect(fits.utf8.count == Baggage.maximumHeaderBytes)
        #expect(Baggage(header: fits)["k"]?.utf8.count == 8190)

        let tooLong = Baggage(header: fits + "x")
        #expect(tooLong.isEmpty)
        #expect(tooLong.droppedEntryCount == 1)
    }

    @Test func headerPast8192BytesIsCutAtAnEntryBoundary() {
        // 106 bytes per entry with its comma: 77 entries end by byte 8161, the 78th ends past 8192.
        let members = (100..<180).map { "k\($0)=" + String(repeating: "x", count: 100) }
        let header = members.joined(separator: ",")
        let baggage = Baggage(header: header)
        #expect(baggage.entries.count == 77)
        #expect(baggage.entries.allSatisfy { $0.value.utf8.count == 100 })
        #expect(baggage.droppedEntryCount == 3)
        #expect(baggage.headerValue == members.prefix(77).joined(separator: ","))
    }

    // MARK: - Formatting

    @Test func valueIsPercentEncodedExceptBaggageOctets() {
        var baggage = Baggage()
        baggage["k"] = "DF 28,a;b\"c\\d%e=f\u{E9}\u{20AC}\t\n"
        #expect(baggage.headerValue == "k=DF%2028%2Ca%3Bb%22c%5Cd%25e=f%C3%A9%E2%82%AC%09%0A")
    }

    @Test func valuesWithEveryASCIICharacterAndNonASCIITextRoundTrip() {
        let everyASCII = String(decoding: (0...0x7F).map { UInt8($0) }, as: UTF8.self)
        var baggage = Baggage()
        baggage["ascii"] = everyASCII
        baggage["reversed"] = String(everyASCII.reversed())
        baggage["text"] = "caf\u{E9} \u{65E5}\u{672C} \u{1F600} e\u{301} \u{FFFD} %41 %"
        baggage["empty"] = ""
        baggage.setValue("v", forKey: "withProperties", properties: ["p=1", "flag"])
        let header = baggage.headerValue
        #expect(header.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        let parsed = Baggage(header: header)
        #expect(parsed == baggage)
        #expect(parsed.droppedEntryCount == 0)
    }

    @Test func randomValuesRoundTrip() {
        var (generator, seed) = SplitMix.seeded()
        let pieces = ["a", "Z", "0", " ", "\t", ",", ";", "=", "%", "%25", "\"", "\\", "\u{0}", "\u{E9}", "\u{1F600}", "\u{301}", "+"]
        for _ in 0..<300 {
            var baggage = Baggage()
            for index in 0..<Int.random(in: 1...8, using: &generator) {
                let value = (0..<Int.random(in: 0...10, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
                baggage["k\(index)"] = value
            }
            #expect(Baggage(header: baggage.headerValue) == baggage, "\(baggage.headerValue) (seed \(seed))")
        }
    }

    @Test func keyThatIsNotATokenIsLeftOutAndCounted() {
        var baggage = Baggage()
        baggage["a"] = "1"
        baggage["bad key"] = "2"
        baggage[""] = "3"
        baggage["b"] = "4"
        #expect(baggage.headerValue == "a=1,b=4")
        #expect(baggage.droppedEntryCount == 2)

        // Left out for its key, not for its length: writing goes on after it.
        baggage["also bad"] = String(repeating: "x", count: 9000)
        baggage["c"] = "5"
        #expect(baggage.headerValue == "a=1,b=4,c=5")
        #expect(baggage.droppedEntryCount == 3)
    }

    @Test func entryWithAnInvalidPropertyIsLeftOutAndCounted() {
        var baggage = Baggage()
        baggage.setValue("1", forKey: "a", properties: ["ok", "p=has space"])
        baggage.setValue("2", forKey: "b", properties: [" p = 1 ", ""])
        #expect(baggage.headerValue == "b=2;p=1")
        #expect(baggage.droppedEntryCount == 1)
    }

    @Test func formattingStopsAtOneHundredEightyEntries() {
        var baggage = Baggage()
        for index in 0..<200 { baggage["k\(index)"] = "v" }
        #expect(baggage.entries.count == 200)
        let written = Baggage(header: baggage.headerValue)
        #expect(written.entries.map(\.key) == (0..<180).map { "k\($0)" })
        #expect(baggage.droppedEntryCount == 20)
    }

    @Test func formattingStopsAtAnEntryBoundaryBefore8192Bytes() {
        var baggage = Baggage()
        baggage["a"] = String(repeating: "x", count: 4000)
        baggage["b"] = String(repeating: "y", count: 4000)
        baggage["c"] = "small"
        baggage["d"] = String(repeating: "z", count: 10)
        baggage["a"] = String(repeating: "\u{E9}", count: 600)  // 1200 bytes, 3600 once encoded
        let header = baggage.headerValue
        #expect(header.utf8.count <= Baggage.maximumHeaderBytes)
        #expect(Baggage(header: header).entries.map(\.key) == ["a", "b", "c", "d"])

        // c: 600 bytes, 1800 encoded, past 8192; d would still fit, but writing stops at c.
        baggage["c"] = String(repeating: "\u{20AC}", count: 200)
        #expect(Baggage(header: baggage.headerValue).entries.map(\.key) == ["a", "b"])
        #expect(baggage.headerValue.utf8.count <= Baggage.maximumHeaderBytes)
        #expect(baggage.droppedEntryCount == 2)
    }

    @Test func aSingleEntryTooLongToWriteGivesAnEmptyHeader() {
        var baggage = Baggage()
        baggage["k"] = String(repeating: " ", count: 3000)  // 9000 bytes encoded
        #expect(baggage.headerValue == "")
        #expect(baggage.droppedEntryCount == 1)
    }

    // MARK: - Hostile input

    @Test func randomBytesNeverCrashAndWhatIsKeptRoundTrips() {
        var (generator, seed) = SplitMix.seeded()
        let alphabet = Array("ab=,;% \t%41\"\\\u{301}".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF]
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator) ?? 0 : UInt8.random(in: 0...255, using: &generator)
            }
            let baggage = Baggage(header: String(decoding: bytes, as: UTF8.self))
            #expect(baggage.entries.count <= Baggage.maximumEntries)
            #expect(Baggage(header: baggage.headerValue) == baggage, "\(bytes) (seed \(seed))")
        }
    }

    @Test func oneMegabyteHeadersAreCutAtTheLimits() {
        let megabyte = 1 << 20
        let manyEntries = Baggage(header: String(repeating: "k=v,", count: megabyte / 4))
        #expect(manyEntries.entries == [Baggage.Entry(key: "k", value: "v")])
        #expect(manyEntries.droppedEntryCount == megabyte / 4 - 8192 / 4)

        let distinct = (0..<100_000).map { "key\($0)=value" }.joined(separator: ",")
        let distinctEntries = Baggage(header: distinct)
        #expect(distinctEntries.entries.count == 180)
        #expect(distinctEntries.droppedEntryCount == 100_000 - 180)

        let oneEntry = Baggage(header: "k=" + String(repeating: "v", count: megabyte))
        #expect(oneEntry.isEmpty)
        #expect(oneEntry.droppedEntryCount == 1)

        let onlyCommas = Baggage(header: String(repeating: ",", count: megabyte))
        #expect(onlyCommas.isEmpty)
        #expect(onlyCommas.droppedEntryCount == 0)

        let garbage = Baggage(header: String(repeating: "\u{301}=;%\u{0}", count: megabyte / 8))
        #expect(garbage.isEmpty)
        #expect(garbage.droppedEntryCount == 1)
    }

    // MARK: - Editing

    @Test func settingAValueAppendsOrReplacesInPlaceAndClearsProperties() {
        var baggage = Baggage(header: "a=1;p,b=2")
        baggage["c"] = "3"
        #expect(baggage.entries.map(\.key) == ["a", "b", "c"])
        baggage["a"] = "changed"
        #expect(baggage.entries.first == Baggage.Entry(key: "a", value: "changed"))
        #expect(baggage.headerValue == "a=changed,b=2,c=3")
    }

    @Test func settingNilRemovesTheEntry() {
        var baggage = Baggage(header: "a=1,b=2,c=3")
        baggage["b"] = nil
        baggage["missing"] = nil
        #expect(baggage.entries.map(\.key) == ["a", "c"])
        baggage["a"] = nil
        baggage["c"] = nil
        #expect(baggage.isEmpty)
        #expect(baggage == Baggage())
    }

    @Test func setValueSetsProperties() {
        var baggage = Baggage()
        baggage.setValue("1", forKey: "a", properties: ["p=1"])
        baggage.setValue("2", forKey: "a", properties: ["flag"])
        #expect(baggage.entries == [Baggage.Entry(key: "a", value: "2", properties: ["flag"])])
        #expect(baggage.headerValue == "a=2;flag")
    }

    // MARK: - Equality and context

    @Test func equalityAndHashIgnoreTheDroppedCount() {
        let withDrops = Baggage(header: "a=1,bad,b=2")
        let clean = Baggage(header: "a=1,b=2")
        #expect(withDrops.droppedEntryCount == 1)
        #expect(withDrops == clean)
        #expect(Set([withDrops, clean]).count == 1)
        #expect(Baggage(header: "a=1,b=2") != Baggage(header: "b=2,a=1"))
    }

    @Test func serviceContextCarriesBaggage() {
        var context = ServiceContext.topLevel
        #expect(context.baggage == nil)
        context.baggage = Baggage(header: "a=1")
        #expect(context.baggage?["a"] == "1")
        #expect(Baggage.current.isEmpty)
        ServiceContext.withValue(context) {
            #expect(Baggage.current["a"] == "1")
        }
        context.baggage = nil
        #expect(context.baggage == nil)
    }
}
