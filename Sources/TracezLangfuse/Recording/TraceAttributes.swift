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

    /// Writes these fields as the span attributes of NOTES.md, leaving out a user id, session
    /// id, tag or metadata value over ``maxFieldCharacters``; metadata entries past
    /// `metadataBudget` attributes are merged (``MetadataBudget``).
    ///
    /// - Returns: How many fields it left out for their length, and how many metadata
    ///   entries for want of room.
    @discardableResult
    func write(
        to attributes: inout SpanAttributes,
        metadataBudget: Int = .max,
        maxMergedBytes: Int = LangfuseConfiguration.defaultMaxValueBytes
    ) -> (droppedFields: Int, droppedMetadata: Int) {
        typealias Name = LangfuseAttributeName
        var dropped = 0
        var droppedMetadata = 0
        func fits(_ text: String) -> Bool {
            // `utf8.count` is O(1) and bounds the scalar count from above: most fields stop here.
            if text.utf8.count <= Self.maxFieldCharacters || text.unicodeScalars.count <= Self.maxFieldCharacters { return true }
            dropped += 1
            return false
        }
        if let name { attributes[Name.traceName] = name }
        if let userID, fits(userID) { attributes[Name.userID] = userID }
        if let sessionID, fits(sessionID) { attributes[Name.sessionID] = sessionID }
        let keptTags = tags.filter(fits)
        if !keptTags.isEmpty { attributes[Name.traceTags] = SpanAttribute.stringArray(keptTags) }
        if let release { attributes[Name.release] = release }
        if let version { attributes[Name.version] = version }
        if let environment, LangfuseEnvironment.isValid(environment) { attributes[Name.environment] = environment }
        if let isPublic { attributes[Name.tracePublic] = isPublic }
        // In key order, so that which entries get attributes of their own does not depend on hashing.
        for key in metadata.keys.sorted() {
            guard let value = metadata[key], fits(value) else { continue }
            let kept = MetadataBudget.set(
                key, value: .string(value), attribute: .string(value), prefix: Name.traceMetadataPrefix, merged: Name.traceMetadata,
                in: &attributes, budget: metadataBudget, maxMergedBytes: maxMergedBytes)
            if !kept { droppedMetadata += 1 }
        }
        return (dropped, droppedMetadata)
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
