import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct CollectorRequeueTests {
    private func makeCollector(capacity: Int) throws -> Collector {
        try Collector(configuration: CollectorConfiguration(name: "requeue", capacity: capacity))
    }

    private func record(_ records: [SpanRecord], into collector: Collector) {
        for record in records { #expect(collector.record(record)) }
    }

    @Test func requeuedRecordsGoBackToTheFrontInTheirOriginalOrder() throws {
        let collector = try makeCollector(capacity: 10)
        record(makeRecords(5, prefix: "old"), into: collector)
        let drained = collector.drainUnsettled(max: 3)
        record(makeRecords(2, prefix: "new"), into: collector)

        #expect(collector.requeue(drained, overflow: .circuitOpen) == 3)
        let statistics = collector.statistics
        #expect(statistics.buffered == 7)
        #expect(statistics.inFlight == 0)
        #expect(statistics.dropped.total == 0)
        #expect(statistics.isBalanced)
        #expect(collector.takeAll().map(\.name) == ["old0", "old1", "old2", "old3", "old4", "new0", "new1"])
        #expect(collector.statistics.isBalanced)
    }

    @Test func requeueAcrossTheStartOfTheRingKeepsTheOrder() throws {
        let collector = try makeCollector(capacity: 4)
        record(makeRecords(4, prefix: "old"), into: collector)
        let drained = collector.drainUnsettled(max: 4)  // the ring's head wraps back to slot 0
        record(makeRecords(2, prefix: "new"), into: collector)

        #expect(collector.requeue(Array(drained.suffix(2))) == 2)
        collector.markExported(2)  // the first two were sent
        #expect(collector.takeAll().map(\.name) == ["old2", "old3", "new0", "new1"])
        let statistics = collector.statistics
        #expect(statistics.exported == 6)
        #expect(statistics.pending == 0)
        #expect(statistics.isBalanced)
    }

    @Test func requeueWithTooLittleRoomCountsTheOverflowUnderTheGivenReason() throws {
        let collector = try makeCollector(capacity: 4)
        record(makeRecords(4, prefix: "old"), into: collector)
        let drained = collector.drainUnsettled(max: 3)
        record(makeRecords(2, prefix: "new"), into: collector)  // 3 buffered, room for 1

        #expect(collector.requeue(drained, overflow: .shutdownDeadline) == 1)
        let statistics = collector.statistics
        #expect(statistics.buffered == 4)
        #expect(statistics.inFlight == 0)
        #expect(statistics.dropped[.shutdownDeadline] == 2)
        #expect(statistics.dropped.total == 2)
        #expect(statistics.isBalanced)

        let names = collector.takeAll().map(\.name)
        #expect(names.count == 4)
        #expect(Array(names.suffix(3)) == ["old3", "new0", "new1"])
        #expect(["old0", "old1", "old2"].contains(names[0]))
        #expect(collector.statistics.isBalanced)
    }

    @Test func requeueIntoAClosedCollectorCountsEveryRecordUnderTheReason() throws {
        let collector = try makeCollector(capacity: 8)
        record(makeRecords(3), into: collector)
        let drained = collector.drainUnsettled(max: 3)
        collector.close()

        #expect(collector.requeue(drained, overflow: .circuitOpen) == 0)
        let statistics = collector.statistics
        #expect(statistics.dropped[.circuitOpen] == 3)
        #expect(statistics.pending == 0)
        #expect(statistics.isBalanced)
    }

    @Test func abandonCountsBufferedAndInFlightUnderTheReasonAndCloses() throws {
        let collector = try makeCollector(capacity: 10)
        record(makeRecords(6), into: collector)
        let inFlight = collector.drainUnsettled(max: 2)
        #expect(inFlight.count == 2)

        collector.abandon(reason: .circuitOpen)
        var statistics = collector.statistics
        #expect(statistics.dropped[.circuitOpen] == 6)
        #expect(statistics.dropped.total == 6)
        #expect(statistics.buffered == 0)
        #expect(statistics.inFlight == 0)
        #expect(statistics.isBalanced)

        // Closed: a new record is refused and counted, never kept.
        #expect(collector.record(makeRecord(name: "late")) == false)
        statistics = collector.statistics
        #expect(statistics.recorded == 7)
        #expect(statistics.dropped[.shutdownDeadline] == 1)
        #expect(statistics.buffered == 0)
        #expect(statistics.isBalanced)
    }

    @Test func lateResultsForAbandonedRecordsChangeNothing() throws {
        let collector = try makeCollector(capacity: 10)
        record(makeRecords(6), into: collector)
        let inFlight = collector.drainUnsettled(max: 4)
        collector.abandon(reason: .shutdownDeadline)
        let abandoned = collector.statistics

        // The export that was in flight answers after all.
        collector.markExported(inFlight.count)
        collector.markDropped(inFlight.count, reason: .exportFailed)
        #expect(collector.requeue(inFlight) == 0)

        let statistics = collector.statistics
        #expect(statistics == abandoned)
        #expect(statistics.exported == 0)
        #expect(statistics.dropped[.shutdownDeadline] == 6)
        #expect(statistics.dropped[.exportFailed] == 0)
        #expect(statistics.isBalanced)
    }
}
