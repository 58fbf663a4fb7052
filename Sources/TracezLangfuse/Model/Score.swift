import Foundation
import Tracez

/// An evaluation of a trace, an observation or a session: a number, a yes/no, a category
/// or a text, with an optional comment. Sent as a `score-create` event.
public struct Score: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case numeric(Double)
        case boolean(Bool)
        case categorical(String)
        case text(String)
    }

    /// What the score is about: exactly one, as Langfuse requires.
    public enum Target: Sendable, Hashable {
        case trace(TraceID)
        case observation(TraceID, SpanID)
        case session(String)
    }

    /// The score's own id (Langfuse deduplicates on it).
    public var id: String
    public var name: String
    public var value: Value
    public var target: Target
    public var comment: String?
    /// Extra fields shown with the score.
    public var metadata: [String: JSONValue]?
    /// The Langfuse environment; `nil` takes the trace's, then the one the exporter was
    /// configured with (``LangfuseConfiguration/environment``), as the Python SDK does.
    public var environment: String?

    /// The longest ``Value/text(_:)``, in characters: Langfuse's limit.
    public static let maxTextCharacters = 500
    /// The longest comment, in UTF-8 bytes.
    public static let maxCommentBytes = 16 * 1024
    /// The longest metadata, as JSON text, in UTF-8 bytes.
    ///
    /// With ``maxCommentBytes``, a score's body stays far under the tracer's default
    /// attribute value cap (`SpanLimits.maxAttributeValueBytes`, 128 KiB), which it travels in.
    public static let maxMetadataBytes = 16 * 1024

    /// A score, checked against what Langfuse accepts.
    ///
    /// - Throws: ``ScoreError`` when the name is empty, the target names nothing, a number is
    ///   not finite, a text is empty or over ``maxTextCharacters``, or the comment or metadata
    ///   is over its limit.
    public init(
        name: String,
        value: Value,
        target: Target,
        comment: String? = nil,
        metadata: [String: JSONValue]? = nil,
        environment: String? = nil,
        id: String = UUID().uuidString.lowercased()
    ) throws(ScoreError) {
        guard !name.isEmpty else { throw ScoreError(code: .emptyName, reason: "a score needs a name") }
        switch target {
        case .session(let sessionID) where sessionID.isEmpty:
            throw ScoreError(code: .emptyTarget, reason: "the session id is empty")
        case .trace(let traceID) where !traceID.isValid, .observation(let traceID, _) where !traceID.isValid:
            throw ScoreError(code: .emptyTarget, reason: "the trace id is all zeros")
        case .observation(_, let spanID) where !spanID.isValid:
            throw ScoreError(code: .emptyTarget, reason: "the span id is all zeros")
        default: break
        }
        switch value {
        case .numeric(let number) where !number.isFinite:
            throw ScoreError(code: .nonFiniteValue, reason: "a numeric score must be finite, not \(number)")
        case .text(let text) where text.isEmpty || text.count > Self.maxTextCharacters:
            throw ScoreError(code: .textLength, reason: "a text score has 1 to \(Self.maxTextCharacters) characters, not \(text.count)")
        default: break
        }
        if let comment, comment.utf8.count > Self.maxCommentBytes {
            throw ScoreError(code: .commentTooLarge, reason: "the comment has \(comment.utf8.count) bytes, over \(Self.maxCommentBytes)")
        }
        if let metadata {
            let bytes = JSONValue.object(metadata).jsonText.utf8.count
            guard bytes <= Self.maxMetadataBytes else {
                throw ScoreError(code: .metadataTooLarge, reason: "the metadata has \(bytes) bytes of JSON, over \(Self.maxMetadataBytes)")
            }
        }
        self.id = id
        self.name = name
        self.value = value
        self.target = target
        self.comment = comment
        self.metadata = metadata
        self.environment = environment
    }

    /// The score for the trace of the current task's active span, if there is one.
    ///
    /// - Throws: ``ScoreError``, as ``init(name:value:target:comment:metadata:environment:id:)``.
    public static func forCurrentTrace(name: String, value: Value, comment: String? = nil) throws(ScoreError) -> Score? {
        guard let context = ServiceContext.current?.spanContext else { return nil }
        return try Score(name: name, value: value, target: .trace(context.traceID), comment: comment)
    }

    /// The trace this score is about, if it is about a trace or one of its observations.
    var traceID: TraceID? {
        switch target {
        case .trace(let traceID), .observation(let traceID, _): traceID
        case .session: nil
        }
    }

    /// The `score-create` body, as Langfuse's ingestion API defines it.
    var body: JSONValue {
        var body: [String: JSONValue] = ["id": .string(id), "name": .string(name)]
        switch value {
        case .numeric(let number):
            body["value"] = .number(number.isFinite ? number : 0)
            body["dataType"] = .string("NUMERIC")
        case .boolean(let bool):
            body["value"] = .number(bool ? 1 : 0)
            body["dataType"] = .string("BOOLEAN")
        case .categorical(let category):
            body["value"] = .string(category)
            body["dataType"] = .string("CATEGORICAL")
        case .text(let text):
            body["value"] = .string(text)
            body["dataType"] = .string("TEXT")
        }
        switch target {
        case .trace(let traceID):
            body["traceId"] = .string(traceID.hexString)
        case .observation(let traceID, let spanID):
            body["traceId"] = .string(traceID.hexString)
            body["observationId"] = .string(spanID.hexString)
        case .session(let sessionID):
            body["sessionId"] = .string(sessionID)
        }
        if let comment { body["comment"] = .string(comment) }
        if let metadata { body["metadata"] = .object(metadata) }
        if let environment, LangfuseEnvironment.isValid(environment) { body["environment"] = .string(environment) }
        return .object(body)
    }

    var jsonText: String { body.jsonText }
}
