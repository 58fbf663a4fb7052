import GRPCCore
import GRPCProtobuf
import Testing
import Tracez

@testable import TracezOTLPGRPC

/// `ExportError.retryDelay(in:)`: the `RetryInfo` in a `grpc-status-details-bin` trailer,
/// as grpc-swift-protobuf encodes it, and never a trap on a trailer that is not one.
struct RetryInfoTests {
    /// The trailer grpc-swift-protobuf's `GoogleRPCStatus` sends.
    func trailer(_ status: GoogleRPCStatus) -> Metadata {
        RPCError(status).metadata
    }

    @Test func theDelayOfARetryInfoIsRead() {
        let metadata = trailer(GoogleRPCStatus(code: .resourceExhausted, message: "later", details: [.retryInfo(delay: .milliseconds(1500))]))
        #expect(ExportError.retryDelay(in: metadata) == .milliseconds(1500))
    }

    @Test func aRetryInfoAmongOtherDetailsIsFound() {
        let metadata = trailer(
            GoogleRPCStatus(
                code: .unavailable,
                message: "later",
                details: [.debugInfo(stack: ["a", "b"], detail: "x"), .errorInfo(reason: "quota", domain: "example.com"), .retryInfo(delay: .seconds(7))]
            ))
        #expect(ExportError.retryDelay(in: metadata) == .seconds(7))
    }

    @Test func detailsWithoutRetryInfoGiveNoDelay() {
        let metadata = trailer(GoogleRPCStatus(code: .resourceExhausted, message: "quota", details: [.errorInfo(reason: "quota", domain: "example.com")]))
        #expect(metadata[binaryValues: "grpc-status-details-bin"].contains { _ in true })
        #expect(ExportError.retryDelay(in: metadata) == nil)
    }

    @Test func aHugeDelayIsCappedAtADayAndANegativeOneIsZero() {
        let huge = trailer(GoogleRPCStatus(code: .unavailable, message: "", details: [.retryInfo(delay: .seconds(Int64.max / 2))]))
        #expect(ExportError.retryDelay(in: huge) == .seconds(86_400))
        let negative = trailer(GoogleRPCStatus(code: .unavailable, message: "", details: [.retryInfo(delay: .seconds(-5))]))
        #expect(ExportError.retryDelay(in: negative) == .zero)
    }

    @Test func garbageTrailersAreIgnored() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 5, 17, 300] {
            var metadata = Metadata()
            metadata.addBinary((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }, forKey: "grpc-status-details-bin")
            _ = ExportError.retryDelay(in: metadata)  // must not trap
        }
        var truncated = trailer(GoogleRPCStatus(code: .unavailable, message: "m", details: [.retryInfo(delay: .seconds(3))]))
        let bytes = Array(truncated[binaryValues: "grpc-status-details-bin"]).first ?? []
        truncated = Metadata()
        truncated.addBinary(Array(bytes.dropLast(3)), forKey: "grpc-status-details-bin")
        #expect(ExportError.retryDelay(in: truncated) == nil)
    }

    /// A Status packed in `Any`s, nested deeper than one: read to one level only, whatever the
    /// depth the bytes ask for.
    @Test func nestedAnysAreUnpackedOnceOnly() {
        let status =
            Array(trailer(GoogleRPCStatus(code: .unavailable, message: "", details: [.retryInfo(delay: .seconds(2))]))[binaryValues: "grpc-status-details-bin"])
            .first ?? []
        func packed(_ value: [UInt8]) -> [UInt8] {
            let typeURL = Array("type.googleapis.com/google.rpc.Status".utf8)
            return [0x0A, UInt8(typeURL.count)] + typeURL + [0x12] + varint(value.count) + value
        }
        func varint(_ value: Int) -> [UInt8] {
            var value = UInt64(value)
            var bytes: [UInt8] = []
            while value >= 0x80 {
                bytes.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            return bytes + [UInt8(value)]
        }
        var once = Metadata()
        once.addBinary(packed(status), forKey: "grpc-status-details-bin")
        #expect(ExportError.retryDelay(in: once) == .seconds(2))
        var deep = status
        for _ in 0..<1_000 { deep = packed(deep) }
        var nested = Metadata()
        nested.addBinary(deep, forKey: "grpc-status-details-bin")
        #expect(ExportError.retryDelay(in: nested) == nil)
    }
}
