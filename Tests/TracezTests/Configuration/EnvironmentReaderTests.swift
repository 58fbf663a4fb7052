import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct EnvironmentReaderTests {
    /// The error `read` threw, checked to be an invalid environment variable.
    private func failure(_ read: () throws -> Void) -> TracezError? {
        do {
            try read()
            Issue.record("the value was accepted")
            return nil
        } catch let error as TracezError {
            #expect(error.code == .invalidEnvironmentVariable)
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    // MARK: Absent values

    @Test(arguments: [nil, "", "   ", "\t\n"])
    func unsetEmptyOrBlankIsAbsent(_ raw: String?) throws {
        let reader = EnvironmentReader(raw.map { ["X": $0] } ?? [:])
        #expect(reader.string("X") == nil)
        #expect(try reader.bool("X") == nil)
        #expect(try reader.integer("X", in: 0...10) == nil)
        #expect(try reader.number("X", in: 0...1) == nil)
        #expect(try reader.milliseconds("X", atLeast: 1) == nil)
        #expect(try reader.seconds("X", in: 0...10) == nil)
        #expect(try reader.keyValueList("X") == nil)
        #expect(try reader.url("X", redacted: { $0 }, { $0 }) == nil)
    }

    @Test func surroundingWhitespaceIsIgnored() {
        #expect(EnvironmentReader(["X": "  value \t"]).string("X") == "value")
    }

    @Test func theFirstSetVariableWins() {
        let reader = EnvironmentReader(["SPECIFIC": " ", "GENERAL": "g", "OTHER": "o"])
        #expect(reader.first(of: ["SPECIFIC", "GENERAL", "OTHER"])?.name == "GENERAL")
        #expect(reader.first(of: ["SPECIFIC", "GENERAL", "OTHER"])?.value == "g")
        #expect(reader.first(of: ["SPECIFIC"]) == nil)
    }

    // MARK: Booleans

    @Test(arguments: [("true", true), ("TRUE", true), (" True ", true), ("1", true), ("false", false), ("False", false), ("0", false), (" 0\n", false)])
    func booleansAreTrueFalseOneOrZeroInAnyCase(_ raw: String, _ expected: Bool) throws {
        #expect(try EnvironmentReader(["FLAG": raw]).bool("FLAG") == expected)
    }

    @Test(arguments: ["yes", "no", "on", "2", "-1", "t", "truee"])
    func otherBooleansNameTheVariable(_ raw: String) throws {
        let error = try #require(failure { _ = try EnvironmentReader(["SOME_FLAG": raw]).bool("SOME_FLAG") })
        #expect(error.name == "SOME_FLAG")
        #expect(error.value == raw)
        #expect("\(error)".contains("SOME_FLAG"))
    }

    // MARK: Integers

    @Test func integersAreDecimalWithinTheirBounds() throws {
        let reader = EnvironmentReader(["LOW": "1", "HIGH": " 10 ", "SIGNED": "+5"])
        #expect(try reader.integer("LOW", in: 1...10) == 1)
        #expect(try reader.integer("HIGH", in: 1...10) == 10)
        #expect(try reader.integer("SIGNED", in: 0...10) == 5)
    }

    @Test(arguments: ["0", "11", "-1", "1.5", "0x10", "1e3", "ten", "99999999999999999999"])
    func integersOutOfBoundsOrNotDecimalNameTheVariable(_ raw: String) throws {
        let error = try #require(failure { _ = try EnvironmentReader(["COUNT": raw]).integer("COUNT", in: 1...10) })
        #expect(error.name == "COUNT")
        #expect(error.value == raw)
        #expect(error.reason?.contains("from 1 to 10") == true)
    }

    @Test func integersStopAtTheMaximum() throws {
        let raw = "\(EnvironmentReader.maximum + 1)"
        let error = try #require(failure { _ = try EnvironmentReader(["BIG": raw]).integer("BIG", in: 0...Int.max) })
        #expect(error.reason?.contains("\(EnvironmentReader.maximum)") == true)
    }

    // MARK: Numbers

    @Test func numbersAreFiniteDecimalsWithinTheirBounds() throws {
        let reader = EnvironmentReader(["RATIO": "0.25", "ONE": "1", "TINY": "1e-3"])
        #expect(try reader.number("RATIO", in: 0...1) == 0.25)
        #expect(try reader.number("ONE", in: 0...1) == 1)
        #expect(try reader.number("TINY", in: 0...1) == 0.001)
    }

    @Test(arguments: ["1.5", "-0.1", "nan", "inf", "half"])
    func numbersOutOfBoundsNameTheVariable(_ raw: String) throws {
        let error = try #require(failure { _ = try EnvironmentReader(["RATIO": raw]).number("RATIO", in: 0...1) })
        #expect(error.name == "RATIO")
    }

    // MARK: Durations

    @Test func millisecondsAreWholeMilliseconds() throws {
        #expect(try EnvironmentReader(["DELAY": "250"]).milliseconds("DELAY", atLeast: 1) == .milliseconds(250))
        let error = try #require(failure { _ = try EnvironmentReader(["DELAY": "0.5"]).milliseconds("DELAY", atLeast: 1) })
        #expect(error.name == "DELAY")
        #expect(failure { _ = try EnvironmentReader(["DELAY": "0"]).milliseconds("DELAY", atLeast: 1) } != nil)
    }

    @Test func secondsTakeAFraction() throws {
        let reader = EnvironmentReader(["INTERVAL": "1.5", "TIMEOUT": "10"])
        #expect(try reader.seconds("INTERVAL", in: 0.001...60) == .milliseconds(1500))
        #expect(try reader.seconds("TIMEOUT", in: 0.001...60) == .seconds(10))
        let error = try #require(failure { _ = try EnvironmentReader(["INTERVAL": "soon"]).seconds("INTERVAL", in: 0.001...60) })
        #expect(error.name == "INTERVAL")
    }

    // MARK: URLs

    struct Refused: Error, CustomStringConvertible {
        var description: String { "not a URL this module takes" }
    }

    @Test func urlsAreParsedByTheCallerAndShownRedacted() throws {
        let reader = EnvironmentReader(["SERVER": " https://user:Zq7xW9kPv3Lm@example.com/x "])
        #expect(try reader.url("SERVER", redacted: { $0 }, { $0 }) == "https://user:Zq7xW9kPv3Lm@example.com/x")
        let error = try #require(
            failure {
                _ = try reader.url("SERVER", redacted: { _ in "https://example.com/x" }) { (_: String) throws -> String in throw Refused() }
            })
        #expect(error.name == "SERVER")
        #expect(error.value == "https://example.com/x")
        #expect(error.reason == "not a URL this module takes")
        #expect(!"\(error)".contains("Zq7xW9kPv3Lm"))
    }

    // MARK: Key=value lists

    @Test func keyValueListsAreTrimmedAndPercentDecoded() throws {
        let list = try EnvironmentReader(["LIST": " a = 1 ,, b=x%2Cy%20z ,"]).keyValueList("LIST")
        let pairs = try #require(list)
        #expect(pairs.map(\.key) == ["a", "b"])
        #expect(pairs.map(\.value) == ["1", "x,y z"])
    }

    @Test(arguments: [("novalue", 1, "expected key=value"), ("a=1,=2", 2, "key"), ("a=%zz", 1, "%-escape"), ("a=%e9", 1, "UTF-8")])
    func malformedEntriesAreNamedByPosition(_ raw: String, _ position: Int, _ why: String) throws {
        let error = try #require(failure { _ = try EnvironmentReader(["LIST": raw]).keyValueList("LIST", entry: "member") })
        #expect(error.name == "LIST")
        #expect(error.reason?.contains("member \(position)") == true, "\(error)")
        #expect(error.reason?.contains(why) == true, "\(error)")
    }

    @Test func aCheckRefusesADecodedPair() throws {
        let error = try #require(
            failure {
                _ = try EnvironmentReader(["LIST": "a=1,b=2"]).keyValueList("LIST") { key, _ in key == "b" ? "b is not allowed" : nil }
            })
        #expect(error.reason?.contains("entry 2") == true)
        #expect(error.reason?.contains("b is not allowed") == true)
    }

    // MARK: Secrets

    @Test(arguments: ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "LANGFUSE_SECRET_KEY", "SOME_API_TOKEN", "DB_PASSWORD"])
    func aSecretIsNeverEchoed(_ name: String) throws {
        let secret = "Zq7xW9kPv3Lm"
        #expect(EnvironmentReader.isSecret(name))
        let reader = EnvironmentReader([name: "x-api-key=\(secret),\(secret)-rest"])
        for error in [
            failure { _ = try reader.keyValueList(name) },
            failure { _ = try reader.bool(name) },
            failure { _ = try reader.integer(name, in: 0...1) },
            failure { _ = try reader.url(name, redacted: { $0 }) { (_: String) throws -> String in throw Refused() } },
        ] {
            let error = try #require(error)
            #expect(error.name == name)
            #expect(error.value == "[redacted]")
            #expect(!"\(error)".contains(secret) && !String(reflecting: error).contains(secret), "\(error)")
        }
    }

    @Test func anOrdinaryValueIsShown() {
        #expect(!EnvironmentReader.isSecret("OTEL_SERVICE_NAME"))
        let error = failure { _ = try EnvironmentReader(["OTEL_SDK_DISABLED": "maybe"]).bool("OTEL_SDK_DISABLED") }
        #expect(error?.value == "maybe")
    }
}
