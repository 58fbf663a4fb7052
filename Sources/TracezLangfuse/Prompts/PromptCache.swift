import Tracez

/// The prompts ``LangfusePrompts`` fetched, by ``PromptCacheKey``, each with the instant it
/// goes stale; at most `capacity` of them, the least recently used going first.
///
/// Thread-safety: every method may be called from any task; one lock guards the entries.
///
/// - Complexity: ``lookup(_:now:)`` is one dictionary lookup under the lock and copies out
///   the stored value (no allocation: the prompt's storage is shared); ``store(_:for:until:)``
///   is O(1), or O(capacity) when it must make room (a fetch, which is far slower, came first).
final class PromptCache: Sendable {
    enum Lookup {
        case fresh(LangfusePrompt)
        case stale(LangfusePrompt)
        case miss
    }

    private struct Entry {
        var prompt: LangfusePrompt
        var staleAt: ContinuousClock.Instant
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [PromptCacheKey: Entry] = [:]
        var uses: UInt64 = 0
    }

    let capacity: Int
    private let state = SanitizedMutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { state.withLock { $0.entries.count } }

    func lookup(_ key: PromptCacheKey, now: ContinuousClock.Instant) -> Lookup {
        state.withLock { state in
            guard let index = state.entries.index(forKey: key) else { return .miss }
            state.uses &+= 1
            state.entries.values[index].lastUsed = state.uses
            let entry = state.entries.values[index]
            return now < entry.staleAt ? .fresh(entry.prompt) : .stale(entry.prompt)
        }
    }

    func store(_ prompt: LangfusePrompt, for key: PromptCacheKey, until staleAt: ContinuousClock.Instant) {
        state.withLock { state in
            state.uses &+= 1
            state.entries[key] = Entry(prompt: prompt, staleAt: staleAt, lastUsed: state.uses)
            if state.entries.count > capacity, let oldest = state.entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
                state.entries.removeValue(forKey: oldest)
            }
        }
    }

    func contains(_ key: PromptCacheKey) -> Bool { state.withLock { $0.entries[key] != nil } }
}
