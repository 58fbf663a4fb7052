/// One entry of a ``ChatPrompt``: a message whose content is a template, or a placeholder
/// that ``ChatPrompt/compile(_:placeholders:)`` replaces with the caller's messages
/// (`{"type": "placeholder", "name": …}` in Langfuse's API).
///
/// A plain value; safe to share between tasks.
///
/// ```swift
/// let fallback: [PromptMessage] = [.system("You answer questions about {{product}}."), .placeholder("history"), .user("{{question}}")]
/// ```
public enum PromptMessage: Sendable, Hashable {
    case message(ChatMessage)
    case placeholder(name: String)

    /// A message of `role` whose content is `template`.
    public static func message(role: String, _ template: String) -> PromptMessage { .message(ChatMessage(role: role, content: template)) }
    /// A `system` message whose content is `template`.
    public static func system(_ template: String) -> PromptMessage { .message(role: "system", template) }
    /// A `user` message whose content is `template`.
    public static func user(_ template: String) -> PromptMessage { .message(role: "user", template) }
    /// An `assistant` message whose content is `template`.
    public static func assistant(_ template: String) -> PromptMessage { .message(role: "assistant", template) }
    /// A placeholder named `name`.
    public static func placeholder(_ name: String) -> PromptMessage { .placeholder(name: name) }
}
