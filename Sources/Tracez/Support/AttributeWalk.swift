import Tracing

/// What the encoders walk to write attributes: a span record (both of its attribute stores,
/// without building a dictionary, TZ-0001) or a `SpanAttributes` (events, links, resource).
package protocol AttributeWalk {
    /// How many attributes ``forEachAttribute(_:)`` calls its body with.
    var attributeCount: Int { get }
    /// Calls `body` with each attribute, in no particular order.
    func forEachAttribute(_ body: (String, SpanAttribute) -> Void)
}

extension SpanRecord: AttributeWalk {}

extension SpanAttributes: AttributeWalk {
    package var attributeCount: Int { count }
    package func forEachAttribute(_ body: (String, SpanAttribute) -> Void) { forEach(body) }
}

extension AttributeWalk {
    /// Calls `body` with each attribute in order of key, so that the same attributes are
    /// written the same way in every process (by every JSON encoding).
    ///
    /// `SpanAttributes` is a dictionary, whose order changes with each process's hash seed
    /// and with the order the keys were added; a record's typed attributes keep the order
    /// they were set in. Keys are ordered by their UTF-8 bytes (for
    /// ASCII keys, the order `<` gives), as the protobuf encoder orders its fields.
    ///
    /// - Complexity: O(n²) comparisons (an insertion sort: spans carry a handful of
    ///   attributes); keys and values are kept in temporary storage, on the stack for small
    ///   counts.
    package func forEachSortedByKey(_ body: (String, SpanAttribute) -> Void) {
        let count = attributeCount
        guard count > 1 else {
            forEachAttribute(body)
            return
        }
        withUnsafeTemporaryAllocation(of: SortKey.self, capacity: count) { keys in
            withUnsafeTemporaryAllocation(of: SpanAttribute.self, capacity: count) { values in
                var filled = 0
                forEachAttribute { key, value in
                    guard filled < count else { return }
                    let sortKey = SortKey(key, index: filled)
                    (values.baseAddress! + filled).initialize(to: value)
                    // Insert into the sorted keys; a value stays where it was put, found by index.
                    var slot = filled
                    while slot > 0, sortKey.isBefore(keys[slot - 1]) {
                        (keys.baseAddress! + slot).moveInitialize(from: keys.baseAddress! + slot - 1, count: 1)
                        slot -= 1
                    }
                    (keys.baseAddress! + slot).initialize(to: sortKey)
                    filled += 1
                }
                for position in 0..<filled {
                    body(keys[position].key, values[keys[position].index])
                }
                keys.baseAddress!.deinitialize(count: filled)
                values.baseAddress!.deinitialize(count: filled)
            }
        }
    }
}

/// An attribute key with its first eight UTF-8 bytes as a big-endian integer: most keys
/// differ there, and one integer comparison decides.
private struct SortKey {
    let key: String
    let prefix: UInt64
    let index: Int

    init(_ key: String, index: Int) {
        self.key = key
        self.index = index
        var utf8 = key
        prefix = utf8.withUTF8 { bytes in
            if bytes.count >= 8 {
                return UInt64(bigEndian: UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(as: UInt64.self))
            }
            var prefix: UInt64 = 0
            for byte in bytes { prefix = prefix << 8 | UInt64(byte) }
            return prefix << UInt64(8 * (8 - bytes.count))  // zero-padded: a shorter key sorts first
        }
    }

    @inline(__always)
    func isBefore(_ other: SortKey) -> Bool {
        if prefix != other.prefix { return prefix < other.prefix }
        return key.utf8.lexicographicallyPrecedes(other.key.utf8)
    }
}
