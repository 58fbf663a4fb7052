import Foundation
import Tracez

/// What a collector said about a request it took only in part: OTLP's
/// `ExportTraceServiceResponse.partial_success`.
///
/// Decoded from the body of a 2xx answer, in protobuf or OTLP/JSON. A collector that
/// accepted everything sends no `partial_success` (or one with 0 rejected and no message).
///
/// A value type; safe to share between tasks. Decoding copies what it keeps out of the
/// body, and never traps on a body it cannot read: it throws ``OTLPResponseError``.
///
/// Benchmarks SPI (`@_spi(Benchmarks) import TracezOTLP`): not part of the API users write;
/// public only so that Benchmarks/ can measure it on its own.
@_spi(Benchmarks) public struct OTLPPartialSuccess: Sendable, Equatable {
    /// Spans the collector refused; OTLP says not to send them again.
    public var rejectedSpans: Int64
    /// The collector's explanation, if any.
    public var errorMessage: String

    public init(rejectedSpans: Int64, errorMessage: String) {
        self.rejectedSpans = rejectedSpans
        self.errorMessage = errorMessage
    }

    /// Reads an `ExportTraceServiceResponse` in protobuf.
    ///
    /// - Returns: `nil` when the response has no `partial_success`, or an empty one.
    /// - Throws: ``OTLPResponseError`` for bytes that are not such a message. Never traps,
    ///   whatever the bytes.
    public static func decode(protobuf bytes: [UInt8]) throws(OTLPResponseError) -> OTLPPartialSuccess? {
        var reader = ProtobufReader(bytes[...])
        var result: OTLPPartialSuccess?
        while let (field, wireType) = try reader.tag() {
            guard field == 1, wireType == 2 else {  // partial_success
                try reader.skip(wireType)
                continue
            }
            var inner = ProtobufReader(try reader.lengthDelimited())
            var partial = OTLPPartialSuccess(rejectedSpans: 0, errorMessage: "")
            while let (innerField, innerType) = try inner.tag() {
                switch (innerField, innerType) {
                case (1, 0): partial.rejectedSpans = Int64(bitPattern: try inner.varint())
                case (2, 2):
                    let text = try inner.lengthDelimited()
                    partial.errorMessage = String(decoding: text, as: UTF8.self)
                default: try inner.skip(innerType)
                }
            }
            result = partial
        }
        guard let result, result.rejectedSpans != 0 || !result.errorMessage.isEmpty else { return nil }
        return result
    }

    /// Reads an `ExportTraceServiceResponse` in OTLP/JSON (`{"partialSuccess": {...}}`).
    ///
    /// - Returns: `nil` when there is no `partialSuccess`, or an empty one.
    /// - Throws: ``OTLPResponseError`` for text that is not such an object.
    public static func decode(json bytes: [UInt8]) throws(OTLPResponseError) -> OTLPPartialSuccess? {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw .malformed("not JSON")
        }
        guard let response = object as? [String: Any] else { throw .malformed("not a JSON object") }
        guard let partial = response["partialSuccess"] ?? response["partial_success"], !(partial is NSNull) else { return nil }
        guard let fields = partial as? [String: Any] else { throw .malformed("partialSuccess is not an object") }
        var rejected: Int64 = 0
        switch fields["rejectedSpans"] ?? fields["rejected_spans"] {
        case nil: break
        case let text as String:
            guard let value = Int64(text) else { throw .malformed("rejectedSpans is not an integer") }
            rejected = value
        case let number as NSNumber:
            guard let value = Int64(exactly: number.doubleValue) else { throw .malformed("rejectedSpans is not an integer") }
            rejected = value
        default:
            throw .malformed("rejectedSpans is not an integer")
        }
        let message = (fields["errorMessage"] ?? fields["error_message"]) as? String ?? ""
        guard rejected != 0 || !message.isEmpty else { return nil }
        return OTLPPartialSuccess(rejectedSpans: rejected, errorMessage: message)
    }
}

extension OTLPPartialSuccess {
    /// What this answer means for a request of `batchCount` spans: `nil` when none was
    /// rejected, else ``ExportError/partial(rejectedCount:retry:reason:)`` (OTLP says not to
    /// send rejected spans again), the count capped at the batch, the message at 200 characters.
    package func exportError(batchCount: Int) -> ExportError? {
        guard rejectedSpans > 0 else { return nil }
        let rejected = Int(clamping: min(rejectedSpans, Int64(batchCount)))
        let message = errorMessage.isEmpty ? "no message" : String(errorMessage.prefix(200))
        return .partial(rejectedCount: rejected, retry: [], reason: "the collector rejected \(rejectedSpans) spans: \(message)")
    }
}

/// The answers of an OTLP export call, for the transports in other modules (gRPC), which
/// do not see ``OTLPPartialSuccess`` (a Benchmarks SPI).
package enum OTLPExportResponse {
    /// What an OK answer's `ExportTraceServiceResponse`, in protobuf, means for a request of
    /// `batchCount` spans: `nil` for full success, including a body that cannot be read (the
    /// status said OK, and `partial_success` is optional).
    package static func exportError(protobuf body: [UInt8], batchCount: Int) -> ExportError? {
        guard !body.isEmpty, let partial = (try? OTLPPartialSuccess.decode(protobuf: body)) ?? nil else { return nil }
        return partial.exportError(batchCount: batchCount)
    }
}
