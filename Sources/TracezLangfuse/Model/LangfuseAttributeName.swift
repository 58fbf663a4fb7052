/// The span attributes Langfuse's OTel endpoint maps onto its data model
/// (Langfuse's OpenTelemetry ingestion, as its public server source maps them): one name per field, used by the typed setters to
/// write and by the ingestion encoder to read.
public enum LangfuseAttributeName {
    public static let traceName = "langfuse.trace.name"
    public static let userID = "user.id"
    public static let sessionID = "session.id"
    public static let traceTags = "langfuse.trace.tags"
    public static let tracePublic = "langfuse.trace.public"
    /// Followed by `.<key>`.
    public static let traceMetadataPrefix = "langfuse.trace.metadata."
    public static let traceInput = "langfuse.trace.input"
    public static let traceOutput = "langfuse.trace.output"
    public static let environment = "langfuse.environment"
    public static let release = "langfuse.release"
    public static let version = "langfuse.version"

    public static let observationType = "langfuse.observation.type"
    public static let level = "langfuse.observation.level"
    public static let statusMessage = "langfuse.observation.status_message"
    public static let input = "langfuse.observation.input"
    public static let output = "langfuse.observation.output"
    /// Followed by `.<key>`.
    public static let metadataPrefix = "langfuse.observation.metadata."
    public static let model = "langfuse.observation.model.name"
    public static let modelParameters = "langfuse.observation.model.parameters"
    public static let usageDetails = "langfuse.observation.usage_details"
    public static let costDetails = "langfuse.observation.cost_details"
    public static let completionStartTime = "langfuse.observation.completion_start_time"
    public static let promptName = "langfuse.observation.prompt.name"
    public static let promptVersion = "langfuse.observation.prompt.version"

    /// Tracez's own: set on a span that is a score, not an observation (see ``Score``).
    public static let scoreName = "tracez.langfuse.score.name"
    /// The score as JSON: value, data type, comment and target.
    public static let scoreBody = "tracez.langfuse.score.body"
}
