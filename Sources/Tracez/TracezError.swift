/// Errors of the `Tracez` module. Each names the problem and carries what is needed to fix it.
///
/// A struct with a ``code``, not an enum, so that Tracez can learn a new kind of failure
/// without breaking code that handles these (as `TransportError` and ServiceLifecycle's
/// `ServiceGroupError` do). Match on the code, and read what the error carries from the
/// properties its code names:
///
/// ```swift
/// do { _ = try Collector(configuration: configuration) } catch {
///     if error.code == .invalidCapacity { print("capacity \(error.capacity ?? 0) is too small") }
/// }
/// ```
public struct TracezError: Error, Sendable, Hashable {
    /// The kind of error.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidCapacity, invalidConfiguration, invalidEnvironmentVariable, pipelineAlreadyStarted
        }

        private let base: Base

        /// A collector's capacity must be at least 1: see ``TracezError/collector`` and ``TracezError/capacity``.
        public static let invalidCapacity = Code(base: .invalidCapacity)
        /// A batch size, interval or timeout was zero, negative or out of range: see
        /// ``TracezError/field`` and ``TracezError/reason``.
        public static let invalidConfiguration = Code(base: .invalidConfiguration)
        /// An environment variable had a value Tracez cannot use: see ``TracezError/name``,
        /// ``TracezError/value`` and ``TracezError/reason``.
        public static let invalidEnvironmentVariable = Code(base: .invalidEnvironmentVariable)
        /// The export pipeline's `run()` was called while it was already running, or after it
        /// finished: see ``TracezError/collector``.
        public static let pipelineAlreadyStarted = Code(base: .pipelineAlreadyStarted)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// ``Code/invalidCapacity`` and ``Code/pipelineAlreadyStarted``: the collector's name.
    public let collector: String?
    /// ``Code/invalidCapacity``: the capacity that was asked for.
    public let capacity: Int?
    /// ``Code/invalidConfiguration``: the field that is out of range.
    public let field: String?
    /// ``Code/invalidEnvironmentVariable``: the variable's name.
    public let name: String?
    /// ``Code/invalidEnvironmentVariable``: only what may be shown of the value: `[redacted]` for
    /// a variable that holds secrets (headers), a URL without its credentials or query.
    public let value: String?
    /// ``Code/invalidConfiguration`` and ``Code/invalidEnvironmentVariable``: what is wrong. It
    /// points at a malformed entry of a secret by its position, never by its text.
    public let reason: String?

    private init(
        _ code: Code,
        collector: String? = nil,
        capacity: Int? = nil,
        field: String? = nil,
        name: String? = nil,
        value: String? = nil,
        reason: String? = nil
    ) {
        self.code = code
        self.collector = collector
        self.capacity = capacity
        self.field = field
        self.name = name
        self.value = value
        self.reason = reason
    }

    /// A collector's capacity must be at least 1.
    public static func invalidCapacity(collector: String, capacity: Int) -> TracezError {
        TracezError(.invalidCapacity, collector: collector, capacity: capacity)
    }
    /// A batch size, interval or timeout was zero, negative or out of range.
    public static func invalidConfiguration(field: String, reason: String) -> TracezError {
        TracezError(.invalidConfiguration, field: field, reason: reason)
    }
    /// An environment variable had a value Tracez cannot use.
    ///
    /// `value` is only what may be shown of it: `[redacted]` for a variable that holds
    /// secrets (headers), a URL without its credentials or query; the `reason` points at a
    /// malformed entry by its position, never by its text.
    public static func invalidEnvironmentVariable(name: String, value: String, reason: String) -> TracezError {
        TracezError(.invalidEnvironmentVariable, name: name, value: value, reason: reason)
    }
    /// The export pipeline's `run()` was called while it was already running, or after it finished.
    public static func pipelineAlreadyStarted(collector: String) -> TracezError {
        TracezError(.pipelineAlreadyStarted, collector: collector)
    }
}

extension TracezError: CustomStringConvertible {
    public var description: String {
        switch code {
        case .invalidCapacity:
            "collector '\(collector ?? "")': capacity must be at least 1, got \(capacity ?? 0)"
        case .invalidConfiguration:
            "invalid configuration '\(field ?? "")': \(reason ?? "")"
        case .invalidEnvironmentVariable:
            "environment variable \(name ?? "")='\(value ?? "")': \(reason ?? "")"
        case .pipelineAlreadyStarted:
            "the export pipeline of collector '\(collector ?? "")' was already started"
        default:
            "tracez error \(code)"
        }
    }
}
