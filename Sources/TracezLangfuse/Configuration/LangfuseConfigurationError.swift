/// A Langfuse setting that cannot be used. Never carries a secret key.
public enum LangfuseConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidPublicKey(reason: String)
    case invalidSecretKey(reason: String)
    /// Langfuse would silently store this environment as `default`.
    case invalidEnvironment(String)
    /// The server URL in `variable` (`LANGFUSE_BASE_URL` or `LANGFUSE_HOST`) cannot be used.
    /// The reason never repeats the URL's credentials.
    case invalidBaseURL(variable: String, reason: String)
    /// An environment variable (named) or a field had a value that cannot be used.
    case invalidValue(field: String, reason: String)
    /// Both keys are needed.
    case missingKeys

    public var description: String {
        switch self {
        case .invalidPublicKey(let reason): "invalid Langfuse public key (LANGFUSE_PUBLIC_KEY): \(reason)"
        case .invalidSecretKey(let reason): "invalid Langfuse secret key (LANGFUSE_SECRET_KEY): \(reason)"
        case .invalidEnvironment(let name):
            "invalid Langfuse environment '\(name.prefix(60))': use 1 to 40 lowercase letters, digits, - or _, not starting with 'langfuse' (Langfuse would store it as 'default')"
        case .invalidBaseURL(let variable, let reason): "invalid Langfuse base URL (\(variable)): \(reason)"
        case .invalidValue(let field, let reason): "invalid \(field): \(reason)"
        case .missingKeys: "LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY must both be set"
        }
    }
}
