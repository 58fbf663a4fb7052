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
}
