import Tracing

/// Chooses which finished spans a ``Collector`` keeps.
///
/// Runs on the hot path, once per finished span and collector: keep it cheap
/// and free of I/O. Compose with ``CollectorFilter/all(_:)`` and ``CollectorFilter/any(_:)``.
public struct CollectorFilter: Sendable {
    private let accepts: @Sendable (SpanRecord) -> Bool

    public init(_ accepts: @escaping @Sendable (SpanRecord) -> Bool) {
        self.accepts = accepts
    }

    public func callAsFunction(_ record: SpanRecord) -> Bool { accepts(record) }

    /// Spans whose name starts with `prefix`.
    public static func namePrefix(_ prefix: String) -> CollectorFilter {
        CollectorFilter { $0.name.hasPrefix(prefix) }
    }

    /// Spans that have attribute `key` (with any value).
    public static func hasAttribute(_ key: String) -> CollectorFilter {
        CollectorFilter { $0.attribute(key) != nil }
    }

    /// Spans whose attribute `key` equals `value`.
    public static func attribute(_ key: String, equals value: SpanAttribute) -> CollectorFilter {
        CollectorFilter { $0.attribute(key) == value }
    }

    /// Spans whose status is an error.
    public static let errors = CollectorFilter { $0.isError }

    /// Spans of one kind, such as `.client`.
    public static func kind(_ kind: SpanKind) -> CollectorFilter {
        CollectorFilter { $0.kind == kind }
    }

    /// Spans that every filter accepts.
    public static func all(_ filters: [CollectorFilter]) -> CollectorFilter {
        CollectorFilter { record in filters.allSatisfy { $0(record) } }
    }

    /// Spans that at least one filter accepts.
    public static func any(_ filters: [CollectorFilter]) -> CollectorFilter {
        CollectorFilter { record in filters.contains { $0(record) } }
    }
}
