import Foundation
import Synchronization
import Testing
import TracezTestSupport

@testable import Tracez

/// `recorded == exported + dropped + pending`, exactly, while many tasks record
/// into a small collector that a slow exporter drains.
@Suite(.timeLimit(.minutes(3))) struct DropAccountingTests {
    static let tasks = 8
    /// 100 k spans per task; a tenth under Thread Sanitizer, which is far slower.
    static let spansPerTask = isThreadSanitizerActive ? 10_000 : 100_000

    @Test(arguments: [OverflowPolicy.dropNewest, .overwriteOldest, .block(timeout: .milliseconds(20))])
    func concurrentRecordingIntoASmallCollectorBalancesExactly(policy: OverflowPolicy) async throws {
        // Eight tasks recording as fast as they can: both cores, for most of a minute.
        try await MachineShare.heavy {
            let collector = try Collector(configuration: CollectorConfiguration(name: "small", capacity: 1024, overflow: policy))
            let exporter = SlowExporter(delay: .milliseconds(1))
            let pipeline = try ExportPipeline(
                collector: collector,
                exporter: exporter,
                configuration: ExportConfiguration(maxBatchSize: 256, interval: .milliseconds(5))
            )
            let tracer = Tracer(pipelines: [pipeline])
            let unbalancedSnapshots = Tally()
            let fullSnapshots = Tally()

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await tracer.run() }
                let produceSlice: @Sendable (Int) -> Void = { count in
                    for _ in 0..<count {
                        tracer.startSpan("work").end()
                    }
                    // The invariant holds at every instant, not only at the end.
                    let snapshot = collector.statistics
                    if !snapshot.isBalanced {
                        unbalancedSnapshots.count.add(1, ordering: .relaxed)
                    }
                    if snapshot.waiting > 0 || snapshot.buffered == snapshot.capacity {
                        fullSnapshots.count.add(1, ordering: .relaxed)
                    }
                }
                let produce: @Sendable () -> Void = {
                    for _ in 0..<Self.spansPerTask / 1000 { produceSlice(1000) }
                }
                if case .block = policy {
                    // A blocking producer must not sit on a cooperative thread, or it starves
                    // the pipeline that would make room (see `OverflowPolicy.block`).
                    await runOnThreads(Self.tasks, produce)
                } else {
                    await withTaskGroup(of: Void.self) { producers in
                        for _ in 0..<Self.tasks {
                            producers.addTask {
                                // In slices, yielding between them, so the pipeline gets a turn
                                // on the two cooperative threads as it would in a service.
                                for _ in 0..<Self.spansPerTask / 1000 {
                                    produceSlice(1000)
                                    await Task.yield()
                                }
                            }
                        }
                    }
                }
                await tracer.shutdown(deadline: .now + .seconds(60))
                try await group.waitForAll()
            }

            let statistics = collector.statistics
            let total = Self.tasks * Self.spansPerTask
            // First, that the case under test happened: the collector was full (records waited for
            // room under `.block`, were dropped or overwritten otherwise).
            switch policy {
            case .dropNewest, .overwriteOldest:
                try #require(statistics.dropped.total > 0, "the collector never overflowed: nothing was tested")
            case .block:
                try #require(fullSnapshots.count.load(ordering: .relaxed) > 0 || statistics.dropped.total > 0, "no record ever waited for room")
            }
            #expect(unbalancedSnapshots.count.load(ordering: .relaxed) == 0)
            #expect(statistics.recorded == total)
            #expect(statistics.pending == 0)
            #expect(statistics.exported + statistics.dropped.total == total)
            // The exporter's own count is the independent witness for "exported".
            #expect(statistics.exported == exporter.receivedCount)
            switch policy {
            case .dropNewest, .block:
                #expect(statistics.dropped.total == statistics.dropped[.bufferFull])
            case .overwriteOldest:
                #expect(statistics.dropped.total == statistics.dropped[.overwritten])
            }
        }
    }
}

/// Runs `body` on `count` threads of its own and returns when all have finished.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) async {
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<count {
            group.addTask {
                await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                    Thread {
                        body()
                        finished.resume()
                    }.start()
                }
            }
        }
    }
}

/// A counter that task closures can share (an `Atomic` itself cannot be captured).
final class Tally: Sendable {
    let count = Atomic<Int>(0)
}
