import Synchronization
import Tracez

/// The prompts ``LangfusePrompts`` fetched, by ``PromptCacheKey``, each with the instant it
/// goes stale; at most `capacity` of them, the least recently used going first.
///
/// Thread-safety: every method may be called from any task. Writers (``store(_:for:until:)``,
/// after a fetch) take a lock and publish a new immutable ``Snapshot``; readers take no lock.
/// Each thread keeps the last snapshot it read (``ThreadLocalReference``), and a hit checks it
/// against the published version with one atomic load: two tasks asking for the same prompt
/// share no lock and write no shared memory, apart from the reference counts of what they
/// return.
///
/// - Complexity: ``lookup(_:now:)`` is one atomic load and one dictionary lookup, without a
///   lock once the thread has read the current snapshot; ``store(_:for:until:)`` copies the
///   entries, O(capacity): it follows a fetch, which is far slower.
final class PromptCache: Sendable {
    enum Lookup {
        case fresh(LangfusePrompt)
        case stale(LangfusePrompt)
        case miss
    }

    /// A cached prompt. `lastUsed` orders entries by use: `2v` when stored as version `v`,
    /// `2v + 1` when last hit while `v` was published, so that a hit counts as more recent than
    /// the store it follows. Written at most once per version, so that hits do not keep writing
    /// to memory other threads read; two entries hit under one version are equally recent.
    final class Entry: Sendable {
        let prompt: LangfusePrompt
        let staleAt: ContinuousClock.Instant
        let lastUsed: Atomic<UInt64>

        init(prompt: LangfusePrompt, staleAt: ContinuousClock.Instant, version: UInt64) {
            self.prompt = prompt
            self.staleAt = staleAt
            self.lastUsed = Atomic(version &* 2)
        }
    }

    /// The entries as of one ``store(_:for:until:)``; never changed once published.
    final class Snapshot: Sendable {
        let entries: [PromptCacheKey: Entry]
        let version: UInt64
        /// The cache that published it (``ThreadLocalReference`` explains why it is checked).
        let cacheID: UInt64

        init(entries: [PromptCacheKey: Entry], version: UInt64, cacheID: UInt64) {
            self.entries = entries
            self.version = version
            self.cacheID = cacheID
        }
    }

    let capacity: Int
    private let id: UInt64
    /// The published snapshot; replaced, never changed, under the lock.
    private let published: SanitizedMutex<Snapshot>
    /// The published snapshot's version, readable without the lock.
    private let version = Atomic<UInt64>(0)
    private let threadSnapshot = ThreadLocalReference<Snapshot>()

    private static let nextID = Atomic<UInt64>(1)

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        published = SanitizedMutex(Snapshot(entries: [:], version: 0, cacheID: id))
    }

    var count: Int { snapshot.entries.count }

    func lookup(_ key: PromptCacheKey, now: ContinuousClock.Instant) -> Lookup {
        let snapshot = snapshot
        guard let entry = snapshot.entries[key] else { return .miss }
        let used = snapshot.version &* 2 &+ 1
        if entry.lastUsed.load(ordering: .relaxed) != used {
            entry.lastUsed.store(used, ordering: .relaxed)
        }
        return now < entry.staleAt ? .fresh(entry.prompt) : .stale(entry.prompt)
    }

    func store(_ prompt: LangfusePrompt, for key: PromptCacheKey, until staleAt: ContinuousClock.Instant) {
        published.withLock { current in
            let next = current.version &+ 1
            var entries = current.entries
            entries[key] = Entry(prompt: prompt, staleAt: staleAt, version: next)
            if entries.count > capacity,
                let oldest = entries.min(by: { $0.value.lastUsed.load(ordering: .relaxed) < $1.value.lastUsed.load(ordering: .relaxed) })?.key
            {
                entries.removeValue(forKey: oldest)
            }
            current = Snapshot(entries: entries, version: next, cacheID: id)
            // After the snapshot is in place: a reader that sees this version and takes the
            // lock finds it, and one that sees the old version keeps a snapshot still correct
            // for it.
            version.store(next, ordering: .releasing)
        }
    }

    func contains(_ key: PromptCacheKey) -> Bool { snapshot.entries[key] != nil }

    /// The current snapshot: this thread's, if it is the published version, or else the
    /// published one, read under the lock and kept for this thread.
    private var snapshot: Snapshot {
        let current = version.load(ordering: .acquiring)
        if let mine = threadSnapshot.value, mine.version == current, mine.cacheID == id {
            return mine
        }
        let latest = published.withLock { $0 }
        threadSnapshot.value = latest
        return latest
    }
}
