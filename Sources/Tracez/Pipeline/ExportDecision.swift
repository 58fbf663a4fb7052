/// What the pipeline does with a batch after an export attempt: a pure function of what the
/// attempt came to and where the pipeline stands, so every rule can be tested without a
/// pipeline, a clock or a task (`ExportDecisionTests`).
///
/// The pipeline settles what an exporter reported per record (a partial success) before it
/// asks; what is left to decide is the fate of the records still unsettled.
enum ExportDecision: Equatable, Sendable {
    /// The backend took the records.
    case exported
    /// Give the records up, counted under the reason.
    case drop(DropReason)
    /// Send the records again after the wait.
    case retry(after: Duration)
    /// Put the records back at the front of the collector: the circuit is open, and they may
    /// wait there for the backend to come back (or, once shutdown has begun, for its last drain).
    case requeue

    /// What one attempt came to, for the records still unsettled.
    enum Outcome: Equatable, Sendable {
        case accepted
        /// Refused for good (a permanent 4xx).
        case refused
        /// Worth another try: a transient error, a timeout, or an error the exporter did not
        /// classify. `retryAfter` is the backend's `Retry-After`, if it sent one.
        case failed(retryAfter: Duration?)
    }

    /// Where the pipeline stands when it decides.
    enum Shutdown: Equatable, Sendable {
        /// Running: no shutdown has begun.
        case notStarted
        /// Shutdown has begun and its deadline has not passed: `remaining` is left before it.
        case underway(remaining: Duration)
        /// Shutdown's deadline has passed.
        case pastDeadline
    }

    /// The decision for `outcome` of attempt number `attempt` (1 for the first).
    ///
    /// - A failure past shutdown's deadline drops the records as ``DropReason/shutdownDeadline``.
    /// - While the circuit is open and no shutdown has begun, the records are requeued: they
    ///   wait in the collector for the backend to come back. Once shutdown has begun nothing
    ///   will come back for them, so they are retried as below, open circuit or not, until the
    ///   deadline: a batch whose attempt failed just before the backend came back is not lost.
    /// - Otherwise they are retried, each after the policy's backoff or `Retry-After`, until
    ///   ``RetryPolicy/maxElapsed`` has passed since the first attempt (`elapsed` is the time
    ///   since), the backend's `Retry-After` reaches past it, or the policy's attempts, if
    ///   capped, are spent: then dropped as ``DropReason/exportFailed``. A backoff that would
    ///   end past the budget is cut to end with it, for one last try.
    /// - During shutdown the wait is decided by ``waitAtShutdown(_:remaining:isBackendsRequest:)``.
    static func after<G: RandomNumberGenerator>(
        _ outcome: Outcome,
        attempt: Int,
        elapsed: Duration = .zero,
        policy: RetryPolicy,
        circuit: CircuitBreaker.State,
        shutdown: Shutdown,
        using generator: inout G
    ) -> ExportDecision {
        decide(outcome, attempt: attempt, elapsed: elapsed, policy: policy, circuit: circuit, shutdown: shutdown) { retryAfter in
            policy.delay(beforeRetry: attempt, retryAfter: retryAfter, using: &generator)
        }
    }

    /// The same, with the system's random numbers for the backoff's jitter.
    static func after(
        _ outcome: Outcome,
        attempt: Int,
        elapsed: Duration = .zero,
        policy: RetryPolicy,
        circuit: CircuitBreaker.State,
        shutdown: Shutdown
    ) -> ExportDecision {
        decide(outcome, attempt: attempt, elapsed: elapsed, policy: policy, circuit: circuit, shutdown: shutdown) { retryAfter in
            policy.delay(beforeRetry: attempt, retryAfter: retryAfter)
        }
    }

    private static func decide(
        _ outcome: Outcome,
        attempt: Int,
        elapsed: Duration,
        policy: RetryPolicy,
        circuit: CircuitBreaker.State,
        shutdown: Shutdown,
        delay: (Duration?) -> Duration
    ) -> ExportDecision {
        switch outcome {
        case .accepted:
            return .exported
        case .refused:
            return .drop(.rejectedByBackend)
        case .failed(let retryAfter):
            if shutdown == .pastDeadline { return .drop(.shutdownDeadline) }
            if circuit == .open, shutdown == .notStarted { return .requeue }
            if let maxAttempts = policy.maxAttempts, attempt >= maxAttempts { return .drop(.exportFailed) }
            // The time budget: spent, or the backend asks for a wait beyond it, and the batch is
            // given up; a backoff of our own that would end past it is cut to end with it.
            let budgetLeft = policy.maxElapsed - elapsed
            guard budgetLeft > .zero else { return .drop(.exportFailed) }
            var wait = delay(retryAfter)
            if retryAfter != nil, wait > budgetLeft { return .drop(.exportFailed) }
            wait = min(wait, budgetLeft)
            if case .underway(let remaining) = shutdown {
                return .retry(after: waitAtShutdown(wait, remaining: remaining, isBackendsRequest: retryAfter != nil))
            }
            return .retry(after: wait)
        }
    }

    /// How long a retry waits once shutdown has begun, with `remaining` left before its deadline:
    /// the time left is spent on tries, not on one long wait, and never on a tight loop.
    ///
    /// - The backend's `Retry-After` (`isBackendsRequest`) is kept if it ends before the deadline;
    ///   if not, the retry comes after half the time left, so the records get more tries rather
    ///   than none.
    /// - Our own backoff is at most an eighth of the time left, so that after a failure several
    ///   more tries still fit: with a backend failing 4 requests in 10, a batch that waited out a
    ///   backoff grown to seconds would often meet the deadline on its next failure, and every
    ///   `Retry-After` the backend sends on the way costs its full wait. (A quarter left
    ///   `tracez demo` against such a backend needing up to 4.8 s of its 5 s; see
    ///   Docs/Reliability.md.)
    ///
    /// Each wait is a fixed share of what is left, so a backend still down sees a few tries
    /// (with full jitter, about 11 for each halving of the time left), not a loop.
    static func waitAtShutdown(_ wait: Duration, remaining: Duration, isBackendsRequest: Bool) -> Duration {
        guard remaining > .zero else { return .zero }
        if isBackendsRequest { return wait < remaining ? wait : remaining / 2 }
        return min(wait, remaining / 8)
    }

    /// Why records still unsent when shutdown stops are counted as dropped: the circuit was
    /// open (the backend still failing), or the deadline came first.
    static func reasonForUnsent(circuit: CircuitBreaker.State) -> DropReason {
        circuit == .open ? .circuitOpen : .shutdownDeadline
    }

    /// Whether shutdown's last drain goes on to the next batch after one was sent: it stops
    /// only when the circuit is open and the batch just tried got nothing through (the backend
    /// is still failing). A batch that got through means the backend is back, though the
    /// breaker stays open until its pause has passed: keep sending.
    static func keepsSendingAtShutdown(circuit: CircuitBreaker.State, lastBatchSentAny: Bool) -> Bool {
        circuit != .open || lastBatchSentAny
    }

    /// Whether the records will be sent again (a retry, or a wait in the collector).
    var sendsAgain: Bool {
        switch self {
        case .retry, .requeue: true
        case .exported, .drop: false
        }
    }
}
