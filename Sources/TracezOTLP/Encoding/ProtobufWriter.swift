/// The few protobuf wire-format primitives the OTLP encoder needs, written into a growable
/// byte buffer of its own.
///
/// Written by hand rather than built from swift-protobuf's generated types: the encoder
/// writes straight from span records into bytes, with no message objects in between (see
/// ``OTLPProtobufEncoder`` for the measurement).
///
/// One pass, lengths patched after the fact: a nested message starts with room for a
/// length of a guessed width (``beginMessage(_:lengthWidth:)``), and
/// ``endMessage(_:)`` writes the length there once the body is written, moving the body
/// when the guess was wrong. Measured against computing every size first and then writing
/// (the design before this one) in the comment on ``OTLPProtobufEncoder``: the size pass read
/// every attribute dictionary three times, and a `description` that changed between two reads
/// would have made the declared length wrong. Here each value is read once.
///
/// The buffer is raw memory rather than an `[UInt8]`: appending to an array checked
/// uniqueness and capacity on every write, about 15% of the encode time (perf, same workload).
/// ``finish()`` copies the bytes into an array once. Not thread-safe and not copyable: a value
/// owned by one encode call, which frees its memory when it ends.
struct ProtobufWriter: ~Copyable {
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    /// Where a nested message's length goes, from ``beginMessage(_:lengthWidth:)``.
    struct MessageStart {
        fileprivate let offset: Int
        fileprivate let width: Int
    }

    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written, in an array of their own.
    consuming func finish() -> [UInt8] {
        guard count > 0 else { return [] }  // an empty message: a scope without name or version
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.baseAddress!.update(from: base, count: count)
            initialized = count
        }
    }

    // MARK: Room

    /// Makes room for `extra` more bytes. Every write calls it first: no write goes past the end.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if capacity - count < extra { grow(extra) }
    }

    @inline(never)
    private mutating func grow(_ extra: Int) {
        let newCapacity = max(capacity * 2, count + extra)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    // MARK: Writing

    @inline(__always)
    mutating func tag(_ field: Int, _ wireType: WireType) {
        varint(UInt64(field) << 3 | wireType.rawValue)
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        reserve(10)
        var value = value
        while value >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: value) | 0x80
            count += 1
            value >>= 7
        }
        base[count] = UInt8(value)
        count += 1
    }

    @inline(__always)
    mutating func fixed64(_ value: UInt64) {
        reserve(8)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.littleEndian, as: UInt64.self)
        count += 8
    }

    @inline(__always)
    mutating func fixed32(_ value: UInt32) {
        reserve(4)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.littleEndian, as: UInt32.self)
        count += 4
    }

    /// 8 bytes, most significant first (ids are big-endian on the wire, as in their hex form).
    @inline(__always)
    mutating func bigEndian(_ value: UInt64) {
        reserve(8)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.bigEndian, as: UInt64.self)
        count += 8
    }

    /// A `bytes` field holding `id` (a span id) in network order.
    @inline(__always)
    mutating func id(_ field: Int, _ id: UInt64) {
        tag(field, .lengthDelimited)
        varint(8)
        bigEndian(id)
    }

    /// A `bytes` field holding a trace id in network order.
    @inline(__always)
    mutating func id(_ field: Int, high: UInt64, low: UInt64) {
        tag(field, .lengthDelimited)
        varint(16)
        bigEndian(high)
        bigEndian(low)
    }

    /// A string field, written even when empty (callers skip proto3 defaults themselves).
    ///
    /// - Returns: Where the string's UTF-8 starts and how long it is.
    @inline(__always) @discardableResult
    mutating func string(_ field: Int, _ value: String) -> (offset: Int, length: Int) {
        tag(field, .lengthDelimited)
        var value = value
        return value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            let offset = count
            append(utf8)
            return (offset, utf8.count)
        }
    }

    /// Bytes already in wire form (an encoded nested message, a string's UTF-8).
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// A message already encoded, as a length-delimited field.
    @inline(__always)
    mutating func message(_ field: Int, encoded: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(encoded.count))
        encoded.withUnsafeBufferPointer { append($0) }
    }

    // MARK: Nested messages

    /// Writes the tag of a nested message and leaves `lengthWidth` bytes for its length,
    /// the width a varint of the expected length takes (1 below 128 bytes, 2 below 16 KiB).
    /// Write the body, then call ``endMessage(_:)``.
    @inline(__always)
    mutating func beginMessage(_ field: Int, lengthWidth: Int = 1) -> MessageStart {
        tag(field, .lengthDelimited)
        reserve(lengthWidth)
        let start = MessageStart(offset: count, width: lengthWidth)
        count += lengthWidth
        return start
    }

    /// Writes the length of the message begun at `start`, moving its body when the length
    /// needs another width than the one left for it.
    ///
    /// - Returns: How far the body moved (positive: towards the end), for a caller that
    ///   noted where something in it was.
    @inline(__always) @discardableResult
    mutating func endMessage(_ start: MessageStart) -> Int {
        let bodyStart = start.offset + start.width
        let length = count - bodyStart
        let width = Self.varintSize(UInt64(length))
        let shift = width - start.width
        if shift != 0 { moveBody(from: bodyStart, length: length, by: shift) }
        var value = UInt64(length)
        var index = start.offset
        while value >= 0x80 {
            base[index] = UInt8(truncatingIfNeeded: value) | 0x80
            index += 1
            value >>= 7
        }
        base[index] = UInt8(value)
        return shift
    }

    @inline(never)
    private mutating func moveBody(from offset: Int, length: Int, by shift: Int) {
        if shift > 0 { reserve(shift) }
        // copyMemory is a memmove: the ranges overlap.
        UnsafeMutableRawPointer(base + offset + shift).copyMemory(from: base + offset, byteCount: length)
        count += shift
    }

    // MARK: Sorting fields

    /// One field written among others of the same number, with the key it sorts by.
    struct SortableField {
        /// Where the field starts (its tag) and ends in the writer.
        var start: Int
        var end: Int
        /// Where its key's UTF-8 is in the writer, and its first eight bytes, big-endian,
        /// zero-padded: most keys differ there, and one integer comparison decides.
        var keyOffset: Int
        var keyLength: Int
        var keyPrefix: UInt64
    }

    /// A field that starts at `start`, ends here, and sorts by the `keyLength` bytes at `keyOffset`.
    @inline(__always)
    func sortableField(start: Int, keyOffset: Int, keyLength: Int) -> SortableField {
        var prefix: UInt64
        if keyLength >= 8 {
            prefix = UInt64(bigEndian: UnsafeRawPointer(base + keyOffset).loadUnaligned(as: UInt64.self))
        } else {
            prefix = 0
            for index in 0..<keyLength { prefix = prefix << 8 | UInt64(base[keyOffset + index]) }
            prefix <<= UInt64(8 * (8 - keyLength))
        }
        return SortableField(start: start, end: count, keyOffset: keyOffset, keyLength: keyLength, keyPrefix: prefix)
    }

    /// Puts `fields`, written one after the other and ending here, in order of their keys'
    /// UTF-8 bytes (for ASCII keys, the order `<` gives).
    ///
    /// Benchmark "OTLP protobuf encode, 4 attributes + event": sorting the attribute values
    /// before writing them copied every value and key (a retain and release each) and cost a
    /// third of the encode time; sorting the written bytes moves no reference counts.
    ///
    /// - Complexity: O(n²) comparisons (an insertion sort: a span has a handful of
    ///   attributes), then one copy of the fields' bytes if they were out of order.
    mutating func sortFields(_ fields: UnsafeMutableBufferPointer<SortableField>) {
        guard fields.count > 1 else { return }
        var moved = false
        for index in 1..<fields.count {
            let field = fields[index]
            var slot = index
            while slot > 0, isBefore(field, fields[slot - 1]) {
                fields[slot] = fields[slot - 1]
                slot -= 1
            }
            if slot != index {
                fields[slot] = field
                moved = true
            }
        }
        guard moved else { return }
        let regionStart = fields.reduce(Int.max) { min($0, $1.start) }
        let regionLength = count - regionStart
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: regionLength) { scratch in
            let scratch = scratch.baseAddress!
            scratch.update(from: base + regionStart, count: regionLength)
            var offset = regionStart
            for field in fields {
                let length = field.end - field.start
                (base + offset).update(from: scratch + (field.start - regionStart), count: length)
                offset += length
            }
        }
    }

    @inline(__always)
    private func isBefore(_ a: SortableField, _ b: SortableField) -> Bool {
        if a.keyPrefix != b.keyPrefix { return a.keyPrefix < b.keyPrefix }
        // The first eight bytes are equal: compare the rest (keys sharing a long prefix are rarer).
        let common = min(a.keyLength, b.keyLength)
        var index = 8
        while index < common {
            let left = base[a.keyOffset + index]
            let right = base[b.keyOffset + index]
            if left != right { return left < right }
            index += 1
        }
        return a.keyLength < b.keyLength
    }

    // MARK: Sizes

    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per 7 bits, at least 1.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }
}
