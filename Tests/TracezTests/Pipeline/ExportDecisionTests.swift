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
        circuit: CircuitBreaker.State = .closed,
        shutdown: ExportDecision.Shutdown = .notStarted
    ) -> ExportDecision {
        var generator = SplitMix(state: 42)
        return ExportDecision.after(outcome, attempt: attempt, policy: Self.policy, circuit: circuit, shutdown: shutdown, using: &generator)
    }

    @Test func anAcceptedBatchIsExportedWhateverElseHolds() {
        for circuit in [CircuitBreaker.State.closed, .halfOpen, .open] {
            for shutdown in [ExportDecision.Shutdown.notStarted, .underway, .pastDeadline] {
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

    /// During shutdown too: its last drain tries the records once more, so a batch whose
    /// attempt failed just before the backend came back is not dropped for it.
    @Test func anOpenCircuitRequeuesWhileRunningAndDuringShutdown() {
        #expect(decide(.failed(retryAfter: nil), circuit: .open) == .requeue)
        #expect(decide(.failed(retryAfter: nil), circuit: .open, shutdown: .underway) == .requeue)
    }

    @Test func pastShutdownsDeadlineAFailureIsDroppedAsShutdownDeadlineFirst() {
        #expect(decide(.failed(retryAfter: nil), shutdown: .pastDeadline) == .drop(.shutdownDeadline))
        #expect(decide(.failed(retryAfter: nil), circuit: .open, shutdown: .pastDeadline) == .drop(.shutdownDeadline))
    }

    @Test func duringShutdownAFailureIsStillRetriedWhileAttemptsAndTimeRemain() {
        guard case .retry = decide(.failed(retryAfter: .seconds(60)), shutdown: .underway) else {
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
