import Tracing

/// Copies baggage entries onto every recording span as string attributes named after their
/// keys, as OpenTelemetry's baggage span processor does: a `tenant` set with
/// ``withBaggage(_:isolation:_:)`` upstream shows up on this service's spans.
///
/// ```swift
/// let configuration = TracerConfiguration(
///     serviceName: "checkout",
///     startHooks: [BaggageAttributesHook(keys: ["tenant", "session.id"])]
/// )
/// ```
///
/// - Important: Baggage is remote input: any caller can send any key and value, up to 180
///   entries and 8 KiB. Copy only the keys you chose with ``init(keys:)``; ``init()``
///   copies whatever arrives onto every span, where it can overwrite your own attributes
///   and fill the span's attribute limit. Properties are not copied.
///
/// - Complexity: per span, O(entries) and one lock on the span, taken only when an entry
///   matches; nothing when the context has no baggage.
public struct BaggageAttributesHook: SpanStartHook {
    /// The keys to copy; nil for all.
    private let keys: Set<String>?

    /// Copies the entries whose keys are in `keys`, and no others.
    public init(keys: [String]) {
        self.keys = Set(keys)
    }

    /// Copies every entry. Prefer ``init(keys:)``: baggage is whatever callers send.
    public init() {
        self.keys = nil
    }

    public func spanDidStart(_ span: Tracez.Span, in context: ServiceContext) {
        guard let baggage = context.baggage, !baggage.isEmpty else { return }
        let chosen: [Baggage.Entry]
        if let keys {
            chosen = baggage.entries.filter { keys.contains($0.key) }
        } else {
            chosen = baggage.entries
        }
        guard !chosen.isEmpty else { return }
        span.updateAttributes { attributes in
            for entry in chosen {
                attributes[entry.key] = entry.value
            }
        }
    }
}
