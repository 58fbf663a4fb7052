import Testing

@testable import Tracez

/// `ExportRound`: how a round's records are shared out among its concurrent exports.
@Suite struct ExportRoundTests {
    @Test(arguments: [
        (records: 0, limit: 4, exports: 1),
        (records: 1, limit: 4, exports: 1),
        (records: 10, limit: 4, exports: 1),
        (records: 11, limit: 4, exports: 2),
        (records: 40, limit: 4, exports: 4),
        (records: 41, limit: 4, exports: 4),
        (records: 1_000, limit: 1, exports: 1),
        (records: Int.max, limit: 1024, exports: 1024),
    ])
    func oneExportPerBatchUpToTheLimit(records: Int, limit: Int, exports: Int) {
        #expect(ExportRound.exports(forRecords: records, batchSize: 10, limit: limit) == exports)
    }

    @Test func claimsShareOutTheRoundsRecordsAndStopEndsTheRound() {
        let round = ExportRound(records: 25)
        #expect(round.claim(batchSize: 10) == 10)
        #expect(round.claim(batchSize: 10) == 10)
        round.giveBack(10)
        #expect(round.claim(batchSize: 10) == 10)
        #expect(round.claim(batchSize: 10) == 5)
        #expect(round.claim(batchSize: 10) == 0)

        let stopped = ExportRound(records: .max)
        #expect(stopped.claim(batchSize: 512) == 512)
        stopped.giveBack(512)  // never overflows past Int.max
        stopped.stop()
        #expect(stopped.claim(batchSize: 512) == 0)
    }

    /// What an idle export may take of the records that arrived since the round began: a full
    /// batch while a batch of the round is in flight; while a batch waits for a retry, a full
    /// batch, or, once the interval has passed, what there is (once per interval); nothing once
    /// the round stops.
    @Test func idleExportsTakeArrivedFullBatchesWhileTheRoundIsInFlight() {
        let round = ExportRound(records: 0)
        #expect(round.topUp(buffered: 25, batchSize: 10) == 0, "nothing in flight: the next round takes them")
        round.batchDrained()
        #expect(round.topUp(buffered: 25, batchSize: 10) == 10, "a batch in flight: a free slot takes a full batch")
        #expect(round.topUp(buffered: 5, batchSize: 10) == 0, "a partial batch waits for the next round")
        round.wake(mayTakePartialBatch: true)
        #expect(round.topUp(buffered: 5, batchSize: 10) == 0, "also once the interval passed, unless a retry waits")
        #expect(round.topUp(buffered: 25, batchSize: 10) == 10, "the interval does not end a round in flight")
        round.batchSettled()
        #expect(round.topUp(buffered: 25, batchSize: 10) == 0, "nothing in flight any more")
    }

    @Test func idleExportsTakeArrivedRecordsWhileABatchWaitsForItsRetry() {
        let round = ExportRound(records: 0)
        round.batchDrained()
        round.wake(mayTakePartialBatch: true)  // the interval passed once already
        #expect(round.topUp(buffered: 5, batchSize: 10) == 0, "no batch waits for a retry: no partial batch")

        round.waitingForRetry(true)
        #expect(round.topUp(buffered: 25, batchSize: 10) == 10)
        #expect(round.topUp(buffered: 5, batchSize: 10) == 5, "the interval passed: a partial batch")
        #expect(round.topUp(buffered: 5, batchSize: 10) == 0, "once per interval")
        round.wake(mayTakePartialBatch: true)
        #expect(round.topUp(buffered: 5, batchSize: 10) == 5)
        #expect(round.topUp(buffered: 0, batchSize: 10) == 0)

        round.waitingForRetry(false)
        #expect(round.topUp(buffered: 5, batchSize: 10) == 0, "the retry is over: no partial batch")
        round.waitingForRetry(true)
        round.stop()
        #expect(round.topUp(buffered: 25, batchSize: 10) == 0, "the round stopped")
    }

    /// An idle export stays while a batch of the round is unsettled, and misses no wake-up: one
    /// that came after it looked lets it go on at once, and the last batch settling wakes it.
    @Test(.timeLimit(.minutes(1)))
    func anIdleExportSleepsUntilWokenAndEndsWithTheRound() async {
        let round = ExportRound(records: 0)
        #expect(!round.isUnderway, "nothing unsettled: an idle export ends")
        await round.sleep(unlessWokenSince: round.wakeUps)  // returns at once: nothing to wait for

        round.batchDrained()
        #expect(round.isUnderway)
        let seen = round.wakeUps
        round.wake()
        await round.sleep(unlessWokenSince: seen)  // woken after it looked: returns at once

        let sleeper = Task { await round.sleep(unlessWokenSince: round.wakeUps) }
        round.batchSettled()  // the last batch: the round is over
        await sleeper.value
        #expect(!round.isUnderway)
    }
}
