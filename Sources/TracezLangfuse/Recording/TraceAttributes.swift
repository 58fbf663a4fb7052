import Tracez

/// Trace-level fields: set once around a unit of work (a request, a conversation turn),
/// they reach every observation started inside it through the task-local context, as
/// Langfuse's Python SDK propagates attributes.
///
/// ```swift
/// try await tracer.withTrace(TraceAttributes(name: "chat", userID: "u-42", sessionID: "s-7")) {
///     try await tracer.withGeneration("answer", model: "gpt-4o") { generation in … }
/// }
/// ```
public struct TraceAttributes: Sendable, Hashable {
    public var name: String?
    public var userID: String?
    public var sessionID: String?
    public var tags: [String]
    public var release: String?
    public var version: String?
    /// Lowercase `[a-z0-9-_]`, at most 40 characters, not starting with `langfuse`: what
    /// Langfuse keeps (it silently rewrites anything else to `default`). Checked where
    /// it is set on an observation; an invalid one is left off and logged by the exporter.
    public var environment: String?
    public var isPublic: Bool?
    /// Sent as `langfuse.trace.metadata.<key>`, each value as JSON text.
    public var metadata: [String: String]

    public init(
        name: String? = nil,
        userID: String? = nil,
        sessionID: String? = nil,
        tags: [String] = [],
        release: String? = nil,
        version: String? = nil,
        environment: String? = nil,
        isPublic: Bool? = nil,
        metadata: [String: String] = [:]
    ) {
        self.name = name
        self.userID = userID
        self.sessionID = sessionID
        self.tags = tags
        self.release = release
        self.version = version
        self.environment = environment
        self.isPublic = isPublic
        self.metadata = metadata
    }

    /// Later fields win; tags and metadata are merged.
    func merging(_ inner: TraceAttributes) -> TraceAttributes {
        var merged = self
        merged.name = inner.name ?? name
        merged.userID = inner.userID ?? userID
        merged.sessionID = inner.sessionID ?? sessionID
        merged.tags = tags + inner.tags.filter { !tags.contains($0) }
        merged.release = inner.release ?? release
        merged.version = inner.version ?? version
        merged.environment = inner.environment ?? environment
        merged.isPublic = inner.isPublic ?? isPublic
        merged.metadata.merge(inner.metadata) { _, new in new }
        return merged
    }

    /// The most characters (Unicode scalars, as Python counts them) a user id, session id,
    /// tag or metadata value may have: the official Python SDK drops a longer one with a
    /// warning rather than send it, and so does Tracez.
    public static let maxFieldCharacters = 200

    /// Writes these fields on `span` as the attributes of NOTES.md, leaving out a user id,
    /// session id, tag or metadata value over ``maxFieldCharacters``; metadata entries past
    /// `metadataBudget` attributes are merged (``MetadataBudget``).
    ///
    /// The single-valued fields go through the span's typed setters (TZ-0001), so a trace
    /// without tags or metadata costs the span no dictionary.
    ///
    /// - Returns: How many fields it left out for their length, and how many metadata
    ///   entries for want of room.
    @discardableResult
    func write(
        into span: Tracez.Span,
        metadataBudget: Int = .max,
        maxMergedBytes: Int = LangfuseConfiguration.defaultMaxValueBytes
    ) -> (droppedFields: Int, droppedMetadata: Int) {
        typealias Name = LangfuseAttributeName
        var dropped = 0
        func fits(_ text: String) -> Bool {
            if Self.fits(text) { return true }
            dropped += 1
            return false
        }
        if let name { span.set(Name.traceName, name) }
        if let userID, fits(userID) { span.set(Name.userID, userID) }
        if let sessionID, fits(sessionID) { span.set(Name.sessionID, sessionID) }
        if let release { span.set(Name.release, release) }
        if let version { span.set(Name.version, version) }
        if let environment, LangfuseEnvironment.isValid(environment) { span.set(Name.environment, environment) }
        if let isPublic { span.set(Name.tracePublic, isPublic) }
        guard !tags.isEmpty || !metadata.isEmpty else { return (dropped, 0) }

        let keptTags = tags.filter(fits)
        let entries = metadata.keys.sorted().compactMap { key in metadata[key].flatMap { fits($0) ? (key, $0) : nil } }
        // The budget counts the dictionary's attributes: leave room for the typed ones.
        let budget = metadataBudget - span.typedAttributeCount
        var droppedMetadata = 0
        span.updateAttributes { attributes in
            if !keptTags.isEmpty { attributes[Name.traceTags] = SpanAttribute.stringArray(keptTags) }
            // In key order, so that which entries get attributes of their own does not depend on hashing.
            for (key, value) in entries {
                let kept = MetadataBudget.set(
                    key, value: .string(value), attribute: .string(value), prefix: Name.traceMetadataPrefix,
                    merged: Name.traceMetadata, in: &attributes, budget: budget, maxMergedBytes: maxMergedBytes)
                if !kept { droppedMetadata += 1 }
            }
        }
        return (dropped, droppedMetadata)
    }

    /// Whether `text` is at most ``maxFieldCharacters`` Unicode scalars long.
    static func fits(_ text: String) -> Bool {
        // `utf8.count` is O(1) and bounds the scalar count from above: most fields stop here.
        text.utf8.count <= maxFieldCharacters || text.unicodeScalars.count <= maxFieldCharacters
    }
}

enum TraceAttributesKey: ServiceContextKey {
    typealias Value = TraceAttributes
    static var nameOverride: String? { "tracez.langfuse.trace" }
}

extension ServiceContext {
    /// The Langfuse trace fields in effect, set by `withTrace`.
    public var langfuseTrace: TraceAttributes? {
        get { self[TraceAttributesKey.self] }
        set { self[TraceAttributesKey.self] = newValue }
    }
}
