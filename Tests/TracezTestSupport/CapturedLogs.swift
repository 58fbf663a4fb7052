import Logging
import Synchronization
import Tracez

/// Every line logged through its ``logger(label:)``, kept for assertions.
///
/// Thread-safety: a reference to lines under a lock; loggers made from it may log from
/// any task, and ``lines`` may be read from any task.
package final class CapturedLogs: Sendable {
    /// One logged line: its level, message, and metadata (the logger's merged with the line's).
    package struct Line: Sendable {
        package let level: Logger.Level
        package let message: String
        package let metadata: Logger.Metadata

        /// The message and its metadata as one text, for searching (a secret must be in neither).
        package var text: String { "\(message) \(metadata)" }
    }

    private let storage = SanitizedMutex<[Line]>([])

    package init() {}

    /// Everything logged so far, oldest first.
    package var lines: [Line] { storage.withLock { $0 } }

    /// A logger at level `trace` whose every line is kept here.
    package func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in Handler(logs: self) }
    }

    fileprivate func append(_ line: Line) {
        storage.withLock { $0.append(line) }
    }

    /// A `LogHandler` is a value; the lines it writes go to the one `CapturedLogs`.
    private struct Handler: LogHandler {
        let logs: CapturedLogs
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            logs.append(Line(level: event.level, message: "\(event.message)", metadata: merged))
        }
    }
}
