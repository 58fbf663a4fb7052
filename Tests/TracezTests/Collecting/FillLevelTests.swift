import Synchronization
import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct FillLevelTests {
    /// Keeps every fill-level change a collector reports, in order.
    final class ChangeLog: Sendable {
        private let changes = SanitizedMutex<[FillLevelChange]>([])

        func append(_ change: FillLevelChange) { changes.withLock { $0.append(change) } }

        /// Everything reported since the last call.
        func take() -> [FillLevelChange] {
            changes.withLock { changes in
                defer { changes = [] }
                return changes
            }
        }
    }

    private func makeCollector(
        capacity: Int = 10,
        overflow: OverflowPolicy = .dropNewest,
        thresholds: FillThresholds = FillThresholds(warningPercent: 70, criticalPercent: 90, overflowPercent: 100),
        log: ChangeLog
    ) throws -> Collector {
        try Collector(
            configuration: CollectorConfiguration(
                name: "levels",
                capacity: capacity,
                overflow: overflow,
                fillThresholds: thresholds,
                onFillLevelChange: { log.append($0) }
            )
        )
    }

    private func change(_ from: FillLevel, _ to: FillLevel, count: Int, capacity: Int = 10) -> FillLevelChange {
        FillLevelChange(collector: "levels", from: from, to: to, count: count, capacity: capacity)
    }

    @Test func recordingUpToCapacityReportsWarningThenCriticalThenOverflow() throws {
        let log = ChangeLog()
        let collector = try makeCollector(log: log)
        var seen: [(recorded: Int, changes: [FillLevelChange], level: FillLevel)] = []

        for n in 1...11 {
            collector.record(makeRecord(name: "span\(n)"))
            seen.append((n, log.take(), collector.fillLevel))
        }

        for (recorded, changes, level) in seen {
            switch recorded {
            case 7: #expect(changes == [change(.normal, .warning, count: 7)])
            case 9: #expect(changes == [change(.warning, .critical, count: 9)])
            case 10: #expect(changes == [change(.critical, .overflow, count: 10)])
            default: #expect(changes.isEmpty, "after \(recorded) records: \(changes)")
            }
            let expectedLevel: FillLevel =
                switch recorded {
                case ..<7: .normal
                case 7, 8: .warning
                case 9: .critical
                default: .overflow
                }
            #expect(level == expectedLevel, "after \(recorded) records")
        }
    }

    @Test func drainingOneAtATimeReportsEachDownwardCrossing() throws {
        let log = ChangeLog()
        let collector = try makeCollector(log: log)
        for record in makeRecords(10) { collector.record(record) }
        _ = log.take()

        var seen: [(held: Int, changes: [FillLevelChange])] = []
        for held in stride(from: 9, through: 0, by: -1) {
            #expect(collector.drainUnsettled(max: 1).count == 1)
            seen.append((held, log.take()))
        }

        for (held, changes) in seen {
            switch held {
            case 9: #expect(changes == [change(.overflow, .critical, count: 9)])
            case 8: #expect(changes == [change(.critical, .warning, count: 8)])
            case 6: #expect(changes == [change(.warning, .normal, count: 6)])
            default: #expect(changes.isEmpty, "with \(held) held: \(changes)")
            }
        }
        #expect(collector.fillLevel == .normal)
    }

    @Test func drainingEverythingAtOnceReportsOneChangeStraightToNormal() throws {
        let log = ChangeLog()
        let collector = try makeCollector(log: log)
        for record in makeRecords(10) { collector.record(record) }
        _ = log.take()

        _ = collector.drainUnsettled(max: 10)

        #expect(log.take() == [change(.overflow, .normal, count: 0)])
    }

    @Test func discardingBufferedRecordsReportsReturnToNormal() throws {
        let log = ChangeLog()
        let collector = try makeCollector(log: log)
        for record in makeRecords(9) { collector.record(record) }
        _ = log.take()

        collector.discardBuffered(reason: .shutdownDeadline)

        #expect(log.take() == [change(.critical, .normal, count: 0)])
        #expect(collector.fillLevel == .normal)
    }

    @Test(arguments: [OverflowPolicy.dropNewest, .overwriteOldest])
    func recordsBeyondCapacityReportNoFurtherChanges(policy: OverflowPolicy) throws {
        let log = ChangeLog()
        let collector = try makeCollector(overflow: policy, log: log)
        for record in makeRecords(10) { collector.record(record) }
        _ = log.take()

        for record in makeRecords(5) { collector.record(record) }

        #expect(log.take().isEmpty)
        #expect(collector.fillLevel == .overflow)
    }

    @Test func oneSlotCollectorJumpsFromNormalStraightToOverflow() throws {
        let log = ChangeLog()
        let collector = try makeCollector(capacity: 1, log: log)

        collector.record(makeRecord(name: "only"))

        #expect(log.take() == [change(.normal, .overflow, count: 1, capacity: 1)])
    }

    @Test func thresholdsRoundUpToWholeRecords() throws {
        // 50 % of 3 is 1.5 records: the warning starts at 2. 75 % is 2.25: critical at 3.
        let log = ChangeLog()
        let thresholds = FillThresholds(warningPercent: 50, criticalPercent: 75, overflowPercent: 100)
        let collector = try makeCollector(capacity: 3, thresholds: thresholds, log: log)

        var changes: [[FillLevelChange]] = []
        for record in makeRecords(3) {
            collector.record(record)
            changes.append(log.take())
        }

        #expect(changes[0].isEmpty)
        #expect(changes[1] == [change(.normal, .warning, count: 2, capacity: 3)])
        #expect(changes[2] == [change(.warning, .overflow, count: 3, capacity: 3)])
    }

    @Test func levelsAreOrderedFromNormalToOverflow() {
        #expect(FillLevel.allCases.sorted() == [.normal, .warning, .critical, .overflow])
        #expect(FillLevel.warning < .critical)
        #expect(!(FillLevel.overflow < .normal))
    }

    // MARK: - FillThresholds

    @Test func defaultThresholdsAreSeventyNinetyAndHundredPercent() {
        let thresholds = FillThresholds()
        #expect(thresholds.warningPercent == 70)
        #expect(thresholds.criticalPercent == 90)
        #expect(thresholds.overflowPercent == 100)
    }

    @Test(arguments: [
        // (given warning, critical, overflow) -> (expected warning, critical, overflow)
        ((0, 90, 100), (1, 90, 100)),
        ((-20, -10, -5), (1, 1, 1)),
        ((70, 150, 200), (70, 100, 100)),
        ((120, 130, 140), (100, 100, 100)),
        ((90, 50, 30), (90, 90, 90)),
        ((40, 80, 60), (40, 80, 80)),
        ((60, 30, 100), (60, 60, 100)),
        ((50, 75, 90), (50, 75, 90)),
    ])
    func thresholdsAreClampedToOneThroughHundredAndPutInOrder(given: (Int, Int, Int), expected: (Int, Int, Int)) {
        let thresholds = FillThresholds(warningPercent: given.0, criticalPercent: given.1, overflowPercent: given.2)

        #expect(thresholds.warningPercent == expected.0)
        #expect(thresholds.criticalPercent == expected.1)
        #expect(thresholds.overflowPercent == expected.2)
    }

    @Test func thresholdsAssignedAfterCreationAreClampedAndOrderedToo() {
        // The type promises its values are clamped to 1...100 and in order; its
        // properties are settable, so the promise must hold after assignment as well.
        var thresholds = FillThresholds()
        thresholds.warningPercent = 0
        thresholds.criticalPercent = 150
        thresholds.overflowPercent = 50

        #expect(thresholds.warningPercent == 1)
        #expect(thresholds.criticalPercent == 100)
        #expect(thresholds.overflowPercent == 100)
    }
}
