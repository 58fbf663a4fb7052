import Foundation
import Testing
import Tracez
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// The cache's read path without a lock (issue 13): each thread's snapshot, checked
    /// against the published version.
    @Suite struct PromptCacheTests {
        static func prompt(_ name: String, version: Int = 1) -> LangfusePrompt {
            .text(TextPrompt(name: name, version: version, template: name))
        }

        static let later = ContinuousClock.now + .seconds(3600)

        @Test func aHitSeesTheLatestStoreOnEveryThread() async throws {
            let cache = PromptCache(capacity: 8)
            let key = PromptCacheKey(name: "support", version: nil, label: nil)
            #expect(cache.count == 0)
            guard case .miss = cache.lookup(key, now: .now) else {
                Issue.record("an empty cache hit")
                return
            }
            for version in 1...50 {
                cache.store(Self.prompt("support", version: version), for: key, until: Self.later)
                // Every task, on whichever thread it runs, sees this version, not one it read before.
                try await withThrowingTaskGroup(of: Int?.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            guard case .fresh(let prompt) = cache.lookup(key, now: .now) else { return nil }
                            return prompt.version
                        }
                    }
                    for try await seen in group { #expect(seen == version) }
                }
            }
            #expect(cache.count == 1)
        }

        @Test func aStaleEntryIsServedAsStale() {
            let cache = PromptCache(capacity: 8)
            let key = PromptCacheKey(name: "support", version: 2, label: nil)
            let now = ContinuousClock.now
            cache.store(Self.prompt("support", version: 2), for: key, until: now + .seconds(1))
            guard case .fresh = cache.lookup(key, now: now) else {
                Issue.record("not fresh before its time")
                return
            }
            guard case .stale(let prompt) = cache.lookup(key, now: now + .seconds(1)) else {
                Issue.record("not stale at its time")
                return
            }
            #expect(prompt.version == 2)
            #expect(cache.contains(key))
            #expect(!cache.contains(PromptCacheKey(name: "support", version: 3, label: nil)))
        }

        /// Readers on every thread while a writer stores: each read is a whole entry of one
        /// store, never a mix (run under Thread Sanitizer in CI).
        @Test func readersAndAWriterAtOnceSeeWholeEntries() async throws {
            let cache = PromptCache(capacity: 4)
            let keys = (0..<6).map { PromptCacheKey(name: "p\($0)", version: nil, label: nil) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for round in 1...300 {
                        let index = round % keys.count
                        cache.store(Self.prompt("p\(index)", version: round), for: keys[index], until: Self.later)
                    }
                }
                for _ in 0..<3 {
                    group.addTask {
                        for round in 0..<3_000 {
                            let index = round % keys.count
                            if case .fresh(let prompt) = cache.lookup(keys[index], now: .now) {
                                #expect(prompt.name == "p\(index)")
                                #expect(prompt.version % keys.count == index)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(cache.count == 4)  // bounded
        }

        /// Two caches never see each other's entries, on the same threads.
        @Test func cachesAreSeparateOnOneThread() {
            let first = PromptCache(capacity: 2)
            let second = PromptCache(capacity: 2)
            let key = PromptCacheKey(name: "shared", version: nil, label: nil)
            first.store(Self.prompt("first"), for: key, until: Self.later)
            guard case .fresh(let prompt) = first.lookup(key, now: .now) else {
                Issue.record("first missed")
                return
            }
            #expect(prompt.name == "first")
            guard case .miss = second.lookup(key, now: .now) else {
                Issue.record("second hit the first's entry")
                return
            }
            second.store(Self.prompt("second"), for: key, until: Self.later)
            guard case .fresh(let again) = first.lookup(key, now: .now) else {
                Issue.record("first missed again")
                return
            }
            #expect(again.name == "first")
        }

        /// A thread's reference is released when it sets another and when the owner goes.
        @Test func threadLocalReferencesAreReleased() {
            final class Probe: Sendable {}
            weak var first: Probe?
            weak var second: Probe?
            do {
                let local = ThreadLocalReference<Probe>()
                do {
                    let probe = Probe()
                    first = probe
                    local.value = probe
                }
                #expect(first != nil)  // held by this thread's reference
                #expect(local.value === first)
                do {
                    let probe = Probe()
                    second = probe
                    local.value = probe
                }
                #expect(first == nil)
                #expect(second != nil)
            }
            #expect(second == nil)  // released with its owner, on this thread
        }
    }
}
