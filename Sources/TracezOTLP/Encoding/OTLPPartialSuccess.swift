import Foundation

/// What a collector said about a request it took only in part: OTLP's
/// `ExportTraceServiceResponse.partial_success`.
///
/// Decoded from the body of a 2xx answer, in protobuf or OTLP/JSON. A collector that
/// accepted everything sends no `partial_success` (or one with 0 rejected and no message).
public struct OTLPPartialSuccess: Sendable, Equatable {
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

/// A collector's answer could not be read.
public enum OTLPResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed OTLP response: \(reason)"
        }
    }
}

/// Reads protobuf wire format, checking every length against what is left: garbage
/// input ends in an error, never a trap or an out-of-bounds read.
struct ProtobufReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    /// The next field number and wire type; `nil` at the end.
    mutating func tag() throws(OTLPResponseError) -> (field: UInt64, wireType: UInt64)? {
        guard !bytes.isEmpty else { return nil }
        let key = try varint()
        let field = key >> 3
        guard field != 0 else { throw .malformed("field number 0") }
        return (field, key & 7)
    }

    mutating func varint() throws(OTLPResponseError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), to: 70, by: 7) {
            guard let byte = bytes.popFirst() else { throw .malformed("truncated varint") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
        }
        throw .malformed("varint longer than 10 bytes")
    }

    mutating func lengthDelimited() throws(OTLPResponseError) -> ArraySlice<UInt8> {
        let length = try varint()
        guard length <= UInt64(bytes.count) else { throw .malformed("length \(length) past the end") }
        let field = bytes.prefix(Int(length))
        bytes = bytes.dropFirst(Int(length))
        return field
    }

    mutating func skip(_ wireType: UInt64) throws(OTLPResponseError) {
        switch wireType {
        case 0: _ = try varint()
        case 1: try drop(8)
        case 2: _ = try lengthDelimited()
        case 5: try drop(4)
        default: throw .malformed("wire type \(wireType)")
        }
    }

    private mutating func drop(_ count: Int) throws(OTLPResponseError) {
        guard bytes.count >= count else { throw .malformed("truncated fixed-size field") }
        bytes = bytes.dropFirst(count)
    }
}
