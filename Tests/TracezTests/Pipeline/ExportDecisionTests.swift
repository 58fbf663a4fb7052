import Testing
import TracezTestSupport

@testable import Tracez

/// The pipeline's decision after an attempt, as a pure function: every outcome, circuit state
/// and shutdown stage, without a pipeline, a clock or a task.
@Suite(.timeLimit(.minutes(3))) struct ExportDecisionTests {
    static let policy = RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(30))

    func decide(
        _ outcome: ExportDecision.Outcome,
        attempt: Int = 1,
        elapsed: Duration = .zero,
        policy: RetryPolicy = Self.policy,
        circuit: CircuitBreaker.State = .closed,
        shutdown: ExportDecision.Shutdown = .notStarted
    ) -> ExportDecision {
        var generator = SplitMix(state: 42)
        return ExportDecision.after(
            outcome, attempt: attempt, elapsed: elapsed, policy: policy, circuit: circuit, shutdown: shutdown, using: &generator)
    }

    /// No attempt cap: only the time budget ends the retries.
    static let budgetOnly = RetryPolicy(maxElapsed: .seconds(60), initialDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(30))

    @Test func withoutAnAttemptCapRetriesGoOnWhileTheNextFitsInTheTimeBudget() {
        #expect(decide(.failed(retryAfter: .seconds(5)), attempt: 50, elapsed: .seconds(40), policy: Self.budgetOnly) == .retry(after: .seconds(5)))
        #expect(decide(.failed(retryAfter: .seconds(5)), attempt: 50, elapsed: .seconds(55), policy: Self.budgetOnly) == .retry(after: .seconds(5)))
        #expect(decide(.failed(retryAfter: .seconds(5)), attempt: 2, elapsed: .seconds(56), policy: Self.budgetOnly) == .drop(.exportFailed))
        #expect(decide(.failed(retryAfter: nil), attempt: 2, elapsed: .seconds(61), policy: Self.budgetOnly) == .drop(.exportFailed))
    }

    @Test func aRetryAfterBeyondTheTimeBudgetDropsTheBatchAtOnce() {
        #expect(decide(.failed(retryAfter: .seconds(20)), elapsed: .seconds(45), policy: Self.budgetOnly) == .drop(.exportFailed))
        #expect(decide(.failed(retryAfter: .seconds(20)), elapsed: .seconds(40), policy: Self.budgetOnly) == .retry(after: .seconds(20)))
    }

    /// At shutdown the backend's `Retry-After` is kept if it ends before the deadline, and cut to
    /// half the time left if not: tries spread over what is left, never a tight loop.
    @Test func atShutdownTheBackendsWaitIsKeptIfItFitsAndHalvedIfNot() {
        let underway = ExportDecision.Shutdown.underway(remaining: .seconds(3))
        #expect(decide(.failed(retryAfter: .seconds(1)), policy: Self.budgetOnly, shutdown: underway) == .retry(after: .seconds(1)))
        #expect(decide(.failed(retryAfter: .seconds(3)), policy: Self.budgetOnly, shutdown: underway) == .retry(after: .milliseconds(1500)))
        #expect(decide(.failed(retryAfter: .seconds(10)), policy: Self.budgetOnly, shutdown: underway) == .retry(after: .milliseconds(1500)))
        // The budget still decides first: a retry it does not allow is not made at shutdown either.
        #expect(decide(.failed(retryAfter: .seconds(10)), elapsed: .seconds(55), policy: Self.budgetOnly, shutdown: underway) == .drop(.exportFailed))
    }

    /// Our own backoff, grown to seconds by earlier failures, is at most an eighth of the time
    /// left at shutdown, so that several more tries fit before the deadline.
    @Test func atShutdownOurOwnBackoffIsAtMostAnEighthOfTheTimeLeft() {
        let nearlyOver = ExportDecision.Shutdown.underway(remaining: .milliseconds(400))
        for attempt in 1...6 {  // ceilings of 1 s to 32 s
            guard case .retry(let wait) = decide(.failed(retryAfter: nil), attempt: attempt, policy: Self.budgetOnly, shutdown: nearlyOver) else {
                Issue.record("attempt \(attempt) should be retried")
                continue
            }
            #expect(wait >= .zero && wait <= .milliseconds(50))
        }
        #expect(ExportDecision.waitAtShutdown(.seconds(8), remaining: .seconds(4), isBackendsRequest: false) == .milliseconds(500))
        #expect(ExportDecision.waitAtShutdown(.milliseconds(200), remaining: .seconds(4), isBackendsRequest: false) == .milliseconds(200))
        #expect(ExportDecision.waitAtShutdown(.milliseconds(600), remaining: .seconds(4), isBackendsRequest: false) == .milliseconds(500))
        #expect(ExportDecision.waitAtShutdown(.seconds(8), remaining: .seconds(4), isBackendsRequest: true) == .seconds(2))
        #expect(ExportDecision.waitAtShutdown(.seconds(1), remaining: .zero, isBackendsRequest: true) == .zero)
    }

    @Test func anAcceptedBatchIsExportedWhateverElseHolds() {
        for circuit in [CircuitBreaker.State.closed, .halfOpen, .open] {
            for shutdown in [ExportDecision.Shutdown.notStarted, .underway(remaining: .seconds(1)), .pastDeadline] {
                #expect(decide(.accepted, attempt: 9, circuit: circuit, shutdown: shutdown) == .exported)
            }
        }
    }

    @Test func aRefusalIsNeverRetried() {
        #expect(decide(.refused) == .drop(.rejectedByBackend))
        #expect(decide(.refused, shutdown: .pastDeadline) == .drop(.rejectedByBackend))
    }

    @Test func aTransientFailureIsRetriedWithBackoffUntilTheAttemptsAreSpent() {
        guard case .retry(let first) = decide(.failed(retryAfter: nil), attempt: 1) else {
            Issue.record("the first failure should be retried")
            return
        }
        #expect(first >= .zero && first <= .seconds(1))  // full jitter under the first ceiling
        guard case .retry(let second) = decide(.failed(retryAfter: nil), attempt: 2) else {
            Issue.record("the second failure should be retried")
            return
        }
        #expect(second >= .zero && second <= .seconds(2))
        #expect(decide(.failed(retryAfter: nil), attempt: 3) == .drop(.exportFailed))
    }

    @Test func retryAfterReplacesTheBackoffCappedAtTheLongestWait() {
        #expect(decide(.failed(retryAfter: .seconds(7))) == .retry(after: .seconds(7)))
        #expect(decide(.failed(retryAfter: .seconds(3600))) == .retry(after: .seconds(30)))
        #expect(decide(.failed(retryAfter: .seconds(7)), attempt: 3) == .drop(.exportFailed))
    }

    /// During shutdown nothing would come back for requeued records: they are retried, open
    /// circuit or not, so a batch whose attempt failed just before the backend came back is
    /// not dropped for it.
    @Test func anOpenCircuitRequeuesWhileRunningAndIsRetriedThroughDuringShutdown() {
        #expect(decide(.failed(retryAfter: nil), circuit: .open) == .requeue)
        let underway = ExportDecision.Shutdown.underway(remaining: .seconds(5))
        #expect(decide(.failed(retryAfter: .seconds(1)), circuit: .open, shutdown: underway) == .retry(after: .seconds(1)))
        #expect(decide(.failed(retryAfter: nil), attempt: 3, circuit: .open, shutdown: underway) == .drop(.exportFailed))
    }

    @Test func pastShutdownsDeadlineAFailureIsDroppedAsShutdownDeadlineFirst() {
        #expect(decide(.failed(retryAfter: nil), shutdown: .pastDeadline) == .drop(.shutdownDeadline))
        #expect(decide(.failed(retryAfter: nil), circuit: .open, shutdown: .pastDeadline) == .drop(.shutdownDeadline))
    }

    @Test func duringShutdownAFailureIsStillRetriedWhileAttemptsAndTimeRemain() {
        guard case .retry = decide(.failed(retryAfter: .seconds(60)), shutdown: .underway(remaining: .seconds(1))) else {
            Issue.record("shutdown does not give up a batch with attempts left")
            return
        }
        #expect(decide(.failed(retryAfter: nil), circuit: .halfOpen) != .requeue)
    }

    @Test func whatIsLeftAtShutdownIsCountedByTheCircuitsState() {
        #expect(ExportDecision.reasonForUnsent(circuit: .open) == .circuitOpen)
        #expect(ExportDecision.reasonForUnsent(circuit: .closed) == .shutdownDeadline)
        #expect(ExportDecision.reasonForUnsent(circuit: .halfOpen) == .shutdownDeadline)
    }

    @Test func shutdownsLastDrainStopsOnlyWhenTheCircuitIsOpenAndNothingGotThrough() {
        #expect(ExportDecision.keepsSendingAtShutdown(circuit: .open, lastBatchSentAny: false) == false)
        // A batch got through: the backend is back, though the breaker has not closed yet.
        #expect(ExportDecision.keepsSendingAtShutdown(circuit: .open, lastBatchSentAny: true))
        for circuit in [CircuitBreaker.State.closed, .halfOpen] {
            #expect(ExportDecision.keepsSendingAtShutdown(circuit: circuit, lastBatchSentAny: false))
            #expect(ExportDecision.keepsSendingAtShutdown(circuit: circuit, lastBatchSentAny: true))
        }
    }

    @Test func onlyRetriesAndRequeuesSendAgain() {
        #expect(ExportDecision.retry(after: .zero).sendsAgain)
        #expect(ExportDecision.requeue.sendsAgain)
        #expect(!ExportDecision.exported.sendsAgain)
        #expect(!ExportDecision.drop(.exportFailed).sendsAgain)
    }
}
