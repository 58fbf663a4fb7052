/// Says in one short phrase what a span is, for the trace tree: `GET /users → 200`,
/// `postgresql SELECT orders`, `gpt-4o 12→30 tokens`. Payloads (input, output, bodies)
/// never belong in it.
///
/// The core's ``SemanticConventionsSummarizer`` knows OpenTelemetry's semantic conventions;
/// other modules add their own (TracezLangfuse knows its `langfuse.*` attributes) without the
/// core learning their keys. The first summarizer with an answer wins.
///
/// Thread-safety: called from any task at once.
public protocol SpanSummarizer: Sendable {
    /// A short phrase for `span`, or `nil` when this summarizer does not know what it is.
    func summary(of span: SpanRecord) -> String?
}

/// OpenTelemetry's semantic conventions as a phrase: HTTP (method, route → status), database
/// (system, operation, table), messaging (system, operation, destination), RPC (system,
/// service/method) and GenAI (model, input→output tokens).
public struct SemanticConventionsSummarizer: SpanSummarizer {
    public init() {}

    public func summary(of span: SpanRecord) -> String? {
        func text(_ keys: String...) -> String? {
            for key in keys {
                switch span.attribute(key) {
                case .string(let value)?: return value
                case .int64(let value)?: return "\(value)"
                case .int32(let value)?: return "\(value)"
                case .stringConvertible(let value)?: return value.description
                default: continue
                }
            }
            return nil
        }
        func joined(_ parts: String?...) -> String? {
            let present = parts.compactMap { $0 }.filter { !$0.isEmpty }
            return present.isEmpty ? nil : present.joined(separator: " ")
        }
        if let method = text("http.request.method", "http.method") {
            var phrase = joined(method, text("http.route", "url.path", "http.target", "url.full")) ?? method
            if let status = text("http.response.status_code", "http.status_code") { phrase += " → \(status)" }
            return phrase
        }
        if let system = text("db.system.name", "db.system") {
            return joined(system, text("db.operation.name", "db.operation"), text("db.collection.name", "db.sql.table"))
        }
        if let system = text("messaging.system") {
            return joined(system, text("messaging.operation.type", "messaging.operation"), text("messaging.destination.name"))
        }
        if let system = text("rpc.system") {
            let call = [text("rpc.service"), text("rpc.method")].compactMap { $0 }.joined(separator: "/")
            return joined(system, call)
        }
        if let model = text("gen_ai.response.model", "gen_ai.request.model") {
            let input = text("gen_ai.usage.input_tokens")
            let output = text("gen_ai.usage.output_tokens")
            let tokens = input == nil && output == nil ? nil : "\(input ?? "?")→\(output ?? "?") tokens"
            return joined(model, tokens)
        }
        return nil
    }
}
