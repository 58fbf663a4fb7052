import Synchronization
import Tracing

/// Caps on what one span may hold, so that no input can grow a span without bound.
///
/// What a limit cuts is counted on the span, summed in its collector's
/// ``CollectorStatistics/spanLimits``, and travels with the export (``SpanRecord`` carries the
/// dropped counts): attributes past ``maxAttributes`` are dropped, and so are attributes
/// whose key is empty or only white space (OpenTelemetry requires a key); strings are cut
/// on a Unicode scalar boundary: values and status messages to ``maxAttributeValueBytes``,
/// span and event names to ``maxNameBytes``, keys to ``maxAttributeKeyBytes``; events and
/// links past their caps are dropped.
/// `stringConvertible` values are not formatted on the hot path: exporters format each once,
/// at export, and cut it to ``maxAttributeValueBytes`` there (counted in ``truncatedAtExportCount``).
/// New attributes are dropped once a span is full; existing keys may still be updated.
public struct SpanLimits: Sendable, Hashable {
    /// Attributes per span. Default 128 (the OpenTelemetry default).
    public var maxAttributes: Int
    /// UTF-8 bytes per string value (each element of a string array). Default 128 KiB:
    /// big enough for an LLM prompt, small enough that a runaway value cannot flood a collector.
    public var maxAttributeValueBytes: Int
    /// Events per span. Default 128.
    public var maxEvents: Int
    /// Links per span. Default 128.
    public var maxLinks: Int
    /// Attributes per event and per link. Default 128.
    public var maxAttributesPerEvent: Int
    /// UTF-8 bytes per span name and event name. Default 1 KiB: names identify an operation
    /// and are shown in lists; OpenTelemetry sets no limit, backends cut far shorter.
    public var maxNameBytes: Int
    /// UTF-8 bytes per attribute key (on spans, events and links). Default 256: a key names
    /// a field; a longer one is almost always a value given as a key by mistake.
    public var maxAttributeKeyBytes: Int

    /// Values below zero count as zero; names and keys keep at least one byte.
    public init(
        maxAttributes: Int = 128,
        maxAttributeValueBytes: Int = 128 * 1024,
        maxEvents: Int = 128,
        maxLinks: Int = 128,
        maxAttributesPerEvent: Int = 128,
        maxNameBytes: Int = 1024,
        maxAttributeKeyBytes: Int = 256
    ) {
        self.maxAttributes = max(0, maxAttributes)
        self.maxAttributeValueBytes = max(0, maxAttributeValueBytes)
        self.maxEvents = max(0, maxEvents)
        self.maxLinks = max(0, maxLinks)
        self.maxAttributesPerEvent = max(0, maxAttributesPerEvent)
        self.maxNameBytes = max(1, maxNameBytes)
        self.maxAttributeKeyBytes = max(1, maxAttributeKeyBytes)
    }

    /// `stringConvertible` values cut at export since the process started (exporters format
    /// them only then, when the span record can no longer count them).
    public static var truncatedAtExportCount: Int { truncatedAtExport.load(ordering: .relaxed) }
    private static let truncatedAtExport = Atomic<Int>(0)

    /// The text of a `stringConvertible` attribute value, for an exporter: formatted now, and
    /// cut to `maxBytes` on a scalar boundary (counted in ``truncatedAtExportCount``).
    package static func exportText(_ value: any CustomStringConvertible, maxBytes: Int) -> String {
        let text = value.description
        guard text.utf8.count > maxBytes else { return text }
        truncatedAtExport.add(1, ordering: .relaxed)
        return text.truncatedToUTF8Bytes(maxBytes)
    }

    /// `text` within `limit` bytes, and whether it was cut.
    @inline(__always)
    func capped(_ text: String, to limit: Int) -> (text: String, cut: Bool) {
        // `utf8.count` is O(1) for native strings: the usual, short name costs one comparison.
        guard text.utf8.count > limit else { return (text, false) }
        return (text.truncatedToUTF8Bytes(limit), true)
    }
}

extension SpanLimits {
    /// Applies the key rules and the count and length caps to `attributes` in place.
    /// Returns how many attributes were dropped and how many strings (values, keys) cut.
    ///
    /// Keys in `existing` are kept before new ones when the count cap bites,
    /// so updating a full span never pushes out what it already had.
    func enforce(
        on attributes: inout SpanAttributes,
        maxCount: Int,
        existing: SpanAttributes? = nil
    ) -> (dropped: Int, truncated: Int) {
        var truncated = 0
        var dropped = 0
        var replacements: [(String, SpanAttribute)] = []
        var badKeys: [String] = []
        let maxKeyBytes = maxAttributeKeyBytes
        attributes.forEach { key, value in
            if key.utf8.count > maxKeyBytes || Self.isBlank(key) {
                badKeys.append(key)
            } else if let shortened = truncate(value) {
                replacements.append((key, shortened))
            }
        }
        for (key, value) in replacements {
            attributes[key] = value
            truncated += 1
        }
        for key in badKeys {
            let value = attributes.get(key)
            attributes[key] = nil
            let shortKey = key.truncatedToUTF8Bytes(maxKeyBytes)
            // A blank key is no key; a cut key that now names another attribute loses to it.
            guard let value, !Self.isBlank(shortKey), attributes.get(shortKey) == nil else {
                dropped += 1
                continue
            }
            let shortened = truncate(value)
            attributes.set(shortKey, value: shortened ?? value)
            truncated += shortened == nil ? 1 : 2
        }
        guard attributes.count > maxCount else { return (dropped, truncated) }
        var overflow: [String] = []
        var kept = 0
        // First pass keeps the keys the span already had.
        attributes.forEach { key, _ in
            if existing?.get(key) != nil {
                kept += 1
            }
        }
        attributes.forEach { key, _ in
            guard existing?.get(key) == nil else { return }
            if kept < maxCount {
                kept += 1
            } else {
                overflow.append(key)
            }
        }
        for key in overflow { attributes[key] = nil }
        return (dropped + overflow.count, truncated)
    }

    /// Whether `key` is empty or only white space: no key, for OpenTelemetry.
    @inline(__always)
    static func isBlank(_ key: String) -> Bool {
        guard let first = key.utf8.first else { return true }
        // Most keys start with a letter: one comparison settles them.
        guard first <= 0x20 || first >= 0x80 else { return false }
        return key.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }

    /// A shortened copy of `value` if it is over the length cap, else `nil`.
    func truncate(_ value: SpanAttribute) -> SpanAttribute? {
        let limit = maxAttributeValueBytes
        switch value {
        case .string(let string):
            guard string.utf8.count > limit else { return nil }
            return .string(string.truncatedToUTF8Bytes(limit))
        case .stringArray(let strings):
            guard strings.contains(where: { $0.utf8.count > limit }) else { return nil }
            return .stringArray(strings.map { $0.utf8.count > limit ? $0.truncatedToUTF8Bytes(limit) : $0 })
        default:
            // Numbers and booleans are fixed size. `stringConvertible` values are
            // only formatted on the export side (never on the hot path), which caps them then.
            return nil
        }
    }
}

extension String {
    /// The longest prefix of at most `limit` UTF-8 bytes that ends on a Unicode scalar boundary.
    package func truncatedToUTF8Bytes(_ limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        // Step back over continuation bytes (10xxxxxx) so no scalar is split.
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 {
            end = utf8.index(before: end)
        }
        return String(unicodeScalars[..<end])
    }
}
