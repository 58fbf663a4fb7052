import Testing
@testable import Tracez

/// A collector's memory is capacity x bytes per record + a constant, however many spans arrive.
@Suite(.serialized) struct CollectorMemoryTests {
    static let spans = 10_000_000
    static let warmUp = 1_000_000

    @Test(
        .enabled(if: residentMemoryBytes() != nil, "needs /proc/self/statm"),
        .disabled(if: isThreadSanitizerActive, "Thread Sanitizer's shadow memory swamps the measurement"),
        arguments: [OverflowPolicy.dropNewest, .overwriteOldest]
    )
    func tenMillionSpansWithNothingDrainingLeaveResidentMemoryFlat(policy: OverflowPolicy) async throws {
        let collector = try Collector(configuration: CollectorConfiguration(name: "undrained", capacity: 4096, overflow: policy))
        let tracer = Tracer(collectors: [collector])
        func record(_ count: Int) async {
            for index in 0..<count {
                // Yield now and then: other tests share the two cooperative threads.
                if index % 10_000 == 0 { await Task.yield() }
                let span = tracer.startSpan("request")
                span.updateAttributes { $0["http.route"] = "/v1/chat" }
                span.end()
            }
        }
        await record(Self.warmUp)  // the collector is full long before this ends
        let before = try #require(residentMemoryBytes())
        await record(Self.spans - Self.warmUp)
        let after = try #require(residentMemoryBytes())

        #expect(collector.statistics.recorded == Self.spans)
        #expect(collector.statistics.buffered == 4096)
        // Keeping the 9 M later spans would take gigabytes, and leaking even 16 bytes for each
        // would take 137 MiB. Other tests run in this process at the same time and move resident
        // memory by tens of MiB (35 MiB seen on CI), so flat means under 128 MiB of growth.
        let growth = after - before
        #expect(growth < 128 * 1024 * 1024, "resident memory grew by \(growth / 1024) KiB")
    }
}
