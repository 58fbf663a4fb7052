#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Random 64-bit values for trace and span ids: one xoshiro256** generator per thread.
///
/// Each thread's generator is seeded once from `SystemRandomNumberGenerator`
/// (one `getrandom` call, about 400 ns here) and then costs a few nanoseconds
/// an id, with no lock and no system call. A lock around the system generator
/// would serialise every span start in the process and pay the system call each time.
///
/// Thread-safety: every thread uses only its own state, found through a
/// `pthread` key; the state is freed when the thread exits.
@usableFromInline
enum IDGenerator {
    @usableFromInline
    static func next() -> UInt64 {
        state().pointee.next()
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let result = pthread_key_create(&key) { pointer in
            #if canImport(Darwin)
                let state = pointer.assumingMemoryBound(to: Xoshiro256StarStar.self)
            #else
                guard let state = pointer?.assumingMemoryBound(to: Xoshiro256StarStar.self) else { return }
            #endif
            state.deinitialize(count: 1)
            state.deallocate()
        }
        precondition(result == 0, "pthread_key_create failed: \(result)")
        return key
    }()

    @inline(__always)
    private static func state() -> UnsafeMutablePointer<Xoshiro256StarStar> {
        if let existing = pthread_getspecific(key) {
            return existing.assumingMemoryBound(to: Xoshiro256StarStar.self)
        }
        let state = UnsafeMutablePointer<Xoshiro256StarStar>.allocate(capacity: 1)
        var system = SystemRandomNumberGenerator()
        state.initialize(to: Xoshiro256StarStar(seededBy: &system))
        pthread_setspecific(key, state)
        return state
    }
}

/// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, passes BigCrush.
/// Not cryptographic; ids need uniqueness and uniform bits, not secrecy.
struct Xoshiro256StarStar {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init<G: RandomNumberGenerator>(seededBy source: inout G) {
        repeat {
            s0 = source.next()
            s1 = source.next()
            s2 = source.next()
            s3 = source.next()
        } while s0 == 0 && s1 == 0 && s2 == 0 && s3 == 0  // the one state it must never be in
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
