/// What ``TextPrompt/compile(_:)`` and ``ChatPrompt/compile(_:placeholders:)`` make: the
/// text or the messages, and what the caller did not supply.
///
/// A plain value; safe to share between tasks.
public struct CompiledPrompt<Content: Sendable & Hashable>: Sendable, Hashable {
    /// The text (``TextPrompt``) or the messages (``ChatPrompt``).
    public let content: Content
    /// Variables the template uses that were not given, in order of first appearance: each
    /// stays in the content as written (`{{name}}`), as the official SDKs leave it.
    public let missingVariables: [String]
    /// Placeholders of a chat prompt that were not given: their messages are left out.
    public let missingPlaceholders: [String]

    public init(content: Content, missingVariables: [String] = [], missingPlaceholders: [String] = []) {
        self.content = content
        self.missingVariables = missingVariables
        self.missingPlaceholders = missingPlaceholders
    }

    /// Whether every variable and placeholder was given.
    public var isComplete: Bool { missingVariables.isEmpty && missingPlaceholders.isEmpty }
}

extension CompiledPrompt where Content == String {
    /// The compiled text.
    public var text: String { content }
}

extension CompiledPrompt where Content == [ChatMessage] {
    /// The compiled messages.
    public var messages: [ChatMessage] { content }
}
