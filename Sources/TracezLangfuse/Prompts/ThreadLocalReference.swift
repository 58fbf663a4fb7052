#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One strong reference to a `Value` per thread: what a reader keeps so that it need not take
/// a lock to find the current value again (``PromptCache``'s hits).
///
/// Thread-safety: each thread reads and writes only its own reference, so no two threads
/// share one; the object itself may be shared.
///
/// Ownership: a thread's reference is released when the thread sets another, when the thread
/// ends, or, for the thread that deinitializes this object, then. The references other threads
/// still hold when it is deinitialized are never released (POSIX runs no destructor on
/// `pthread_key_delete`): at most one object per thread, each naming its owner, so a later
/// ``ThreadLocalReference`` that gets the same key never mistakes it for its own.
///
/// When the process has no thread-specific key left (`PTHREAD_KEYS_MAX`), ``value`` is always
/// `nil` and setting it does nothing: readers take their slower path, nothing fails.
final class ThreadLocalReference<Value: AnyObject & Sendable>: Sendable {
    private let key: pthread_key_t?

    init() {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { pointer in
            #if canImport(Darwin)
                Unmanaged<AnyObject>.fromOpaque(pointer).release()
            #else
                if let pointer { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
            #endif
        }
        self.key = created == 0 ? key : nil
    }

    deinit {
        guard let key else { return }
        value = nil
        pthread_key_delete(key)
    }

    /// This thread's reference, if it set one.
    var value: Value? {
        get {
            guard let key, let pointer = pthread_getspecific(key) else { return nil }
            return Unmanaged<Value>.fromOpaque(pointer).takeUnretainedValue()
        }
        set {
            guard let key else { return }
            let old = pthread_getspecific(key)
            pthread_setspecific(key, newValue.map { Unmanaged.passRetained($0).toOpaque() })
            if let old { Unmanaged<Value>.fromOpaque(old).release() }
        }
    }
}
