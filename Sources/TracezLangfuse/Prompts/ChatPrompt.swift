/// A chat prompt from Langfuse (or the caller's fallback): messages whose contents are
/// `{{variable}}` templates, and placeholders for messages the caller supplies (a history).
///
/// A plain value; safe to share between tasks.
///
/// ```swift
/// let prompt = try await prompts.chatPrompt(named: "support", fallback: [.system("You help with {{product}}."), .placeholder("history")])
/// let compiled = prompt.compile(["product": "Tracez"], placeholders: ["history": history])
/// ```
public struct ChatPrompt: ManagedPrompt, Hashable {
    public let name: String
    public let version: Int
    /// The messages and placeholders, as stored in Langfuse.
    public let messages: [PromptMessage]
    public let config: JSONValue
    /// The deployment labels of this version (`production`, `latest`, …).
    public let labels: [String]
    public let tags: [String]
    public let isFallback: Bool

    /// A prompt as Langfuse would answer it: for tests, and for prompts kept elsewhere.
    public init(name: String, version: Int, messages: [PromptMessage], config: JSONValue = .null, labels: [String] = [], tags: [String] = []) {
        self.init(name: name, version: version, messages: messages, config: config, labels: labels, tags: tags, isFallback: false)
    }

    init(name: String, version: Int, messages: [PromptMessage], config: JSONValue, labels: [String], tags: [String], isFallback: Bool) {
        self.name = name
        self.version = version
        self.messages = messages
        self.config = config
        self.labels = labels
        self.tags = tags
        self.isFallback = isFallback
    }

    /// A fallback named `name` (version 0, ``isFallback``), which nothing links a generation
    /// to: a prompt kept in code, for when Langfuse has none or is not used.
    public static func fallback(named name: String, messages: [PromptMessage], config: JSONValue = .null) -> ChatPrompt {
        ChatPrompt(name: name, version: 0, messages: messages, config: config, labels: [], tags: [], isFallback: true)
    }

    /// The messages with every given variable filled into their contents, and each
    /// placeholder replaced by the messages given for it, as they are (their contents are
    /// not templates), as the Python SDK's `compile` does.
    ///
    /// Variables not given stay as written and are listed in
    /// ``CompiledPrompt/missingVariables``; placeholders not given are left out and listed
    /// in ``CompiledPrompt/missingPlaceholders``.
    ///
    /// - Complexity: O(total length of the messages and of the result).
    public func compile(_ variables: [String: String] = [:], placeholders: [String: [ChatMessage]] = [:]) -> CompiledPrompt<[ChatMessage]> {
        var missing: [String] = []
        var missingPlaceholders: [String] = []
        var compiled: [ChatMessage] = []
        compiled.reserveCapacity(messages.count)
        for entry in messages {
            switch entry {
            case .message(let message):
                compiled.append(ChatMessage(role: message.role, content: PromptTemplate.fill(message.content, with: variables, missing: &missing)))
            case .placeholder(let name):
                if let supplied = placeholders[name] {
                    compiled += supplied
                } else if !missingPlaceholders.contains(name) {
                    missingPlaceholders.append(name)
                }
            }
        }
        return CompiledPrompt(content: compiled, missingVariables: missing, missingPlaceholders: missingPlaceholders)
    }
}
