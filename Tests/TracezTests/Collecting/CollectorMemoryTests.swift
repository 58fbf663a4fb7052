import Foundation
import Testing
import TracezTestSupport

@testable import Tracez

/// A collector's memory is capacity x bytes per record + a constant, however many spans arrive.
///
/// The measurement runs in a child process of its own (this test binary again, with only this
/// suite and `TRACEZ_MEMORY_CHILD` set): other suites allocate tens of MiB at the same time,
/// which would move the resident memory of a shared process by more than the bound.
@Suite(.serialized, .timeLimit(.minutes(10))) struct CollectorMemoryTests {
    static let spans = 10_000_000
    static let warmUp = 1_000_000
    static let childVariable = "TRACEZ_MEMORY_CHILD"
    /// Keeping the 9 M later spans would take gigabytes; leaking even 4 bytes for each, 34 MiB.
    static let bound = 32 * 1024 * 1024

    @Test(
        .enabled(if: residentMemoryBytes() != nil, "needs /proc/self/statm"),
        .disabled(if: isThreadSanitizerActive, "Thread Sanitizer's shadow memory swamps the measurement"),
        arguments: [OverflowPolicy.dropNewest, .overwriteOldest]
    )
    func tenMillionSpansWithNothingDrainingLeaveResidentMemoryFlat(policy: OverflowPolicy) async throws {
        if ProcessInfo.processInfo.environment[Self.childVariable] != nil {
            try await measure(policy)
        } else {
            try await MachineShare.heavy { try runInChildProcess(policy) }
        }
    }

    /// In the child: record 10 M spans into a collector nothing drains, and compare.
    func measure(_ policy: OverflowPolicy) async throws {
        guard ProcessInfo.processInfo.environment[Self.childVariable] == "\(policy)" else { return }
        let collector = try Collector(configuration: CollectorConfiguration(name: "undrained", capacity: 4096, overflow: policy))
        let tracer = Tracer(collectors: [collector])
        func record(_ count: Int) {
            for _ in 0..<count {
                let span = tracer.startSpan("request")
                span.updateAttributes { $0["http.route"] = "/v1/chat" }
                span.end()
            }
        }
        record(Self.warmUp)  // the collector is full long before this ends
        let before = try #require(residentMemoryBytes())
        record(Self.spans - Self.warmUp)
        let after = try #require(residentMemoryBytes())

        #expect(collector.statistics.recorded == Self.spans)
        #expect(collector.statistics.buffered == 4096)
        let growth = after - before
        report("tracez-memory-growth-kib", "\(growth / 1024)")
        #expect(growth < Self.bound, "resident memory grew by \(growth / 1024) KiB")
    }

    /// In the parent: run this suite alone in a child process for `policy`, and check its result.
    func runInChildProcess(_ policy: OverflowPolicy) throws {
        let (status, output) = try runTestsInChildProcess(filter: "CollectorMemoryTests", environment: [Self.childVariable: "\(policy)"])
        // First, that the measurement ran at all in the child.
        let growth = reported("tracez-memory-growth-kib", in: output).compactMap { Int($0) }
        try #require(growth.count == 1, "the child did not measure:\n\(output.suffix(2000))")
        #expect(status == 0, "the child failed:\n\(output.suffix(2000))")
        #expect(growth[0] * 1024 < Self.bound, "resident memory grew by \(growth[0]) KiB")
    }
}
