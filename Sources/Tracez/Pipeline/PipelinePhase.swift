/// Where an ``ExportPipeline`` is in its life: `run()` may start only from ``idle``, and
/// ``finished`` is final.
///
/// Ownership: the pipeline keeps its phase behind a lock; read and change it only there.
enum PipelinePhase: Sendable {
    /// Made, not yet run.
    case idle
    /// `run()` is serving the mailbox.
    case running
    /// `run()` was cancelled: records stay pending until `shutdown(deadline:)`.
    case cancelled
    /// Shut down: the exporter is shut down and the collector closed.
    case finished
}
