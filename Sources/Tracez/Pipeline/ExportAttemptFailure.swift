/// One failed export attempt, reported to ``ExportConfiguration/onExportError``.
///
/// `reason` is the exporter's description of the failure; exporters keep secrets out of it.
public struct ExportAttemptFailure: Sendable {
    public let collector: String
    /// 1 for the first attempt.
    public let attempt: Int
    public let records: Int
    public let reason: String
    /// Whether the pipeline will try these records again.
    public let willRetry: Bool
}
