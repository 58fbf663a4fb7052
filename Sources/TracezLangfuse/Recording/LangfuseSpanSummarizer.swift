import Foundation
import Tracez

/// What the trace tree says of a Langfuse observation: the model, input→output tokens, cost in
/// dollars and time to first token for a generation or an embedding (`gpt-4o 12→30 tokens
/// $0.00062 ttft 180 ms`); for the other observation types, what the core's
/// `SemanticConventionsSummarizer` says followed by the type (`POST /chat → 200 · agent`), or the type alone.
///
/// Put it before the core's `SemanticConventionsSummarizer`, which knows no `langfuse.*` key:
///
/// ```swift
/// let exporter = StdoutExporter(summarizers: [LangfuseSpanSummarizer(), SemanticConventionsSummarizer()])
/// ```
///
/// Thread-safety: stateless; called from any task at once.
public struct LangfuseSpanSummarizer: SpanSummarizer {
    typealias Name = LangfuseAttributeName

    public init() {}

    public func summary(of span: SpanRecord) -> String? {
        func string(_ key: String) -> String? {
            if case .string(let value)? = span.attribute(key) { return value }
            return nil
        }
        guard let type = string(Name.observationType) else { return nil }
        guard type == ObservationType.generation.rawValue || type == ObservationType.embedding.rawValue else {
            // The type alone says little: what the span's OpenTelemetry attributes say comes
            // first (`POST /v1/chat → 200 · agent`), so that an instrumented HTTP or database
            // span that is also an observation keeps its phrase.
            let conventions = SemanticConventionsSummarizer().summary(of: span)
            if type == ObservationType.span.rawValue { return conventions }
            return conventions.map { "\($0) · \(type)" } ?? type
        }
        var parts: [String] = []
        if let model = string(Name.model) { parts.append(model) }
        let usage = string(Name.usageDetails).flatMap(JSONParser.parse)
        if case .object(let counts)? = usage {
            func count(_ key: String) -> String? {
                if case .integer(let value)? = counts[key] { return "\(value)" }
                return nil
            }
            if let input = count("input"), let output = count("output") {
                parts.append("\(input)→\(output) tokens")
            } else if let tokens = count("input") ?? count("total") {
                parts.append("\(tokens) tokens")
            }
        }
        if case .object(let costs)? = string(Name.costDetails).flatMap(JSONParser.parse) {
            let total = costs["total"].flatMap(Self.number) ?? costs.values.compactMap(Self.number).reduce(0, +)
            if total > 0 { parts.append(Self.dollars(total)) }
        }
        if let text = string(Name.completionStartTime), let first = Self.instant(text) {
            let start = Double(span.startNanoseconds) / 1e9
            if first >= start { parts.append("ttft " + StdoutExporter.formatDuration(UInt64((first - start) * 1e9))) }
        }
        return parts.isEmpty ? type : parts.joined(separator: " ")
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .integer(let integer): Double(integer)
        default: nil
        }
    }

    /// Dollars with sensible digits: `$1.25`, `$0.0420`, `$0.00062` (two significant digits
    /// below a cent), never `6.18e-05`.
    static func dollars(_ amount: Double) -> String {
        if amount >= 1 { return "$" + String(format: "%.2f", amount) }
        if amount >= 0.01 { return "$" + String(format: "%.4f", amount) }
        let digits = max(2, Int((-log10(amount)).rounded(.up)) + 1)
        return "$" + String(format: "%.\(min(digits, 12))f", amount)
    }

    /// Seconds since 1970 of an ISO-8601 time, bare or as JSON text (a quoted string).
    private static func instant(_ text: String) -> Double? {
        let time: String
        if case .string(let unquoted)? = JSONParser.parse(text) { time = unquoted } else { time = text }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: time)?.timeIntervalSince1970
    }
}
