import Foundation
import Tracez

/// Says, when the process exits, how many spans a ``TracezSystem`` that was never shut down
/// lost: they were recorded, still pending, and nobody will send them now. A forgotten
/// `await tracing.shutdown()` is then a line on standard error, not a silent loss.
///
/// It holds each watched system's tracer until the system shuts down, not the system itself:
/// a program's `main` releases its locals before the process exits, the tracer must still be
/// there to be asked.
///
/// Thread-safety: one lock guards the systems watched; the exit handler reads them once.
enum UnfinishedShutdownReport {
    private struct Watched {
        let id: ObjectIdentifier
        let tracer: Tracez.Tracer
        let destinations: String
    }

    private static let watched = SanitizedMutex<[Watched]?>(nil)

    /// Watches `system` until ``stopWatching(_:)``.
    static func watch(_ system: TracezSystem) {
        let entry = Watched(
            id: ObjectIdentifier(system), tracer: system.tracer, destinations: system.destinations.map(\.description).joined(separator: ", "))
        watched.withLock { watched in
            if watched == nil {
                watched = []
                atexit { UnfinishedShutdownReport.report() }
            }
            watched?.append(entry)
        }
    }

    /// `system` was shut down: nothing to report about it.
    static func stopWatching(_ system: TracezSystem) {
        let id = ObjectIdentifier(system)
        watched.withLock { $0?.removeAll { $0.id == id } }
    }

    /// The line for each watched system that holds pending spans.
    static func lines() -> [String] {
        let entries = watched.withLock { $0 ?? [] }
        return entries.compactMap { entry -> String? in
            let pending = entry.tracer.statistics.pending
            guard pending > 0 else { return nil }
            return "tracez: the program ended without `await shutdown()`: \(pending) spans recorded for \(entry.destinations) were never sent"
        }
    }

    private static func report() {
        for line in lines() { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
