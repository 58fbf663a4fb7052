import TracezHTTP

/// A prompt that could not be fetched, and no fallback was given. Never carries a key:
/// the server's message is cut to 200 characters and any key in it is masked.
///
/// A struct with a ``code``, not an enum, so that a later version can name a new problem
/// without breaking code that handles these (as `TransportError` does):
///
/// ```swift
/// do { _ = try await prompts.chatPrompt(named: "support") } catch {
///     if error.code == .httpStatus, error.status == 404 { print("create the prompt 'support' in Langfuse") }
/// }
/// ```
public struct PromptError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case httpStatus, unreachable, invalidResponse, unexpectedType
        }

        private let base: Base

        /// Langfuse answered with an error: see ``PromptError/status`` (401 for wrong keys,
        /// 404 for a prompt, version or label it does not have) and ``PromptError/serverMessage``.
        public static let httpStatus = Code(base: .httpStatus)
        /// Langfuse could not be reached, or did not answer in time: see ``PromptError/transportError``.
        public static let unreachable = Code(base: .unreachable)
        /// The answer was not a prompt: see ``PromptError/reason``.
        public static let invalidResponse = Code(base: .invalidResponse)
        /// A text prompt was asked for and the prompt is a chat prompt, or the reverse: see
        /// ``PromptError/reason``.
        public static let unexpectedType = Code(base: .unexpectedType)

        public var description: String { base.rawValue }

        /// The `result` dimension of `tracez_langfuse_prompt_fetches_total` for a fetch that failed so.
        var metricResult: String {
            switch base {
            case .httpStatus: "http_error"
            case .unreachable: "unreachable"
            case .invalidResponse: "invalid_response"
            case .unexpectedType: "unexpected_type"
            }
        }
    }

    public let code: Code
    /// The prompt asked for.
    public let promptName: String
    /// What was asked for besides the name: `label production`, `version 3`.
    public let selector: String
    /// ``Code/httpStatus``: the HTTP status Langfuse answered.
    public let status: Int?
    /// ``Code/httpStatus``: Langfuse's `message` (or `error`), at most 200 characters, keys masked.
    public let serverMessage: String?
    /// ``Code/unreachable``: what the transport said; it never holds a header value.
    public let transportError: TransportError?
    /// ``Code/invalidResponse`` and ``Code/unexpectedType``: what was wrong.
    public let reason: String?

    private init(
        _ code: Code, promptName: String, selector: String, status: Int? = nil, serverMessage: String? = nil, transportError: TransportError? = nil,
        reason: String? = nil
    ) {
        self.code = code
        self.promptName = promptName
        self.selector = selector
        self.status = status
        self.serverMessage = serverMessage
        self.transportError = transportError
        self.reason = reason
    }

    /// Langfuse answered `status`; `serverMessage` must already be cut and masked.
    static func httpStatus(_ status: Int, serverMessage: String?, promptName: String, selector: String) -> PromptError {
        PromptError(.httpStatus, promptName: promptName, selector: selector, status: status, serverMessage: serverMessage)
    }

    static func unreachable(_ error: TransportError, promptName: String, selector: String) -> PromptError {
        PromptError(.unreachable, promptName: promptName, selector: selector, transportError: error)
    }

    static func invalidResponse(_ reason: String, promptName: String, selector: String) -> PromptError {
        PromptError(.invalidResponse, promptName: promptName, selector: selector, reason: reason)
    }

    static func unexpectedType(expected: String, received: String, promptName: String, selector: String) -> PromptError {
        PromptError(.unexpectedType, promptName: promptName, selector: selector, reason: "expected a \(expected) prompt, Langfuse has a \(received) prompt")
    }

    public var description: String {
        let subject = "Langfuse prompt '\(promptName.prefix(200))' (\(selector))"
        return switch code {
        case .httpStatus: "could not fetch \(subject): HTTP \(status ?? 0)\(serverMessage.map { ": \($0)" } ?? "")"
        case .unreachable: "could not fetch \(subject): \(transportError.map { "\($0)" } ?? "unreachable")"
        case .invalidResponse: "could not read \(subject): \(reason ?? "")"
        case .unexpectedType: "wrong type of \(subject): \(reason ?? "")"
        default: "\(subject): prompt error \(code)"
        }
    }
}
