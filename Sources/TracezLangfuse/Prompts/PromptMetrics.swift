import Metrics

/// The swift-metrics of ``LangfusePrompts``: fetches by result, cache hits by state, fallbacks.
/// Handlers are bound when it is made; with no backend bootstrapped they cost nothing.
///
/// Thread-safety: the handlers are thread-safe; use from any task.
final class PromptMetrics: Sendable {
    static let results = ["success", "http_error", "unreachable", "invalid_response", "unexpected_type"]

    let freshHits: Counter
    let staleHits: Counter
    let fallbacks: Counter
    private let fetchResults: [String: Counter]

    init(factory: (any MetricsFactory)?) {
        func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
            if let factory { return Counter(label: label, dimensions: dimensions, factory: factory) }
            return Counter(label: label, dimensions: dimensions)
        }
        freshHits = counter("tracez_langfuse_prompt_cache_hits_total", [("state", "fresh")])
        staleHits = counter("tracez_langfuse_prompt_cache_hits_total", [("state", "stale")])
        fallbacks = counter("tracez_langfuse_prompt_fallbacks_total", [])
        var fetchResults: [String: Counter] = [:]
        for result in Self.results {
            fetchResults[result] = counter("tracez_langfuse_prompt_fetches_total", [("result", result)])
        }
        self.fetchResults = fetchResults
    }

    /// Counts one fetch that ended with `result`.
    func fetches(_ result: String) {
        fetchResults[result]?.increment()
    }
}
