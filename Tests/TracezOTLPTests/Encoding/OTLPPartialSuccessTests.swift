import Foundation
import OTLPProto
import Testing

@_spi(Benchmarks) @testable import TracezOTLP

@Suite(.timeLimit(.minutes(3))) struct OTLPPartialSuccessTests {
    typealias Response = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse

    /// A response as a collector writes it, by the generated code.
    static func response(rejected: Int64, message: String) throws -> [UInt8] {
        var response = Response()
        response.partialSuccess.rejectedSpans = rejected
        response.partialSuccess.errorMessage = message
        return try response.serializedBytes()
    }

    @Test func protobufPartialSuccessIsRead() throws {
        let bytes = try Self.response(rejected: 7, message: "span name too long ü")
        #expect(try OTLPPartialSuccess.decode(protobuf: bytes) == OTLPPartialSuccess(rejectedSpans: 7, errorMessage: "span name too long ü"))
    }

    @Test func emptyResponsesMeanFullSuccess() throws {
        #expect(try OTLPPartialSuccess.decode(protobuf: []) == nil)
        #expect(try OTLPPartialSuccess.decode(protobuf: try Response().serializedBytes()) == nil)
        #expect(try OTLPPartialSuccess.decode(protobuf: try Self.response(rejected: 0, message: "")) == nil)
        #expect(try OTLPPartialSuccess.decode(json: Array("{}".utf8)) == nil)
        #expect(try OTLPPartialSuccess.decode(json: Array(#"{"partialSuccess":{}}"#.utf8)) == nil)
    }

    @Test func unknownFieldsAreSkipped() throws {
        var bytes: [UInt8] = [0x10, 0x96, 0x01]  // field 2, varint 150: not in the message
        bytes += try Self.response(rejected: 2, message: "x")
        bytes += [0x1A, 0x02, 0x41, 0x42]  // field 3, two bytes
        #expect(try OTLPPartialSuccess.decode(protobuf: bytes)?.rejectedSpans == 2)
    }

    @Test func jsonPartialSuccessIsRead() throws {
        // OTLP/JSON writes int64 as a string; some collectors write a number.
        let asString = Array(#"{"partialSuccess":{"rejectedSpans":"3","errorMessage":"quota"}}"#.utf8)
        #expect(try OTLPPartialSuccess.decode(json: asString) == OTLPPartialSuccess(rejectedSpans: 3, errorMessage: "quota"))
        let asNumber = Array(#"{"partialSuccess":{"rejectedSpans":4}}"#.utf8)
        #expect(try OTLPPartialSuccess.decode(json: asNumber)?.rejectedSpans == 4)
        // What swift-protobuf's JSON encoder writes for the same message.
        var response = Response()
        response.partialSuccess.rejectedSpans = 5
        let generated: [UInt8] = try response.jsonUTF8Bytes()
        #expect(try OTLPPartialSuccess.decode(json: generated)?.rejectedSpans == 5)
    }

    @Test(arguments: [
        [UInt8]([0xFF]),  // a truncated varint
        [0x0A, 0x10, 0x08],  // a length past the end
        [0x0F],  // wire type 7
        [0x00, 0x01],  // field 0
        Array(repeating: 0xFF, count: 11) + [0x01],  // a varint over 10 bytes
        Array("<html>502 Bad Gateway</html>".utf8),
    ])
    func garbageProtobufIsAnErrorNotACrash(_ bytes: [UInt8]) {
        #expect(throws: OTLPResponseError.self) { try OTLPPartialSuccess.decode(protobuf: bytes) }
    }

    @Test(arguments: ["not json", "[1,2]", #"{"partialSuccess":5}"#, #"{"partialSuccess":{"rejectedSpans":"many"}}"#])
    func garbageJSONIsAnErrorNotACrash(_ text: String) {
        #expect(throws: OTLPResponseError.self) { try OTLPPartialSuccess.decode(json: Array(text.utf8)) }
    }
}
