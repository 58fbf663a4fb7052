/// A prompt from Langfuse when the caller does not know its type in advance: text or chat.
///
/// ``LangfusePrompts/textPrompt(named:version:label:cacheTTL:fallback:)`` and
/// ``LangfusePrompts/chatPrompt(named:version:label:cacheTTL:fallback:)`` return the typed
/// value directly, which is what most callers want. A plain value; safe to share between tasks.
public enum LangfusePrompt: ManagedPrompt, Hashable {
    case text(TextPrompt)
    case chat(ChatPrompt)

    public var name: String {
        switch self {
        case .text(let prompt): prompt.name
        case .chat(let prompt): prompt.name
        }
    }

    public var version: Int {
        switch self {
        case .text(let prompt): prompt.version
        case .chat(let prompt): prompt.version
        }
    }

    public var isFallback: Bool {
        switch self {
        case .text(let prompt): prompt.isFallback
        case .chat(let prompt): prompt.isFallback
        }
    }

    public var config: JSONValue {
        switch self {
        case .text(let prompt): prompt.config
        case .chat(let prompt): prompt.config
        }
    }

    /// The deployment labels of this version.
    public var labels: [String] {
        switch self {
        case .text(let prompt): prompt.labels
        case .chat(let prompt): prompt.labels
        }
    }

    /// The text prompt, or `nil` for a chat prompt.
    public var textPrompt: TextPrompt? {
        if case .text(let prompt) = self { return prompt }
        return nil
    }

    /// The chat prompt, or `nil` for a text prompt.
    public var chatPrompt: ChatPrompt? {
        if case .chat(let prompt) = self { return prompt }
        return nil
    }

    /// `text` or `chat`, as Langfuse names the types.
    var typeName: String {
        switch self {
        case .text: "text"
        case .chat: "chat"
        }
    }
}
