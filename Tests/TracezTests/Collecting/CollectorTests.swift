import Foundation
import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct CollectorTests {
    private func makeCollector(
        capacity: Int,
        overflow: OverflowPolicy = .dropNewest,
        filter: CollectorFilter? = nil
    ) throws -> Collector {
        try Collector(configuration: CollectorConfiguration(name: "test", capacity: capacity, overflow: overflow, filter: filter))
    }

    // MARK: - Capacity

    @Test(arguments: [0, -1, -2048])
    func capacityBelowOneThrowsInvalidCapacity(capacity: Int) {
        #expect(throws: TracezError.invalidCapacity(collector: "tiny", capacity: capacity)) {
            try Collector(configuration: CollectorConfiguration(name: "tiny", capacity: capacity))
        }
    }

    @Test func capacityOfOneIsAccepted() throws {
        let collector = try makeCollector(capacity: 1)
        #expect(collector.capacity == 1)
        #expect(collector.record(makeRecord(name: "only")))
        #expect(collector.drainUnsettled(max: 5).map(\.name) == ["only"])
    }

    // MARK: - Order

    @Test func drainHandsOutRecordsOldestFirst() throws {
        let collector = try makeCollector(capacity: 8)
        for record in makeRecords(5) { collector.record(record) }

        #expect(collector.drainUnsettled(max: 2).map(\.name) == ["span0", "span1"])
        #expect(collector.drainUnsettled(max: 100).map(\.name) == ["span2", "span3", "span4"])
        #expect(collector.drainUnsettled(max: 100).isEmpty)
    }

    @Test(arguments: [0, -1])
    func drainOfNothingTakesNothing(max: Int) throws {
        let collector = try makeCollector(capacity: 4)
        collector.record(makeRecord(name: "kept"))

        #expect(collector.drainUnsettled(max: max).isEmpty)
        #expect(collector.statistics.buffered == 1)
        #expect(collector.statistics.inFlight == 0)
    }

    @Test func ringWrapsAroundAndKeepsFirstInFirstOut() throws {
        let collector = try makeCollector(capacity: 4)
        for name in ["a", "b", "c", "d"] { #expect(collector.record(makeRecord(name: name))) }
        #expect(collector.drainUnsettled(max: 3).map(\.name) == ["a", "b", "c"])

        // Three of these go into the slots freed at the start of the ring.
        for name in ["e", "f", "g"] { #expect(collector.record(makeRecord(name: name))) }
        #expect(collector.statistics.buffered == 4)
        #expect(collector.drainUnsettled(max: 4).map(\.name) == ["d", "e", "f", "g"])

        // Once more around, draining in odd-sized pieces.
        for name in ["h", "i", "j"] { collector.record(makeRecord(name: name)) }
        #expect(collector.drainUnsettled(max: 1).map(\.name) == ["h"])
        for name in ["k", "l"] { collector.record(makeRecord(name: name)) }
        #expect(collector.drainUnsettled(max: 10).map(\.name) == ["i", "j", "k", "l"])
        #expect(collector.statistics.buffered == 0)
    }

    // MARK: - Overflow policies

    @Test func fullCollectorDropsNewestAndCountsBufferFull() throws {
        let collector = try makeCollector(capacity: 3, overflow: .dropNewest)
        let kept = makeRecords(5).map { collector.record($0) }

        #expect(kept == [true, true, true, false, false])
        #expect(collector.drainUnsettled(max: 10).map(\.name) == ["span0", "span1", "span2"])
        let statistics = collector.statistics
        #expect(statistics.recorded == 5)
        #expect(statistics.dropped[.bufferFull] == 2)
        #expect(statistics.dropped[.overwritten] == 0)
        #expect(statistics.isBalanced)
    }

    @Test func fullFlightRecorderOverwritesOldestAndCountsOverwritten() throws {
        let collector = try makeCollector(capacity: 3, overflow: .overwriteOldest)
        let kept = makeRecords(7).map { collector.record($0) }

        #expect(kept == Array(repeating: true, count: 7))
        #expect(collector.drainUnsettled(max: 10).map(\.name) == ["span4", "span5", "span6"])
        let statistics = collector.statistics
        #expect(statistics.recorded == 7)
        #expect(statistics.dropped[.overwritten] == 4)
        #expect(statistics.dropped[.bufferFull] == 0)
        #expect(statistics.isBalanced)
    }

    @Test func flightRecorderOverwritingAfterPartialDrainStillDrainsOldestFirst() throws {
        let collector = try makeCollector(capacity: 3, overflow: .overwriteOldest)
        for record in makeRecords(3) { collector.record(record) }
        #expect(collector.drainUnsettled(max: 1).map(\.name) == ["span0"])
        for name in ["x", "y", "z"] { collector.record(makeRecord(name: name)) }  // "x" fills, "y" and "z" overwrite

        #expect(collector.drainUnsettled(max: 3).map(\.name) == ["x", "y", "z"])
        #expect(collector.droppedCount(for: .overwritten) == 2)
    }

    @Test func blockingCollectorWithNothingDrainingDropsAfterTimeoutAndCountsBufferFull() throws {
        let collector = try makeCollector(capacity: 1, overflow: .block(timeout: .milliseconds(20)))
        #expect(collector.record(makeRecord(name: "first")))

        #expect(collector.record(makeRecord(name: "second")) == false)

        let statistics = collector.statistics
        #expect(statistics.recorded == 2)
        #expect(statistics.dropped[.bufferFull] == 1)
        #expect(statistics.isBalanced)
        #expect(collector.drainUnsettled(max: 2).map(\.name) == ["first"])
    }

    @Test func blockingCollectorAcceptsOnceAConcurrentDrainMakesRoom() async throws {
        // The long timeout is a safety net: the record must be kept, whenever the drain comes.
        let collector = try makeCollector(capacity: 1, overflow: .block(timeout: .seconds(60)))
        collector.record(makeRecord(name: "first"))

        let accepted = recordOnOwnThread(makeRecord(name: "second"), into: collector)
        // `recorded` counts the second record before it starts waiting for room.
        try await waitUntil("the second record waits for room") { collector.statistics.recorded >= 2 }
        let drained = collector.drainUnsettled(max: 1)

        #expect(await accepted.value)
        #expect(drained.map(\.name) == ["first"])
        #expect(collector.drainUnsettled(max: 1).map(\.name) == ["second"])
        let statistics = collector.statistics
        #expect(statistics.recorded == 2)
        #expect(statistics.dropped.total == 0)
        #expect(statistics.inFlight == 2)
        #expect(statistics.isBalanced)
    }

    @Test func blockingCollectorAcceptsOnceADiscardMakesRoom() async throws {
        // The waiting thread sleeps until woken: a discard must wake it as a drain does.
        let collector = try makeCollector(capacity: 1, overflow: .block(timeout: .seconds(60)))
        collector.record(makeRecord(name: "first"))

        let accepted = recordOnOwnThread(makeRecord(name: "second"), into: collector)
        try await waitUntil("the second record waits for room") { collector.statistics.recorded >= 2 }
        #expect(collector.discardBuffered(reason: .shutdownDeadline) == 1)

        #expect(await accepted.value)
        #expect(collector.drainUnsettled(max: 1).map(\.name) == ["second"])
        let statistics = collector.statistics
        #expect(statistics.dropped[.shutdownDeadline] == 1)
        #expect(statistics.dropped[.bufferFull] == 0)
        #expect(statistics.waiting == 0)
        #expect(statistics.isBalanced)
    }

    @Test func blockedRecordIsRefusedAsShutdownDeadlineWhenCollectorCloses() async throws {
        let collector = try makeCollector(capacity: 1, overflow: .block(timeout: .seconds(60)))
        collector.record(makeRecord(name: "first"))

        let accepted = recordOnOwnThread(makeRecord(name: "late"), into: collector)
        try await waitUntil("the late record waits for room") { collector.statistics.recorded >= 2 }
        collector.close()

        #expect(await accepted.value == false)
        #expect(collector.droppedCount(for: .shutdownDeadline) == 1)
        #expect(collector.droppedCount(for: .bufferFull) == 0)
        #expect(collector.statistics.isBalanced)
    }

    /// Runs a record that may block on a thread of its own, so it never holds up one of
    /// Swift concurrency's few cooperative threads that the rest of the test needs.
    private func recordOnOwnThread(_ record: SpanRecord, into collector: Collector) -> Task<Bool, Never> {
        Task {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: collector.record(record)) }.start()
            }
        }
    }

    // MARK: - Closing and discarding

    @Test func recordsAfterCloseAreCountedAsShutdownDeadline() throws {
        let collector = try makeCollector(capacity: 4)
        collector.record(makeRecord(name: "before"))
        collector.close()

        #expect(collector.record(makeRecord(name: "after1")) == false)
        #expect(collector.record(makeRecord(name: "after2")) == false)

        let statistics = collector.statistics
        #expect(statistics.recorded == 3)
        #expect(statistics.dropped[.shutdownDeadline] == 2)
        #expect(statistics.buffered == 1)
        #expect(statistics.isBalanced)
        // What was there before closing can still be drained.
        #expect(collector.drainUnsettled(max: 4).map(\.name) == ["before"])
    }

    @Test(arguments: DropReason.allCases)
    func discardBufferedCountsEveryBufferedRecordUnderTheGivenReason(reason: DropReason) throws {
        let collector = try makeCollector(capacity: 4)
        for record in makeRecords(3) { collector.record(record) }
        _ = collector.drainUnsettled(max: 1)  // in flight: not the collector's to discard

        #expect(collector.discardBuffered(reason: reason) == 2)

        let statistics = collector.statistics
        #expect(statistics.dropped[reason] == 2)
        #expect(statistics.dropped.total == 2)
        #expect(statistics.buffered == 0)
        #expect(statistics.inFlight == 1)
        #expect(statistics.isBalanced)
        // The emptied collector takes new records and hands out only those.
        collector.record(makeRecord(name: "new"))
        #expect(collector.drainUnsettled(max: 4).map(\.name) == ["new"])
    }

    @Test func discardBufferedOnEmptyCollectorCountsNothing() throws {
        let collector = try makeCollector(capacity: 2)
        #expect(collector.discardBuffered(reason: .shutdownDeadline) == 0)
        #expect(collector.statistics.dropped.total == 0)
    }

    // MARK: - In-flight accounting

    @Test func markExportedAndMarkDroppedMoveInFlightRecords() throws {
        let collector = try makeCollector(capacity: 8)
        for record in makeRecords(5) { collector.record(record) }
        #expect(collector.drainUnsettled(max: 4).count == 4)
        #expect(collector.statistics.inFlight == 4)
        #expect(collector.statistics.buffered == 1)

        collector.markExported(2)
        #expect(collector.statistics.inFlight == 2)
        #expect(collector.statistics.exported == 2)

        collector.markDropped(1, reason: .exportFailed)
        #expect(collector.statistics.inFlight == 1)
        #expect(collector.droppedCount(for: .exportFailed) == 1)

        collector.markDropped(1, reason: .rejectedByBackend)
        #expect(collector.statistics.inFlight == 0)
        #expect(collector.droppedCount(for: .rejectedByBackend) == 1)

        let statistics = collector.statistics
        #expect(statistics.exported == 2)
        #expect(statistics.dropped.total == 2)
        #expect(statistics.buffered == 1)
        #expect(statistics.isBalanced)
    }

    @Test func markingMoreThanIsInFlightMovesOnlyWhatIsInFlight() throws {
        let collector = try makeCollector(capacity: 8)
        for record in makeRecords(3) { collector.record(record) }
        _ = collector.drainUnsettled(max: 2)

        collector.markExported(5)
        #expect(collector.statistics.exported == 2)
        #expect(collector.statistics.inFlight == 0)

        collector.markDropped(4, reason: .circuitOpen)
        #expect(collector.droppedCount(for: .circuitOpen) == 0)
        #expect(collector.statistics.isBalanced)
    }

    @Test func markingZeroOrNegativeCountsChangesNothing() throws {
        let collector = try makeCollector(capacity: 4)
        for record in makeRecords(2) { collector.record(record) }
        _ = collector.drainUnsettled(max: 2)
        let before = collector.statistics

        collector.markExported(0)
        collector.markExported(-3)
        collector.markDropped(0, reason: .exportFailed)
        collector.markDropped(-1, reason: .exportFailed)

        #expect(collector.statistics == before)
    }

    // MARK: - Balance

    @Test(arguments: [OverflowPolicy.dropNewest, .overwriteOldest, .block(timeout: .milliseconds(1))])
    func countersBalanceAfterEveryStepOfAScriptedSequence(policy: OverflowPolicy) throws {
        let collector = try makeCollector(capacity: 4, overflow: policy)
        let steps: [(String, () -> Void)] = [
            ("record 3", { for r in makeRecords(3) { collector.record(r) } }),
            ("drain 2", { _ = collector.drainUnsettled(max: 2) }),
            ("export 1", { collector.markExported(1) }),
            ("record 6 (overflows)", { for r in makeRecords(6) { collector.record(r) } }),
            ("drop 1 export failed", { collector.markDropped(1, reason: .exportFailed) }),
            ("drain all", { _ = collector.drainUnsettled(max: 10) }),
            ("export 2", { collector.markExported(2) }),
            ("reject 1", { collector.markDropped(1, reason: .rejectedByBackend) }),
            ("record 2", { for r in makeRecords(2) { collector.record(r) } }),
            ("discard buffered", { collector.discardBuffered(reason: .shutdownDeadline) }),
            ("close", { collector.close() }),
            ("record after close", { collector.record(makeRecord(name: "late")) }),
            ("drop the rest in flight", { collector.markDropped(10, reason: .shutdownDeadline) }),
        ]
        #expect(collector.statistics.isBalanced)
        for (step, run) in steps {
            run()
            let statistics = collector.statistics
            #expect(statistics.isBalanced, "after \(step): \(statistics) pending=\(statistics.pending)")
        }

        let final = collector.statistics
        #expect(final.recorded == 12)
        #expect(final.pending == 0)
        #expect(final.exported + final.dropped.total == 12)
    }

    @Test func statisticsAreUnbalancedWhenACounterIsOff() {
        // The invariant check itself must be able to fail.
        let statistics = CollectorStatistics(
            name: "x", recorded: 5, exported: 1, dropped: DropCounts(), buffered: 2, inFlight: 1, capacity: 8
        )
        #expect(statistics.pending == 3)
        #expect(statistics.isBalanced == false)
    }

    // MARK: - Counting drops

    @Test func droppedCountReportsEachReasonSeparately() throws {
        let collector = try makeCollector(capacity: 2)
        for record in makeRecords(5) { collector.record(record) }  // 3 x bufferFull
        _ = collector.drainUnsettled(max: 2)
        collector.markDropped(1, reason: .exportFailed)
        collector.markDropped(1, reason: .circuitOpen)
        collector.close()
        collector.record(makeRecord(name: "late"))  // 1 x shutdownDeadline

        let expected: [DropReason: Int] = [
            .bufferFull: 3, .overwritten: 0, .exportFailed: 1,
            .circuitOpen: 1, .shutdownDeadline: 1, .rejectedByBackend: 0, .tooLarge: 0,
        ]
        for reason in DropReason.allCases {
            #expect(collector.droppedCount(for: reason) == expected[reason], "\(reason)")
            #expect(collector.statistics.dropped[reason] == expected[reason], "\(reason)")
        }
        #expect(collector.statistics.dropped.total == 6)
        #expect(collector.statistics.dropped.description == "bufferFull=3 exportFailed=1 circuitOpen=1 shutdownDeadline=1")
        #expect(collector.statistics.description == "recorded=6 exported=0 dropped=6")
    }

    // MARK: - Filter

    @Test func recordKeepsWhatItsFilterRejectsBecauseTheTracerAppliesTheFilter() throws {
        let collector = try makeCollector(capacity: 4, filter: .namePrefix("db."))

        // Collector.record takes the record as offered: filtering is the tracer's job.
        #expect(collector.record(makeRecord(name: "http.get")))
        #expect(collector.statistics.recorded == 1)

        let tracer = Tracez.Tracer(collectors: [collector])
        tracer.record(makeRecord(name: "cache.get"))
        tracer.record(makeRecord(name: "db.query"))

        #expect(collector.statistics.recorded == 2)
        #expect(collector.drainUnsettled(max: 4).map(\.name) == ["http.get", "db.query"])
    }

    @Test func tracerOffersEachRecordToEveryCollectorThroughItsOwnFilter() throws {
        let databases = try makeCollector(capacity: 4, filter: .namePrefix("db."))
        let everything = try makeCollector(capacity: 4)
        let tracer = Tracez.Tracer(collectors: [databases, everything])

        tracer.record(makeRecord(name: "db.query"))
        tracer.record(makeRecord(name: "http.get"))

        #expect(databases.drainUnsettled(max: 4).map(\.name) == ["db.query"])
        #expect(everything.drainUnsettled(max: 4).map(\.name) == ["db.query", "http.get"])
    }
}
