/// Reads protobuf wire format, checking every length against what is left: garbage
/// input ends in an error, never a trap or an out-of-bounds read.
package struct ProtobufReader {
    private var bytes: ArraySlice<UInt8>

    package init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    /// The next field number and wire type; `nil` at the end.
    package mutating func tag() throws(OTLPResponseError) -> (field: UInt64, wireType: UInt64)? {
        guard !bytes.isEmpty else { return nil }
        let key = try varint()
        let field = key >> 3
        guard field != 0 else { throw .malformed("field number 0") }
        return (field, key & 7)
    }

    package mutating func varint() throws(OTLPResponseError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), to: 70, by: 7) {
            guard let byte = bytes.popFirst() else { throw .malformed("truncated varint") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
        }
        throw .malformed("varint longer than 10 bytes")
    }

    package mutating func lengthDelimited() throws(OTLPResponseError) -> ArraySlice<UInt8> {
        let length = try varint()
        guard length <= UInt64(bytes.count) else { throw .malformed("length \(length) past the end") }
        let field = bytes.prefix(Int(length))
        bytes = bytes.dropFirst(Int(length))
        return field
    }

    package mutating func skip(_ wireType: UInt64) throws(OTLPResponseError) {
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
