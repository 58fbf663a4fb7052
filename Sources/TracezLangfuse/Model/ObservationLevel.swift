/// How important an observation is; Langfuse filters and colours by it.
public enum ObservationLevel: String, Sendable, CaseIterable, Codable {
    case debug = "DEBUG"
    case `default` = "DEFAULT"
    case warning = "WARNING"
    case error = "ERROR"
}
