import Tracez
import Tracing

/// What the encoders walk to write attributes: a span record (both of its attribute stores,
/// without building a dictionary, TZ-0001) or a `SpanAttributes` (events, links, resource).
protocol AttributeWalk {
    var attributeCount: Int { get }
    func forEachAttribute(_ body: (String, SpanAttribute) -> Void)
}

extension SpanRecord: AttributeWalk {}

extension SpanAttributes: AttributeWalk {
    var attributeCount: Int { count }
    func forEachAttribute(_ body: (String, SpanAttribute) -> Void) { forEach(body) }
}
