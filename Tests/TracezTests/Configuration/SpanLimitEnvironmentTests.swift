import Testing
import TracezTestSupport

@testable import Tracez

/// `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT` and `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` read by
/// `TracerConfiguration(environment:)`, then a real span whose values the tracer cuts.
@Suite(.timeLimit(.minutes(3))) struct SpanLimitEnvironmentTests {
    /// The `prompt` attribute of the one span recorded with `value` set on it, by a tracer
    /// configured from `environment`.
    func recordedValue(_ value: String, environment: [String: String]) throws -> (value: String?, truncated: Int) {
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(environment: environment))
        tracer.withSpan("cut") { span in
            span.attributes["prompt"] = value
            span.attributes["short"] = "ok"
        }
        let record = try #require(collector.takeAll().first)
        #expect(record.attributes.get("short") == .string("ok"))
        guard case .string(let stored)? = record.attributes.get("prompt") else { return (nil, record.truncatedValueCount) }
        return (stored, record.truncatedValueCount)
    }

    @Test func spanValueLengthLimitCutsARecordedValue() throws {
        let environment = ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT": "10"]
        #expect(try TracerConfiguration(environment: environment).limits.maxAttributeValueBytes == 10)
        let recorded = try recordedValue("0123456789abcdef", environment: environment)
        #expect(recorded.value == "0123456789")
        #expect(recorded.truncated == 1)
    }

    @Test func generalValueLengthLimitAppliesWhenTheSpanFormIsUnset() throws {
        let environment = ["OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT": "12"]
        #expect(try TracerConfiguration(environment: environment).limits.maxAttributeValueBytes == 12)
        let recorded = try recordedValue("0123456789abcdef", environment: environment)
        #expect(recorded.value == "0123456789ab")
        #expect(recorded.truncated == 1)
    }

    @Test(arguments: [("5", "20"), ("20", "5")])
    func spanFormWinsOverTheGeneralForm(span: String, general: String) throws {
        let environment = ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT": span, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT": general]
        let limit = Int(span)!
        #expect(try TracerConfiguration(environment: environment).limits.maxAttributeValueBytes == limit)
        let value = String(repeating: "v", count: 30)
        let recorded = try recordedValue(value, environment: environment)
        #expect(recorded.value == String(repeating: "v", count: limit))
    }

    @Test func anEmptySpanFormFallsBackToTheGeneralForm() throws {
        let environment = ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT": "  ", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT": "4"]
        let recorded = try recordedValue("abcdefgh", environment: environment)
        #expect(recorded.value == "abcd")
    }

    @Test func theLimitCutsOnAScalarBoundary() throws {
        // "é" is two UTF-8 bytes: a limit of 5 would split the third one, so 4 bytes are kept.
        let recorded = try recordedValue("ééééé", environment: ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT": "5"])
        #expect(recorded.value == "éé")
        #expect(recorded.truncated == 1)
    }

    @Test func aValueWithinTheLimitIsKeptWhole() throws {
        let recorded = try recordedValue("0123456789", environment: ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT": "10"])
        #expect(recorded.value == "0123456789")
        #expect(recorded.truncated == 0)
    }

    @Test func theLimitAlsoCutsStatusMessagesAndStringArrays() throws {
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(environment: ["OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT": "3"]))
        tracer.withSpan("cut") { span in
            span.attributes["list"] = ["abcdef", "ab"]
            span.setStatus(SpanStatus(code: .error, message: "timed out"))
        }
        let record = try #require(collector.takeAll().first)
        #expect(record.attributes.get("list") == .stringArray(["abc", "ab"]))
        #expect(record.status?.message == "tim")
        #expect(record.truncatedValueCount == 2)
    }

    @Test(arguments: ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"])
    func anUnreadableLimitNamesItsVariable(_ name: String) {
        #expect {
            try TracerConfiguration(environment: [name: "-1"])
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let variable = failure.name, let value = failure.value
            else { return false }
            return variable == name && value == "-1"
        }
    }
}
