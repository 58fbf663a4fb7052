/// The few protobuf wire-format primitives the OTLP encoder needs, appended to a byte array.
///
/// Written by hand rather than built from swift-protobuf's generated types: the encoder
/// writes straight from span records into bytes, with no message objects in between (see
/// ``OTLPProtobufEncoder`` for the measurement). Lengths of nested messages are computed
/// before they are written (the `…Size` functions), so nothing is moved or patched.
///
/// Not thread-safe: a value owned by one encode call.
struct ProtobufWriter {
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    // MARK: Writing

    @inline(__always)
    mutating func tag(_ field: Int, _ wireType: WireType) {
        varint(UInt64(field) << 3 | wireType.rawValue)
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    @inline(__always)
    mutating func fixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func fixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A string field, written even when empty (callers skip proto3 defaults themselves).
    @inline(__always)
    mutating func string(_ field: Int, _ value: String) {
        tag(field, .lengthDelimited)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// The header of a nested message or a bytes field: its tag and length. The caller writes the body.
    @inline(__always)
    mutating func lengthDelimitedHeader(_ field: Int, length: Int) {
        tag(field, .lengthDelimited)
        varint(UInt64(length))
    }

    /// 8 bytes, most significant first (ids are big-endian on the wire, as in their hex form).
    @inline(__always)
    mutating func bigEndian(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Bytes already in wire form (an encoded nested message).
    @inline(__always)
    mutating func appendBytes(_ message: [UInt8]) {
        bytes.append(contentsOf: message)
    }

    // MARK: Sizes

    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per 7 bits, at least 1.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// Tag plus length prefix plus body, for a length-delimited field of `length` bytes.
    /// Every field number the encoder uses is below 16, so its tag takes one byte, except
    /// `Span.flags` (16), which is fixed32 and counted where it is written.
    @inline(__always)
    static func lengthDelimitedSize(_ length: Int) -> Int {
        1 + varintSize(UInt64(length)) + length
    }
}
