import Tracing

/// The attributes set through Tracez's typed setters (`span.set("http.route", "/users")`):
/// kept beside swift-distributed-tracing's `SpanAttributes` dictionary, without hashing a key
/// or copying a 41-byte `SpanAttribute` (TZ-0001).
///
/// The first ``inlineCapacity`` live inline, in the span itself: a span with up to that many
/// typed attributes allocates nothing for them. More go to an array. Lookups are linear,
/// which for the handful of attributes a span carries is faster than hashing the key; a span
/// with more than ``SpanLimits/maxAttributes`` has none past the cap anyway.
///
/// A value owned by its span's state, under the span's lock.
package struct CompactAttributes: Sendable {
    /// A typed attribute value: the four kinds of OpenTelemetry's scalar attributes.
    package enum Value: Sendable, Hashable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)

        /// The same value as swift-distributed-tracing's type, for the standard getter.
        var spanAttribute: SpanAttribute {
            switch self {
            case .string(let value): .string(value)
            case .int(let value): .int64(value)
            case .double(let value): .double(value)
            case .bool(let value): .bool(value)
            }
        }
    }

    typealias Entry = (key: String, value: Value)

    /// Attributes kept inline before the array: enough for a typical span (4 attributes).
    static let inlineCapacity = 4

    private var inline: InlineArray<4, Entry?> = InlineArray(repeating: nil)
    private var overflow: [Entry] = []
    /// Entries held, inline and in the array. 32 bits, last: the span's small fields that
    /// follow fill the rest of the word (retained bytes per buffered span, `Docs/Performance.md`).
    private var storedCount: UInt32 = 0

    /// Entries held, inline and in the array.
    var count: Int { Int(storedCount) }

    var isEmpty: Bool { storedCount == 0 }

    /// The index of `key`, inline (0..<inlineCapacity) or past it into the array.
    ///
    /// Benchmark "Span start+end, 4 attributes + event, typed setters (Tracer)": keys are
    /// compared by UTF-8 length first, which `String` holds, so distinct keys of different
    /// lengths (most of them) never reach `String ==`'s byte comparison.
    private func index(of key: String) -> Int? {
        let length = key.utf8.count
        for index in 0..<min(count, Self.inlineCapacity) {
            if let entry = inline[index], entry.key.utf8.count == length, entry.key == key { return index }
        }
        guard count > Self.inlineCapacity else { return nil }
        for (offset, entry) in overflow.enumerated() where entry.key.utf8.count == length && entry.key == key {
            return Self.inlineCapacity + offset
        }
        return nil
    }

    func value(forKey key: String) -> Value? {
        guard let index = index(of: key) else { return nil }
        return index < Self.inlineCapacity ? inline[index]?.value : overflow[index - Self.inlineCapacity].value
    }

    func contains(_ key: String) -> Bool { index(of: key) != nil }

    /// Replaces the value of `key` if it is held; returns whether it was.
    mutating func replace(_ key: String, with value: Value) -> Bool {
        guard let index = index(of: key) else { return false }
        if index < Self.inlineCapacity {
            inline[index] = (key, value)
        } else {
            overflow[index - Self.inlineCapacity].value = value
        }
        return true
    }

    /// Adds `key`, which the caller checked is not held.
    mutating func append(_ key: String, _ value: Value) {
        if count < Self.inlineCapacity {
            inline[count] = (key, value)
        } else {
            // Room for as many again at once, rather than growing by doubling from one (a
            // Langfuse generation's attributes reallocated the array twice).
            if overflow.isEmpty { overflow.reserveCapacity(Self.inlineCapacity) }
            overflow.append((key, value))
        }
        storedCount += 1
    }

    /// Removes `key` if it is held, keeping the order of the others.
    mutating func remove(_ key: String) {
        guard contains(key) else { return }
        var kept = CompactAttributes()
        forEach { entryKey, entryValue in if entryKey != key { kept.append(entryKey, entryValue) } }
        self = kept
    }

    /// Calls `body` with each entry, in the order they were added.
    func forEach(_ body: (String, Value) throws -> Void) rethrows {
        for index in 0..<min(count, Self.inlineCapacity) {
            if let entry = inline[index] { try body(entry.key, entry.value) }
        }
        for entry in overflow { try body(entry.key, entry.value) }
    }

    /// Cuts string values to `limit` UTF-8 bytes; returns how many it cut.
    mutating func truncateStrings(to limit: Int) -> Int {
        var cut = 0
        for index in 0..<min(count, Self.inlineCapacity) {
            if case (let key, .string(let text))? = inline[index], text.utf8.count > limit {
                inline[index] = (key, .string(text.truncatedToUTF8Bytes(limit)))
                cut += 1
            }
        }
        for index in overflow.indices {
            if case .string(let text) = overflow[index].value, text.utf8.count > limit {
                overflow[index].value = .string(text.truncatedToUTF8Bytes(limit))
                cut += 1
            }
        }
        return cut
    }
}
