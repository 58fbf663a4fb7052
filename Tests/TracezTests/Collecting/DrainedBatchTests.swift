import Testing
import TracezTestSupport

@testable import Tracez

/// A drained batch is settled exactly once, by one of its consuming methods, and each
/// settlement moves its records from in flight to the right counter.
@Suite(.timeLimit(.minutes(3))) struct DrainedBatchTests {
    private func makeCollector(capacity: Int = 8, records: Int) throws -> Collector {
        let collector = try Collector(configuration: CollectorConfiguration(name: "batches", capacity: capacity))
        for record in makeRecords(records) { collector.record(record) }
        return collector
    }

    @Test func drainedBatchHoldsTheOldestRecordsInFlight() throws {
        let collector = try makeCollector(records: 5)
        let batch = collector.drain(max: 3)
        // `#expect` takes copies of what it inspects: read a non-copyable batch into locals first.
        let names = batch.records.map(\.name)
        let count = batch.count
        #expect(names == ["span0", "span1", "span2"])
        #expect(count == 3)
        #expect(collector.statistics.inFlight == 3)
        #expect(collector.statistics.buffered == 2)
        batch.markExported()
        #expect(collector.statistics.inFlight == 0)
    }

    @Test func markExportedCountsEveryRecordExported() throws {
        let collector = try makeCollector(records: 4)
        collector.drain(max: 4).markExported()
        let statistics = collector.statistics
        #expect(statistics.exported == 4)
        #expect(statistics.dropped.total == 0)
        #expect(statistics.pending == 0)
        #expect(statistics.isBalanced)
    }

    @Test(arguments: DropReason.allCases)
    func markDroppedCountsEveryRecordUnderItsReason(reason: DropReason) throws {
        let collector = try makeCollector(records: 3)
        collector.drain(max: 3).markDropped(reason: reason)
        let statistics = collector.statistics
        #expect(statistics.dropped[reason] == 3)
        #expect(statistics.dropped.total == 3)
        #expect(statistics.exported == 0)
        #expect(statistics.isBalanced)
    }

    @Test func requeuePutsTheRecordsBackAtTheFrontInOrder() throws {
        let collector = try makeCollector(records: 4)
        let batch = collector.drain(max: 2)
        let requeued = batch.requeue()
        #expect(requeued == 2)
        #expect(collector.statistics.inFlight == 0)
        #expect(collector.statistics.buffered == 4)
        let again = collector.drain(max: 4)
        let names = again.records.map(\.name)
        #expect(names == ["span0", "span1", "span2", "span3"])
        again.markExported()
        #expect(collector.statistics.isBalanced)
    }

    @Test func partialSettlementLeavesTheRestInABatchOfItsOwn() throws {
        let collector = try makeCollector(records: 6)
        let batch = collector.drain(max: 6)
        let records = batch.records
        var dropped = DropCounts()
        dropped[.rejectedByBackend] = 2
        guard let rest = batch.settle(dropped: dropped, exported: 1, rest: Array(records[3..<6])) else {
            Issue.record("three records were left to settle, but no batch came back")
            return
        }
        let names = rest.records.map(\.name)
        #expect(names == ["span3", "span4", "span5"])
        var statistics = collector.statistics
        #expect(statistics.exported == 1)
        #expect(statistics.dropped[.rejectedByBackend] == 2)
        #expect(statistics.inFlight == 3)
        #expect(statistics.isBalanced)
        rest.markExported()
        statistics = collector.statistics
        #expect(statistics.exported == 4)
        #expect(statistics.pending == 0)
        #expect(statistics.isBalanced)
    }

    @Test func partialSettlementOfEverythingLeavesNoBatch() throws {
        let collector = try makeCollector(records: 2)
        var dropped = DropCounts()
        dropped[.tooLarge] = 1
        if let rest = collector.drain(max: 2).settle(dropped: dropped, exported: 1, rest: []) {
            Issue.record("nothing was left to settle, but a batch of \(rest.count) came back")
            rest.markExported()
        }
        #expect(collector.statistics.pending == 0)
        #expect(collector.statistics.isBalanced)
    }

    @Test func settlingAfterTheCollectorAbandonedTheBatchChangesNoCounter() throws {
        let collector = try makeCollector(records: 3)
        let batch = collector.drain(max: 3)
        collector.abandon(reason: .shutdownDeadline)
        let abandoned = collector.statistics
        #expect(abandoned.dropped[.shutdownDeadline] == 3)
        batch.markExported()  // the late answer of an export shutdown stopped waiting for
        #expect(collector.statistics == abandoned)
        #expect(collector.statistics.isBalanced)
    }

    @Test func emptyBatchNeedsNoSettling() throws {
        let collector = try makeCollector(records: 0)
        let batch = collector.drain(max: 4)
        let isEmpty = batch.isEmpty
        #expect(isEmpty)
        _ = consume batch  // destroyed unsettled: fine for an empty batch
        #expect(collector.statistics.isBalanced)
    }
}
