/// One message of a chat: a role (`system`, `user`, `assistant`, …) and its text.
///
/// What a compiled ``ChatPrompt`` is made of, and what callers hand in to fill its
/// placeholders. A plain value; safe to share between tasks.
public struct ChatMessage: Sendable, Hashable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
