/// Errors of the `Tracez` module. Each case names the problem and what to fix.
public enum TracezError: Error, Sendable, Hashable {
    /// A collector's capacity must be at least 1.
    case invalidCapacity(collector: String, capacity: Int)
    /// A batch size, interval or timeout was zero, negative or out of range.
    case invalidConfiguration(field: String, reason: String)
    /// An environment variable had a value Tracez cannot use.
    ///
    /// `value` is only what may be shown of it: `[redacted]` for a variable that holds
    /// secrets (headers), a URL without its credentials or query; the `reason` points at a
    /// malformed entry by its position, never by its text.
    case invalidEnvironmentVariable(name: String, value: String, reason: String)
    /// The export pipeline's `run()` was called while it was already running, or after it finished.
    case pipelineAlreadyStarted(collector: String)
}

extension TracezError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidCapacity(let collector, let capacity):
            "collector '\(collector)': capacity must be at least 1, got \(capacity)"
        case .invalidConfiguration(let field, let reason):
            "invalid configuration '\(field)': \(reason)"
        case .invalidEnvironmentVariable(let name, let value, let reason):
            "environment variable \(name)='\(value)': \(reason)"
        case .pipelineAlreadyStarted(let collector):
            "the export pipeline of collector '\(collector)' was already started"
        }
    }
}
