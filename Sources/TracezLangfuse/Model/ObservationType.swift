/// What kind of step an observation is, as Langfuse shows it.
///
/// Sent as `langfuse.observation.type` (lowercase) on the OTel endpoint, and as the
/// event type (`generation-create`, …) on the legacy ingestion API.
public enum ObservationType: String, Sendable, CaseIterable, Codable {
    case span
    /// An LLM call: model, usage, cost, prompt.
    case generation
    /// A point in time, without duration.
    case event
    case agent
    case tool
    case chain
    case retriever
    case embedding
    case evaluator
    case guardrail
}
