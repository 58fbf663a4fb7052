import Tracez

/// Keeps tests that load both cores for a long while (ten million spans, a thousand recording
/// tasks) from running at the same time as tests whose outcome depends on the machine keeping
/// time (a short-lived program's 5 s shutdown against a flaky backend): the test suite runs its
/// suites in parallel, in one process, on a 2-core machine.
///
/// Heavy tests take a share (any number at once); a timing test takes the machine alone,
/// waiting for the heavy tests under way to end and holding back those that start after it
/// asked. First come, first served.
///
/// Thread-safety: every method may be called from any task; one lock guards the state.
/// Waiting suspends the task, never a thread.
public enum MachineShare {
    private enum Kind { case heavy, timing }

    private struct State {
        var heavyRunning = 0
        var timingRunning = false
        var waiting: [(kind: Kind, resume: CheckedContinuation<Void, Never>)] = []
    }

    private static let state = SanitizedMutex(State())

    /// Runs a test that loads the cores: alongside other heavy tests, never beside a timing test.
    public static func heavy<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        await acquire(.heavy)
        defer { release(.heavy) }
        return try await body()
    }

    /// Runs a test whose outcome depends on timing, with no heavy test running.
    public static func timing<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        await acquire(.timing)
        defer { release(.timing) }
        return try await body()
    }

    private static func acquire(_ kind: Kind) async {
        await withCheckedContinuation { (resume: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                guard state.waiting.isEmpty, canStart(kind, state) else {
                    state.waiting.append((kind, resume))
                    return false
                }
                start(kind, &state)
                return true
            }
            if granted { resume.resume() }
        }
    }

    private static func release(_ kind: Kind) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            switch kind {
            case .heavy: state.heavyRunning -= 1
            case .timing: state.timingRunning = false
            }
            var ready: [CheckedContinuation<Void, Never>] = []
            while let next = state.waiting.first, canStart(next.kind, state) {
                state.waiting.removeFirst()
                start(next.kind, &state)
                ready.append(next.resume)
            }
            return ready
        }
        ready.forEach { $0.resume() }
    }

    private static func canStart(_ kind: Kind, _ state: State) -> Bool {
        switch kind {
        case .heavy: !state.timingRunning
        case .timing: !state.timingRunning && state.heavyRunning == 0
        }
    }

    private static func start(_ kind: Kind, _ state: inout State) {
        switch kind {
        case .heavy: state.heavyRunning += 1
        case .timing: state.timingRunning = true
        }
    }
}
