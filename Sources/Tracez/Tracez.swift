// Re-exported so that `import Tracez` is enough to use `withSpan`, `SpanAttributes`,
// `ServiceContext` and `InstrumentationSystem` beside Tracez's own types.
@_exported import Tracing

/// The library's version, reported as the instrumentation scope version.
public enum TracezVersion {
    public static let current = "0.1.0"
}
