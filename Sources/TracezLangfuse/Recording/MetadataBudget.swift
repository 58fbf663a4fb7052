import Tracez

/// How metadata shares a span's attributes with the typed fields, so that metadata never
/// costs a generation its model, usage, cost, input or output.
///
/// A span holds at most `SpanLimits.maxAttributes` attributes (128 by default) and drops
/// any beyond. Metadata entries (`langfuse.observation.metadata.<key>`,
/// `langfuse.trace.metadata.<key>`) may take attributes of their own only while the span
/// has fewer than ``keyBudget(maxAttributes:)``: the last ``reservedAttributes`` are kept
/// for the typed fields. Entries past that are merged into one attribute holding a JSON
/// object (`langfuse.observation.metadata`, `langfuse.trace.metadata`), a form Langfuse's
/// OTel endpoint reads as the metadata whole; an entry that does not fit there either
/// (more than ``maxMergedEntries``, or the object over the value cap) is left out and counted.
///
/// Thread-safety: stateless; called under the span's lock, inside `updateAttributes`.
enum MetadataBudget {
    /// Attributes kept for the typed fields (there are 21 of them, type, model, usage, cost,
    /// input, output, prompt and the trace's among them) and a few of the span's own.
    static let reservedAttributes = 32

    /// Entries merged into the one JSON value at most: the merge rewrites that value, so
    /// its cost is bounded too.
    static let maxMergedEntries = 256

    /// How many attributes a span may hold before metadata entries are merged.
    static func keyBudget(maxAttributes: Int) -> Int {
        max(0, maxAttributes - reservedAttributes)
    }

    /// Sets the metadata entry `key`: as the attribute `prefix + key` (`attribute`) while the span
    /// has room, or when that attribute is there already; otherwise as a member (`value`) of
    /// the JSON object in the attribute `merged`.
    ///
    /// - Returns: `false` when the entry was left out: the merged object is full, or would
    ///   be over `maxMergedBytes`.
    static func set(
        _ key: String,
        value: JSONValue,
        attribute: SpanAttribute,
        prefix: String,
        merged: String,
        in attributes: inout SpanAttributes,
        budget: Int,
        maxMergedBytes: Int
    ) -> Bool {
        let name = prefix + key
        if attributes.get(name) != nil || attributes.count < budget {
            attributes[name] = attribute
            return true
        }
        var entries: [String: JSONValue] = [:]
        if case .string(let current)? = attributes.get(merged), case .object(let parsed)? = JSONParser.parse(current) {
            entries = parsed
        }
        guard entries[key] != nil || entries.count < maxMergedEntries else { return false }
        entries[key] = value
        let mergedText = JSONValue.object(entries).jsonText
        guard mergedText.utf8.count <= maxMergedBytes else { return false }
        attributes[merged] = mergedText
        return true
    }

    /// The entries of a `merged` attribute's JSON object, as the ingestion encoder reads them.
    static func entries(of attribute: SpanAttribute?) -> [String: JSONValue] {
        guard case .string(let text)? = attribute, case .object(let entries)? = JSONParser.parse(text) else { return [:] }
        return entries
    }
}
