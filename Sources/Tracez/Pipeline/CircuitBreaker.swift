import Synchronization

/// Stops hammering a backend that keeps failing, and tries it again after a pause.
///
/// - closed: exports flow. ``Configuration/failureThreshold`` failed export
///   attempts in a row open it.
/// - open: no exports; batches wait in the collector. After
///   ``Configuration/openDuration`` the next export is let through as a probe (half-open).
/// - half-open: ``Configuration/successThreshold`` successes in a row close it;
///   one failure opens it again.
///
/// A backend that refuses a batch for good (a 4xx other than 408 and 429) is up,
/// so refusals do not count as failures here.
///
/// Ownership: made and fed by its ``ExportPipeline``, which alone records outcomes; read its
/// state as `pipeline.circuitBreaker.currentState`.
///
/// Thread-safety: all methods may be called from any task.
public final class CircuitBreaker: Sendable {
    public enum State: Int, Sendable, Hashable {
        case closed = 0
        case halfOpen = 1
        case open = 2
    }

    public struct Configuration: Sendable, Hashable {
        /// Failed attempts in a row that open the circuit. Default 5.
        public var failureThreshold: Int
        /// How long it stays open before a probe. Default 30 s.
        public var openDuration: Duration
        /// Successes in a row, while half-open, that close it. Default 2.
        public var successThreshold: Int
        /// Set to false to never open.
        public var isEnabled: Bool

        public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(30), successThreshold: Int = 2, isEnabled: Bool = true) {
            self.failureThreshold = failureThreshold
            self.openDuration = openDuration
            self.successThreshold = successThreshold
            self.isEnabled = isEnabled
        }

        func validate() throws(TracezError) {
            guard failureThreshold >= 1, successThreshold >= 1 else {
                throw .invalidConfiguration(field: "circuitBreaker", reason: "thresholds must be at least 1")
            }
            guard openDuration >= .zero else {
                throw .invalidConfiguration(field: "circuitBreaker.openDuration", reason: "must not be negative")
            }
        }
    }

    /// A move from one state to another.
    public struct StateChange: Sendable, Hashable {
        public let collector: String
        public let from: State
        public let to: State
    }

    public let configuration: Configuration
    private let collector: String
    private let state: SanitizedMutex<Internal>

    private struct Internal {
        var state = State.closed
        var consecutiveFailures = 0
        var consecutiveSuccesses = 0
        var openedAt = ContinuousClock.Instant.now
    }

    package init(configuration: Configuration = Configuration(), collector: String = "default") {
        self.configuration = configuration
        self.collector = collector
        self.state = SanitizedMutex(Internal())
    }

    public var currentState: State { state.withLock { $0.state } }

    /// Whether an export may go now. Moves open to half-open once the pause is over.
    package func allowsExport(at now: ContinuousClock.Instant = .now) -> (allowed: Bool, change: StateChange?) {
        state.withLock { s in
            switch s.state {
            case .closed, .halfOpen:
                return (true, nil)
            case .open:
                guard now >= s.openedAt.advanced(by: configuration.openDuration) else { return (false, nil) }
                s.state = .halfOpen
                s.consecutiveSuccesses = 0
                return (true, StateChange(collector: collector, from: .open, to: .halfOpen))
            }
        }
    }

    package func recordSuccess() -> StateChange? {
        state.withLock { s in
            s.consecutiveFailures = 0
            guard s.state == .halfOpen else { return nil }
            s.consecutiveSuccesses += 1
            guard s.consecutiveSuccesses >= configuration.successThreshold else { return nil }
            s.state = .closed
            return StateChange(collector: collector, from: .halfOpen, to: .closed)
        }
    }

    package func recordFailure(at now: ContinuousClock.Instant = .now) -> StateChange? {
        state.withLock { s in
            guard configuration.isEnabled else { return nil }
            s.consecutiveFailures += 1
            s.consecutiveSuccesses = 0
            let shouldOpen =
                s.state == .halfOpen || (s.state == .closed && s.consecutiveFailures >= configuration.failureThreshold)
            guard shouldOpen else { return nil }
            let from = s.state
            s.state = .open
            s.openedAt = now
            return StateChange(collector: collector, from: from, to: .open)
        }
    }
}
