/// A Langfuse setting that cannot be used. Never carries a secret key.
///
/// A struct with a ``code``, not an enum, so that a later version can name a new problem
/// without breaking code that handles these (as `TransportError` does). Match on the code,
/// and read what the error carries from the properties its code names:
///
/// ```swift
/// do { _ = try LangfuseSettings(environment: environment) } catch {
///     if error.code == .invalidValue { print("fix \(error.field ?? "")") }
/// }
/// ```
public struct LangfuseConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidPublicKey, invalidSecretKey, invalidEnvironment, invalidBaseURL, invalidValue, missingKeys
        }

        private let base: Base

        /// The public key cannot be used: see ``LangfuseConfigurationError/reason``.
        public static let invalidPublicKey = Code(base: .invalidPublicKey)
        /// The secret key cannot be used: see ``LangfuseConfigurationError/reason``, which never
        /// repeats the key.
        public static let invalidSecretKey = Code(base: .invalidSecretKey)
        /// Langfuse would silently store this environment as `default`: see
        /// ``LangfuseConfigurationError/environment``.
        public static let invalidEnvironment = Code(base: .invalidEnvironment)
        /// The server URL cannot be used: see ``LangfuseConfigurationError/variable`` and
        /// ``LangfuseConfigurationError/reason``.
        public static let invalidBaseURL = Code(base: .invalidBaseURL)
        /// An environment variable or a field had a value that cannot be used: see
        /// ``LangfuseConfigurationError/field`` and ``LangfuseConfigurationError/reason``.
        public static let invalidValue = Code(base: .invalidValue)
        /// Both keys are needed.
        public static let missingKeys = Code(base: .missingKeys)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// ``Code/invalidPublicKey``, ``Code/invalidSecretKey``, ``Code/invalidBaseURL`` and
    /// ``Code/invalidValue``: what is wrong. Never a key, nor a URL's credentials.
    public let reason: String?
    /// ``Code/invalidEnvironment``: the environment name that was refused.
    public let environment: String?
    /// ``Code/invalidBaseURL``: the variable the URL came from (`LANGFUSE_BASE_URL` or `LANGFUSE_HOST`).
    public let variable: String?
    /// ``Code/invalidValue``: the environment variable (named) or the field.
    public let field: String?

    private init(_ code: Code, reason: String? = nil, environment: String? = nil, variable: String? = nil, field: String? = nil) {
        self.code = code
        self.reason = reason
        self.environment = environment
        self.variable = variable
        self.field = field
    }

    /// The public key cannot be used.
    public static func invalidPublicKey(reason: String) -> LangfuseConfigurationError {
        LangfuseConfigurationError(.invalidPublicKey, reason: reason)
    }
    /// The secret key cannot be used. `reason` must not repeat the key.
    public static func invalidSecretKey(reason: String) -> LangfuseConfigurationError {
        LangfuseConfigurationError(.invalidSecretKey, reason: reason)
    }
    /// Langfuse would silently store this environment as `default`.
    public static func invalidEnvironment(_ environment: String) -> LangfuseConfigurationError {
        LangfuseConfigurationError(.invalidEnvironment, environment: environment)
    }
    /// The server URL in `variable` (`LANGFUSE_BASE_URL` or `LANGFUSE_HOST`) cannot be used.
    /// The reason never repeats the URL's credentials.
    public static func invalidBaseURL(variable: String, reason: String) -> LangfuseConfigurationError {
        LangfuseConfigurationError(.invalidBaseURL, reason: reason, variable: variable)
    }
    /// An environment variable (named) or a field had a value that cannot be used.
    public static func invalidValue(field: String, reason: String) -> LangfuseConfigurationError {
        LangfuseConfigurationError(.invalidValue, reason: reason, field: field)
    }
    /// Both keys are needed.
    public static let missingKeys = LangfuseConfigurationError(.missingKeys)

    public var description: String {
        switch code {
        case .invalidPublicKey: "invalid Langfuse public key (LANGFUSE_PUBLIC_KEY): \(reason ?? "")"
        case .invalidSecretKey: "invalid Langfuse secret key (LANGFUSE_SECRET_KEY): \(reason ?? "")"
        case .invalidEnvironment:
            "invalid Langfuse environment '\((environment ?? "").prefix(60))': use 1 to 40 lowercase letters, digits, - or _, not starting with 'langfuse' (Langfuse would store it as 'default')"
        case .invalidBaseURL: "invalid Langfuse base URL (\(variable ?? "")): \(reason ?? "")"
        case .invalidValue: "invalid \(field ?? ""): \(reason ?? "")"
        case .missingKeys: "LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY must both be set"
        default: "Langfuse configuration error \(code)"
        }
    }
}
