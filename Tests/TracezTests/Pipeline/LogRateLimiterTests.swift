import Testing

@testable import Tracez

/// Every instant is passed in explicitly: the limiter never reads the clock here.
@Suite(.timeLimit(.minutes(3))) struct LogRateLimiterTests {
    private let start = ContinuousClock.now

    @Test func admitsTheFirstLineOfAKind() {
        let limiter = LogRateLimiter(interval: .seconds(10))
        let (log, suppressed) = limiter.admit("failed", now: start)
        #expect(log)
        #expect(suppressed == 0)
    }

    @Test func holdsBackRepeatsWithinTheIntervalAndReportsThemOnTheNextAdmittedLine() {
        let limiter = LogRateLimiter(interval: .seconds(10))
        _ = limiter.admit("failed", now: start)
        for later in [Duration.seconds(1), .seconds(5), .milliseconds(9_999)] {
            let (log, suppressed) = limiter.admit("failed", now: start + later)
            #expect(!log, "admitted \(later) after the last line")
            #expect(suppressed == 0)
        }

        let (log, suppressed) = limiter.admit("failed", now: start + .seconds(10))
        #expect(log)
        #expect(suppressed == 3)

        // The count starts again from the line just admitted.
        #expect(limiter.admit("failed", now: start + .seconds(11)).log == false)
        let (nextLog, nextSuppressed) = limiter.admit("failed", now: start + .seconds(20))
        #expect(nextLog)
        #expect(nextSuppressed == 1)
    }

    @Test func quietKindReportsNothingHeldBack() {
        let limiter = LogRateLimiter(interval: .seconds(10))
        _ = limiter.admit("failed", now: start)
        let (log, suppressed) = limiter.admit("failed", now: start + .seconds(60))
        #expect(log)
        #expect(suppressed == 0)
    }

    @Test func kindsAreLimitedIndependently() {
        let limiter = LogRateLimiter(interval: .seconds(10))
        #expect(limiter.admit("failed", now: start).log)
        #expect(limiter.admit("circuit", now: start + .seconds(1)).log)
        #expect(limiter.admit("failed", now: start + .seconds(2)).log == false)
        #expect(limiter.admit("failed", now: start + .seconds(3)).log == false)
        #expect(limiter.admit("circuit", now: start + .seconds(4)).log == false)

        let failed = limiter.admit("failed", now: start + .seconds(10))
        #expect(failed.log)
        #expect(failed.suppressed == 2)
        // "circuit" was admitted at +1 s: its interval runs from then, not from "failed"'s line.
        #expect(limiter.admit("circuit", now: start + .seconds(10)).log == false)
        let circuit = limiter.admit("circuit", now: start + .seconds(11))
        #expect(circuit.log)
        #expect(circuit.suppressed == 2)
    }
}
