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
    public var environment: String?

    public init(
        name: String,
        value: Value,
        target: Target,
        comment: String? = nil,
        environment: String? = nil,
        id: String = UUID().uuidString.lowercased()
    ) {
        self.id = id
        self.name = name
        self.value = value
        self.target = target
        self.comment = comment
        self.environment = environment
    }

    /// The score for the trace of the current task's active span, if there is one.
    public static func forCurrentTrace(name: String, value: Value, comment: String? = nil) -> Score? {
        guard let context = ServiceContext.current?.spanContext else { return nil }
        return Score(name: name, value: value, target: .trace(context.traceID), comment: comment)
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
        if let environment, LangfuseEnvironment.isValid(environment) { body["environment"] = .string(environment) }
        return .object(body)
    }

    var jsonText: String { body.jsonText }
}
