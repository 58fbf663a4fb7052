import Tracing

/// Runs `operation` with baggage entries set in the task's `ServiceContext`.
///
/// The entries are set on the baggage of `ServiceContext.current` (or of a top-level
/// context): a value replaces the key's value and properties, `nil` removes the key, and the
/// other entries stay. Spans started inside see them (``BaggageAttributesHook`` copies the
/// ones you choose onto spans), child tasks (`async let`, task groups) inherit them, and
/// ``Tracer`` writes them as the `baggage` header of every request it injects into.
///
/// ```swift
/// try await withBaggage(["tenant": "acme", "debug": nil]) {
///     try await client.get("/orders")  // sends `baggage: tenant=acme`
/// }
/// ```
///
/// - Warning: Baggage goes to every downstream service in the `baggage` header, including
///   services you do not run. Never put a secret, a token or personal data in it.
///
/// - Complexity: O(entries × baggage entries) to build the context; then, like
///   `ServiceContext.withValue`, one task-local binding.
public func withBaggage<T>(
    _ entries: KeyValuePairs<String, String?>,
    isolation: isolated (any Actor)? = #isolation,
    _ operation: () async throws -> T
) async rethrows -> T {
    try await ServiceContext.withValue(currentContext(settingBaggage: entries), operation: operation)
}

/// Runs `operation` with baggage entries set in the task's `ServiceContext`: the synchronous
/// form of ``withBaggage(_:isolation:_:)``, whose rules it follows.
///
/// ```swift
/// withBaggage(["tenant": "acme"]) {
///     tracer.withSpan("validate") { _ in validate(order) }
/// }
/// ```
///
/// - Warning: Baggage goes to every downstream service in the `baggage` header, including
///   services you do not run. Never put a secret, a token or personal data in it.
public func withBaggage<T>(_ entries: KeyValuePairs<String, String?>, _ operation: () throws -> T) rethrows -> T {
    try ServiceContext.withValue(currentContext(settingBaggage: entries), operation: operation)
}

/// `ServiceContext.current` (or a top-level context) with `entries` set on its baggage, in order.
private func currentContext(settingBaggage entries: KeyValuePairs<String, String?>) -> ServiceContext {
    var context = ServiceContext.current ?? .topLevel
    var baggage = context.baggage ?? Baggage()
    for (key, value) in entries {
        baggage[key] = value
    }
    context.baggage = baggage
    return context
}
