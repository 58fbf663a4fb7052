import Testing

@testable import Tracez

/// Every instant is passed in explicitly: the breaker never reads the clock here.
@Suite(.timeLimit(.minutes(3))) struct CircuitBreakerTests {
    private let start = ContinuousClock.now

    private func makeBreaker(
        failureThreshold: Int = 3,
        openDuration: Duration = .seconds(30),
        successThreshold: Int = 2,
        isEnabled: Bool = true
    ) -> CircuitBreaker {
        CircuitBreaker(
            configuration: CircuitBreaker.Configuration(
                failureThreshold: failureThreshold,
                openDuration: openDuration,
                successThreshold: successThreshold,
                isEnabled: isEnabled
            ),
            collector: "orders"
        )
    }

    private func change(_ from: CircuitBreaker.State, _ to: CircuitBreaker.State) -> CircuitBreaker.StateChange {
        CircuitBreaker.StateChange(collector: "orders", from: from, to: to)
    }

    /// Opens `breaker` at `instant` with `failureThreshold` failures.
    private func open(_ breaker: CircuitBreaker, at instant: ContinuousClock.Instant) {
        var last: CircuitBreaker.StateChange?
        for _ in 0..<breaker.configuration.failureThreshold { last = breaker.recordFailure(at: instant) }
        #expect(last == change(.closed, .open))
    }

    @Test func startsClosedAndAllowsExports() {
        let breaker = makeBreaker()
        #expect(breaker.currentState == .closed)
        let (allowed, change) = breaker.allowsExport(at: start)
        #expect(allowed)
        #expect(change == nil)
    }

    @Test func opensAfterFailureThresholdConsecutiveFailures() {
        let breaker = makeBreaker(failureThreshold: 3)
        #expect(breaker.recordFailure(at: start) == nil)
        #expect(breaker.recordFailure(at: start) == nil)
        #expect(breaker.currentState == .closed)
        #expect(breaker.recordFailure(at: start) == change(.closed, .open))
        #expect(breaker.currentState == .open)
        #expect(breaker.allowsExport(at: start).allowed == false)
    }

    @Test func successBetweenFailuresResetsTheCount() {
        let breaker = makeBreaker(failureThreshold: 3)
        _ = breaker.recordFailure(at: start)
        _ = breaker.recordFailure(at: start)
        #expect(breaker.recordSuccess() == nil)
        #expect(breaker.recordFailure(at: start) == nil)
        #expect(breaker.recordFailure(at: start) == nil)
        #expect(breaker.currentState == .closed)
        #expect(breaker.recordFailure(at: start) == change(.closed, .open))
    }

    @Test func openRefusesUntilOpenDurationHasPassedThenLetsAProbeThroughHalfOpen() {
        let breaker = makeBreaker(openDuration: .seconds(30))
        open(breaker, at: start)

        for later in [Duration.zero, .seconds(1), .milliseconds(29_999)] {
            let (allowed, change) = breaker.allowsExport(at: start + later)
            #expect(!allowed, "allowed \(later) after opening")
            #expect(change == nil)
            #expect(breaker.currentState == .open)
        }

        let (allowed, transition) = breaker.allowsExport(at: start + .seconds(30))
        #expect(allowed)
        #expect(transition == change(.open, .halfOpen))
        #expect(breaker.currentState == .halfOpen)

        // The change is reported once; half-open keeps allowing without another one.
        let (stillAllowed, noChange) = breaker.allowsExport(at: start + .seconds(31))
        #expect(stillAllowed)
        #expect(noChange == nil)
    }

    @Test func failuresWhileOpenDoNotExtendThePause() {
        let breaker = makeBreaker(openDuration: .seconds(30))
        open(breaker, at: start)
        #expect(breaker.recordFailure(at: start + .seconds(20)) == nil)
        #expect(breaker.currentState == .open)
        #expect(breaker.allowsExport(at: start + .seconds(30)).allowed)
    }

    @Test func halfOpenClosesAfterSuccessThresholdSuccesses() {
        let breaker = makeBreaker(openDuration: .seconds(30), successThreshold: 3)
        open(breaker, at: start)
        _ = breaker.allowsExport(at: start + .seconds(30))
        #expect(breaker.recordSuccess() == nil)
        #expect(breaker.recordSuccess() == nil)
        #expect(breaker.currentState == .halfOpen)
        #expect(breaker.recordSuccess() == change(.halfOpen, .closed))
        #expect(breaker.currentState == .closed)
        let (allowed, transition) = breaker.allowsExport(at: start + .seconds(30))
        #expect(allowed)
        #expect(transition == nil)
    }

    @Test func closingAfterHalfOpenStartsTheFailureCountAfresh() {
        let breaker = makeBreaker(failureThreshold: 3, successThreshold: 1)
        open(breaker, at: start)
        _ = breaker.allowsExport(at: start + .seconds(30))
        #expect(breaker.recordSuccess() == change(.halfOpen, .closed))
        #expect(breaker.recordFailure(at: start + .seconds(31)) == nil)
        #expect(breaker.recordFailure(at: start + .seconds(31)) == nil)
        #expect(breaker.currentState == .closed)
        #expect(breaker.recordFailure(at: start + .seconds(31)) == change(.closed, .open))
    }

    @Test func halfOpenReopensOnOneFailureAndPausesAgainFromThen() {
        let breaker = makeBreaker(failureThreshold: 5, openDuration: .seconds(30), successThreshold: 2)
        open(breaker, at: start)
        let probe = start + .seconds(30)
        _ = breaker.allowsExport(at: probe)
        #expect(breaker.recordSuccess() == nil)  // one success short of closing
        let reopened = start + .seconds(31)
        #expect(breaker.recordFailure(at: reopened) == change(.halfOpen, .open))
        #expect(breaker.currentState == .open)

        #expect(breaker.allowsExport(at: reopened + .milliseconds(29_999)).allowed == false)
        let (allowed, transition) = breaker.allowsExport(at: reopened + .seconds(30))
        #expect(allowed)
        #expect(transition == change(.open, .halfOpen))
        // The success before reopening does not count towards closing now.
        #expect(breaker.recordSuccess() == nil)
        #expect(breaker.recordSuccess() == change(.halfOpen, .closed))
    }

    @Test func disabledBreakerNeverOpens() {
        let breaker = makeBreaker(failureThreshold: 1, isEnabled: false)
        for second in 0..<100 {
            #expect(breaker.recordFailure(at: start + .seconds(second)) == nil)
        }
        #expect(breaker.currentState == .closed)
        let (allowed, change) = breaker.allowsExport(at: start + .seconds(100))
        #expect(allowed)
        #expect(change == nil)
    }

    @Test func stateChangesNameTheirCollector() {
        let breaker = CircuitBreaker(
            configuration: CircuitBreaker.Configuration(failureThreshold: 1, openDuration: .zero, successThreshold: 1),
            collector: "payments"
        )
        let changes = [
            breaker.recordFailure(at: start),
            breaker.allowsExport(at: start).change,
            breaker.recordSuccess(),
        ]
        #expect(changes.map { $0?.collector } == ["payments", "payments", "payments"])
        #expect(changes.map { $0?.from } == [.closed, .open, .halfOpen])
        #expect(changes.map { $0?.to } == [.open, .halfOpen, .closed])
    }

    @Test(arguments: [
        CircuitBreaker.Configuration(failureThreshold: 0),
        CircuitBreaker.Configuration(successThreshold: 0),
        CircuitBreaker.Configuration(openDuration: .seconds(-1)),
    ])
    func invalidConfigurationIsRejectedByThePipeline(configuration: CircuitBreaker.Configuration) {
        #expect(throws: TracezError.self) {
            try ExportPipeline(
                collector: try Collector(),
                exporter: InMemoryExporter(),
                configuration: ExportConfiguration(circuitBreaker: configuration)
            )
        }
    }
}
