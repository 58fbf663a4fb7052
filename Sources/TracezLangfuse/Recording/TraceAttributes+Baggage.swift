import Tracez

/// Trace fields as W3C baggage entries, under the keys the Langfuse Python SDK uses
/// (`propagate_attributes(..., as_baggage=True)`), so that Tracez and Python services read
/// each other's.
extension TraceAttributes {
    /// The baggage keys, as the Python SDK names them.
    enum BaggageKey {
        static let prefix = "langfuse_"
        static let userID = "langfuse_user_id"
        static let sessionID = "langfuse_session_id"
        static let version = "langfuse_version"
        static let tags = "langfuse_tags"
        static let traceName = "langfuse_trace_name"
        static let environment = "langfuse_environment"
        /// Followed by the metadata key.
        static let metadataPrefix = "langfuse_metadata_"
        /// Keys the Python SDK sends for its own use; never read as metadata.
        static let ignoredPrefixes = ["langfuse_trace_id", "langfuse_prompt_", "langfuse_experiment_"]
    }

    /// The entries ``TracePropagation/baggage`` puts in the context, in a fixed order.
    ///
    /// Tags travel as one entry, joined with `,` (a tag holding a comma is split by the
    /// receiver); release and `isPublic` do not travel (see ``TracePropagation/baggage``).
    ///
    /// A value over ``maxFieldCharacters`` is left out, as the Python SDK leaves it out: the
    /// receiver would drop it, and it would take room in a header limited to 8 192 bytes.
    var baggageEntries: [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = []
        func add(_ key: String, _ value: String?) {
            if let value, Self.fits(value) { entries.append((key, value)) }
        }
        add(BaggageKey.userID, userID)
        add(BaggageKey.sessionID, sessionID)
        add(BaggageKey.version, version)
        add(BaggageKey.traceName, name)
        add(BaggageKey.environment, environment)
        let sentTags = tags.filter { Self.fits($0) && !$0.isEmpty }
        if !sentTags.isEmpty { entries.append((BaggageKey.tags, sentTags.joined(separator: ","))) }
        for key in metadata.keys.sorted() {
            add(BaggageKey.metadataPrefix + key, metadata[key])
        }
        return entries
    }

    /// The trace fields in `baggage`, read as the Python SDK reads them: `langfuse_metadata_<key>`
    /// and any other `langfuse_<key>` it does not know become metadata `<key>`. `nil` when
    /// `baggage` holds none.
    ///
    /// Baggage is input from another service, or from whoever called this one: the fields are
    /// checked where they are written, as those of `withTrace` are (length, environment).
    init?(baggage: Baggage) {
        var trace = TraceAttributes()
        var found = false
        for entry in baggage.entries where entry.key.hasPrefix(BaggageKey.prefix) {
            let value = entry.value
            switch entry.key {
            case BaggageKey.userID: trace.userID = value
            case BaggageKey.sessionID: trace.sessionID = value
            case BaggageKey.version: trace.version = value
            case BaggageKey.traceName: trace.name = value
            case BaggageKey.environment: trace.environment = value
            case BaggageKey.tags:
                trace.tags = value.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
            default:
                if BaggageKey.ignoredPrefixes.contains(where: entry.key.hasPrefix) { continue }
                let key =
                    entry.key.hasPrefix(BaggageKey.metadataPrefix)
                    ? String(entry.key.dropFirst(BaggageKey.metadataPrefix.count))
                    : String(entry.key.dropFirst(BaggageKey.prefix.count))
                guard !key.isEmpty else { continue }
                trace.metadata[key] = value
            }
            found = true
        }
        guard found else { return nil }
        self = trace
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
