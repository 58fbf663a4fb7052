/// How ``LangfusePrompts`` caches prompts. A plain value; every field defaulted.
public struct PromptCacheConfiguration: Sendable {
    /// How long a fetched prompt is fresh, when a call gives no `cacheTTL`: 60 s, as the
    /// official SDKs. `.zero` turns the cache off: every call fetches.
    public var defaultTTL: Duration = .seconds(60)
    /// The most prompts (name + version or label) kept; past it, the least recently used goes. 1,000.
    public var capacity: Int = 1_000

    public init(defaultTTL: Duration = .seconds(60), capacity: Int = 1_000) {
        self.defaultTTL = defaultTTL
        self.capacity = capacity
    }
}
