import Foundation
import Tracez

/// Says, when the process exits, how many spans a ``TracezSystem`` that was never shut down
/// lost: they were recorded, still pending, and nobody will send them now. A forgotten
/// `await tracing.shutdown()` is then a line on standard error, not a silent loss.
///
/// Thread-safety: one lock guards the systems watched; the exit handler reads them once.
enum UnfinishedShutdownReport {
    /// Held weakly: a system that is gone has nothing left to report.
    private struct Watched {
        weak var system: TracezSystem?
    }

    private static let watched = SanitizedMutex<[Watched]?>(nil)

    static func watch(_ system: TracezSystem) {
        watched.withLock { watched in
            if watched == nil {
                watched = []
                atexit { UnfinishedShutdownReport.report() }
            }
            watched?.removeAll { $0.system == nil }
            watched?.append(Watched(system: system))
        }
    }

    /// The line for each system that was not shut down and holds pending spans.
    static func lines() -> [String] {
        let systems = watched.withLock { $0?.compactMap(\.system) ?? [] }
        return systems.compactMap { system -> String? in
            guard !system.isShutDown else { return nil }
            let pending = system.tracer.statistics.pending
            guard pending > 0 else { return nil }
            let destinations = system.destinations.map(\.description).joined(separator: ", ")
            return "tracez: the program ended without `await shutdown()`: \(pending) spans recorded for \(destinations) were never sent"
        }
    }

    private static func report() {
        for line in lines() { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
