import Dispatch

/// One `record(_:)` call waiting for room in a full ``Collector`` whose policy is
/// ``OverflowPolicy/block(timeout:)``: the thread sleeps on the waiter's semaphore until a
/// drain, discard or close wakes it, or its timeout passes. No polling, no spinning.
///
/// How it pairs with the collector's lock (a condition variable, built from a `Mutex` and a
/// semaphore): the waiter is registered under the collector's lock in the same critical
/// section that found the collector full, and whoever makes room takes the registered waiters
/// under that lock and signals them after releasing it. A signal sent before the waiter sleeps
/// is kept by the semaphore, so no wake-up is lost.
///
/// Ownership: the collector's list holds a waiter from registration until it is woken (or
/// times out); the waiting thread holds it for the whole call. Made only on the block path,
/// so the hot path never allocates one.
final class RoomWaiter: Sendable {
    // `DispatchSemaphore` is thread-safe and `Sendable`; it is the only state.
    private let semaphore = DispatchSemaphore(value: 0)

    /// Wakes the waiting thread (or lets its next wait return at once).
    func wake() {
        semaphore.signal()
    }

    /// Sleeps until woken or until `deadline`. Returns false if the deadline came first.
    func wait(until deadline: DispatchTime) -> Bool {
        semaphore.wait(timeout: deadline) == .success
    }
}
