import Foundation
import Testing
import Tracez

@_spi(Benchmarks) @testable import TracezOTLP

/// OTLP/JSON's particular rules, read back with Foundation's JSON parser (a reader we did
/// not write). ``OTLPEncoderPropertyTests`` decodes random batches with the generated code.
@Suite(.timeLimit(.minutes(3))) struct OTLPJSONEncoderTests {
    static let encoder = OTLPJSONEncoder(resource: OTLPResource(serviceName: "json"))

    static func record(name: String = "span", attributes: SpanAttributes = [:]) -> SpanRecord {
        SpanRecord(
            context: SpanContext(traceID: TraceID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210), spanID: SpanID(0xA1B2_C3D4_E5F6_0718)),
            parentSpanID: nil,
            name: name,
            kind: .producer,
            startNanoseconds: UInt64.max,
            endNanoseconds: UInt64.max,
            attributes: attributes
        )
    }

    /// The first span of the request, parsed.
    static func span(_ record: SpanRecord) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(encoder.encode([record])))
        let root = try #require(object as? [String: Any])
        let resourceSpans = try #require((root["resourceSpans"] as? [[String: Any]])?.first)
        let scopeSpans = try #require((resourceSpans["scopeSpans"] as? [[String: Any]])?.first)
        return try #require((scopeSpans["spans"] as? [[String: Any]])?.first)
    }

    static func values(_ span: [String: Any]) -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for attribute in span["attributes"] as? [[String: Any]] ?? [] {
            result[attribute["key"] as? String ?? "?"] = attribute["value"] as? [String: Any]
        }
        return result
    }

    @Test func everyByteOfAStringSurvivesEscaping() throws {
        // Every ASCII byte, control characters included, and non-ASCII of each UTF-8 length.
        let text = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self) + "é日本🚀\u{2028}"
        let span = try Self.span(Self.record(name: text, attributes: [text: .string(text)]))
        #expect(span["name"] as? String == text)
        #expect(Self.values(span)[text]?["stringValue"] as? String == text)
        let raw = String(decoding: Self.encoder.encode([Self.record(name: "\u{1}\"\\\n")]), as: UTF8.self)
        #expect(raw.contains(#""name":"\u0001\"\\\n""#))
        #expect(!raw.contains("\u{1}"))
    }

    @Test func idsAreLowercaseHexAndTimesAreDecimalStrings() throws {
        let span = try Self.span(Self.record())
        #expect(span["traceId"] as? String == "0123456789abcdeffedcba9876543210")
        #expect(span["spanId"] as? String == "a1b2c3d4e5f60718")
        #expect(span["parentSpanId"] == nil)  // a root
        #expect(span["startTimeUnixNano"] as? String == "18446744073709551615")
        #expect((span["kind"] as? NSNumber)?.intValue == 4)
        #expect((span["flags"] as? NSNumber)?.intValue == 0x101)
    }

    @Test func numbersFollowProto3JSON() throws {
        let attributes: SpanAttributes = [
            "nan": .double(.nan), "inf": .double(.infinity), "-inf": .double(-.infinity),
            "negative.zero": .double(-0.0), "tiny": .double(.leastNonzeroMagnitude), "huge": .double(.greatestFiniteMagnitude),
            "third": .double(1.0 / 3), "min": .int64(.min), "max": .int64(.max), "int32": .int32(-7),
            "empty": .int64Array([]), "doubles": .doubleArray([.nan, 1.5]),
        ]
        let values = Self.values(try Self.span(Self.record(attributes: attributes)))
        #expect(values["nan"]?["doubleValue"] as? String == "NaN")
        #expect(values["inf"]?["doubleValue"] as? String == "Infinity")
        #expect(values["-inf"]?["doubleValue"] as? String == "-Infinity")
        for (key, expected) in [("negative.zero", -0.0), ("tiny", Double.leastNonzeroMagnitude), ("huge", Double.greatestFiniteMagnitude), ("third", 1.0 / 3)] {
            #expect((values[key]?["doubleValue"] as? NSNumber)?.doubleValue.bitPattern == expected.bitPattern, "\(key)")
        }
        #expect(values["min"]?["intValue"] as? String == "-9223372036854775808")
        #expect(values["max"]?["intValue"] as? String == "9223372036854775807")
        #expect(values["int32"]?["intValue"] as? String == "-7")
        #expect((values["empty"]?["arrayValue"] as? [String: Any])?.isEmpty == true)
        let doubles = (values["doubles"]?["arrayValue"] as? [String: Any])?["values"] as? [[String: Any]]
        #expect(doubles?.first?["doubleValue"] as? String == "NaN")
    }

    @Test func attributesAreInTheProtobufEncodersOrder() throws {
        var attributes = SpanAttributes()
        for key in ["url.path", "http.request.method", "é", "a", "http.request.body.size", ""] { attributes[key] = key }
        let span = try Self.span(Self.record(attributes: attributes))
        let keys = (span["attributes"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
        #expect(keys == ["", "a", "http.request.body.size", "http.request.method", "url.path", "é"])
    }

    @Test func anEmptyBatchIsValidJSON() throws {
        let object = try JSONSerialization.jsonObject(with: Data(Self.encoder.encode([])))
        let root = try #require(object as? [String: Any])
        let resourceSpans = try #require((root["resourceSpans"] as? [[String: Any]])?.first)
        let scopeSpans = try #require((resourceSpans["scopeSpans"] as? [[String: Any]])?.first)
        #expect((scopeSpans["spans"] as? [Any])?.isEmpty == true)
        #expect((scopeSpans["scope"] as? [String: Any])?["name"] as? String == "tracez")
    }
}
