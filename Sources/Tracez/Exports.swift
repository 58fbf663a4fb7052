// Re-exported so that `import Tracez` is enough to use `withSpan`, `SpanAttributes`,
// `ServiceContext` and `InstrumentationSystem` beside Tracez's own types.
@_exported import Tracing
