/// What a deadline-bound operation came to.
enum DeadlineOutcome<Value: Sendable>: Sendable {
    case finished(Result<Value, any Error>)
    case timedOut
}

/// Runs `operation` until it finishes or `deadline` passes, whichever comes first.
///
/// At the deadline the operation is cancelled and this returns `.timedOut` at
/// once, even if the operation ignores cancellation: it runs on in the
/// background and its result is discarded. This is what keeps a hung backend
/// from hanging shutdown; structured concurrency would wait for the child.
///
/// Thread-safety: callable from any task; `operation` runs in a task of its own, and owns
/// whatever it captured until it finishes, even after a time-out.
/// The deadline is read on `clock` (the pipeline's, in the pipeline).
func withDeadline<Value: Sendable>(
    _ deadline: ContinuousClock.Instant,
    clock: PipelineClock = .continuous,
    _ operation: @escaping @Sendable () async throws -> Value
) async -> DeadlineOutcome<Value> {
    let once = ResumeOnce<DeadlineOutcome<Value>>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            once.arm(continuation)
            let work = Task {
                let result: Result<Value, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                once.resume(.finished(result))
            }
            let timer = Task {
                try? await clock.sleep(until: deadline)
                if once.resume(.timedOut) { work.cancel() }
            }
            once.onResume { timer.cancel() }
            once.onCancel { work.cancel() }
        }
    } onCancel: {
        once.cancel()
    }
}
