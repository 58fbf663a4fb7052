import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `Synchronization.Mutex`, with its locking made visible to Thread Sanitizer.
///
/// On Linux, `Mutex` waits with raw futex calls that Thread Sanitizer does not
/// intercept, so TSan sees no happens-before edge between two `withLock` calls and
/// reports every access inside them as a race (checked on Swift 6.3.1 with a
/// 20-line program: two threads appending to a `Mutex<[Int]>`). That noise would hide
/// real races. In a process built with `-sanitize=thread`, this type announces each
/// acquire and release through TSan's public interface (`__tsan_acquire` and
/// `__tsan_release`, found at run time); everywhere else it is `Mutex` plus one `nil` check.
///
/// Use it wherever Tracez would use `Mutex`, tests and tools included (it is `package` for
/// them); the API is the same.
package struct SanitizedMutex<Value: ~Copyable>: ~Copyable, @unchecked Sendable {
    // @unchecked Sendable: `mutex` is Sendable, and `token` is an immutable address that
    // is never read or written, only handed to Thread Sanitizer as the lock's identity.
    private let mutex: Mutex<Value>
    /// A private address standing for this lock, allocated only under Thread Sanitizer.
    private let token: UnsafeMutableRawPointer?

    package init(_ initialValue: consuming sending Value) {
        mutex = Mutex(initialValue)
        token = ThreadSanitizerHooks.isActive ? UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1) : nil
    }

    deinit {
        token?.deallocate()
    }

    /// Runs `body` with exclusive access to the value, like `Mutex.withLock`.
    @inline(__always)
    package borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        guard let token else { return try mutex.withLock(body) }
        return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            // Announce before touching `value`, and release after: the token, not the value's
            // address, so that forming the address is not itself an unannounced access.
            ThreadSanitizerHooks.acquire?(token)
            defer { ThreadSanitizerHooks.release?(token) }
            return try body(&value)
        }
    }
}

/// Thread Sanitizer's annotation functions, present only in a process built with it.
enum ThreadSanitizerHooks {
    typealias Hook = @convention(c) (UnsafeRawPointer?) -> Void

    static let acquire: Hook? = lookUp("__tsan_acquire")
    static let release: Hook? = lookUp("__tsan_release")
    static let isActive = acquire != nil && release != nil

    private static func lookUp(_ name: String) -> Hook? {
        #if os(Linux)
            let everywhere: UnsafeMutableRawPointer? = nil  // RTLD_DEFAULT on glibc
        #else
            let everywhere = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT on Darwin
        #endif
        return dlsym(everywhere, name).map { unsafeBitCast($0, to: Hook.self) }
    }
}
