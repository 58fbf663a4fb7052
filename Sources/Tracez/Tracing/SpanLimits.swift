import Tracing

/// Caps on what one span may hold, so that no input can grow a span without bound.
///
/// What a limit cuts is counted on the span and travels with the export
/// (OTLP carries the dropped counts): attributes past ``maxAttributes`` are
/// dropped, string values longer than ``maxAttributeValueBytes`` are truncated
/// on a Unicode scalar boundary, events and links past their caps are dropped.
/// `stringConvertible` values are not formatted on the hot path, so they are
/// not capped here; exporters format them.
/// New attributes are dropped once a span is full; existing keys may still be updated.
public struct SpanLimits: Sendable, Hashable {
    /// Attributes per span. Default 128 (the OpenTelemetry default).
    public var maxAttributes: Int = 128
    /// UTF-8 bytes per string value (each element of a string array). Default 128 KiB:
    /// big enough for an LLM prompt, small enough that a runaway value cannot flood a collector.
    public var maxAttributeValueBytes: Int = 128 * 1024
    /// Events per span. Default 128.
    public var maxEvents: Int = 128
    /// Links per span. Default 128.
    public var maxLinks: Int = 128
    /// Attributes per event and per link. Default 128.
    public var maxAttributesPerEvent: Int = 128

    public init() {}

    /// Values below zero count as zero.
    public init(
        maxAttributes: Int = 128,
        maxAttributeValueBytes: Int = 128 * 1024,
        maxEvents: Int = 128,
        maxLinks: Int = 128,
        maxAttributesPerEvent: Int = 128
    ) {
        self.maxAttributes = max(0, maxAttributes)
        self.maxAttributeValueBytes = max(0, maxAttributeValueBytes)
        self.maxEvents = max(0, maxEvents)
        self.maxLinks = max(0, maxLinks)
        self.maxAttributesPerEvent = max(0, maxAttributesPerEvent)
    }
}

extension SpanLimits {
    /// Applies the count and length caps to `attributes` in place.
    /// Returns how many attributes were dropped and how many values truncated.
    ///
    /// Keys in `existing` are kept before new ones when the count cap bites,
    /// so updating a full span never pushes out what it already had.
    func enforce(
        on attributes: inout SpanAttributes,
        maxCount: Int,
        existing: SpanAttributes? = nil
    ) -> (dropped: Int, truncated: Int) {
        var truncated = 0
        var replacements: [(String, SpanAttribute)] = []
        attributes.forEach { key, value in
            if let shortened = truncate(value) {
                replacements.append((key, shortened))
            }
        }
        for (key, value) in replacements {
            attributes[key] = value
            truncated += 1
        }
        guard attributes.count > maxCount else { return (0, truncated) }
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
        return (overflow.count, truncated)
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
    func truncatedToUTF8Bytes(_ limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        // Step back over continuation bytes (10xxxxxx) so no scalar is split.
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 {
            end = utf8.index(before: end)
        }
        return String(unicodeScalars[..<end])
    }
}
