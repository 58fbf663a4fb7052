/// The span attributes Langfuse's OTel endpoint maps onto its data model
/// (Langfuse's OpenTelemetry ingestion, as its public server source maps them): one name per field, used by the typed setters to
/// write and by the ingestion encoder to read.
package enum LangfuseAttributeName {
    package static let traceName = "langfuse.trace.name"
    package static let userID = "user.id"
    package static let sessionID = "session.id"
    package static let traceTags = "langfuse.trace.tags"
    package static let tracePublic = "langfuse.trace.public"
    /// On a span that continues another service's trace: it makes the Langfuse trace (its
    /// name, user and session) as a root span would, as the Python SDK marks such spans.
    package static let asRoot = "langfuse.internal.as_root"
    /// Followed by `.<key>`.
    package static let traceMetadataPrefix = "langfuse.trace.metadata."
    /// Trace metadata entries past the span's budget, merged into one JSON object (``MetadataBudget``).
    package static let traceMetadata = "langfuse.trace.metadata"
    package static let traceInput = "langfuse.trace.input"
    package static let traceOutput = "langfuse.trace.output"
    package static let environment = "langfuse.environment"
    package static let release = "langfuse.release"
    package static let version = "langfuse.version"

    package static let observationType = "langfuse.observation.type"
    package static let level = "langfuse.observation.level"
    package static let statusMessage = "langfuse.observation.status_message"
    package static let input = "langfuse.observation.input"
    package static let output = "langfuse.observation.output"
    /// Followed by `.<key>`.
    package static let metadataPrefix = "langfuse.observation.metadata."
    /// Metadata entries past the span's budget, merged into one JSON object (``MetadataBudget``).
    package static let metadata = "langfuse.observation.metadata"
    package static let model = "langfuse.observation.model.name"
    package static let modelParameters = "langfuse.observation.model.parameters"
    package static let usageDetails = "langfuse.observation.usage_details"
    package static let costDetails = "langfuse.observation.cost_details"
    package static let completionStartTime = "langfuse.observation.completion_start_time"
    package static let promptName = "langfuse.observation.prompt.name"
    package static let promptVersion = "langfuse.observation.prompt.version"

    /// Tracez's own: set on a span that is a score, not an observation (see ``Score``).
    package static let scoreName = "tracez.langfuse.score.name"
    /// The score as JSON: value, data type, comment and target.
    package static let scoreBody = "tracez.langfuse.score.body"
}
