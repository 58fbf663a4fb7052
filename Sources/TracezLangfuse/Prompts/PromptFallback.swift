/// What ``LangfusePrompts/prompt(named:version:label:cacheTTL:fallback:)`` returns, marked
/// ``ManagedPrompt/isFallback``, when a prompt is in no cache and cannot be fetched.
public enum PromptFallback: Sendable, Hashable {
    /// A text prompt with this template.
    case text(String)
    /// A chat prompt with these messages and placeholders.
    case chat([PromptMessage])

    func prompt(named name: String) -> LangfusePrompt {
        switch self {
        case .text(let template): .text(.fallback(named: name, template: template))
        case .chat(let messages): .chat(.fallback(named: name, messages: messages))
        }
    }
}
