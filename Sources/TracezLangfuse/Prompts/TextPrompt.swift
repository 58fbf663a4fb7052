/// A text prompt from Langfuse (or the caller's fallback): one `{{variable}}` template.
///
/// A plain value; safe to share between tasks.
///
/// ```swift
/// let prompt = try await prompts.textPrompt(named: "summary", fallback: "Summarise: {{text}}")
/// let compiled = prompt.compile(["text": article])
/// ```
public struct TextPrompt: ManagedPrompt, Hashable {
    public let name: String
    public let version: Int
    /// The template, as stored in Langfuse.
    public let template: String
    public let config: JSONValue
    /// The deployment labels of this version (`production`, `latest`, …).
    public let labels: [String]
    public let tags: [String]
    public let isFallback: Bool

    /// A prompt as Langfuse would answer it: for tests, and for prompts kept elsewhere.
    public init(name: String, version: Int, template: String, config: JSONValue = .null, labels: [String] = [], tags: [String] = []) {
        self.init(name: name, version: version, template: template, config: config, labels: labels, tags: tags, isFallback: false)
    }

    init(name: String, version: Int, template: String, config: JSONValue, labels: [String], tags: [String], isFallback: Bool) {
        self.name = name
        self.version = version
        self.template = template
        self.config = config
        self.labels = labels
        self.tags = tags
        self.isFallback = isFallback
    }

    /// A fallback named `name` (version 0, ``isFallback``), which nothing links a generation
    /// to: a prompt kept in code, for when Langfuse has none or is not used.
    public static func fallback(named name: String, template: String, config: JSONValue = .null) -> TextPrompt {
        TextPrompt(name: name, version: 0, template: template, config: config, labels: [], tags: [], isFallback: true)
    }

    /// The template with every given variable filled in; variables not given stay as
    /// written and are listed in ``CompiledPrompt/missingVariables``.
    ///
    /// - Complexity: O(length of the template and of the result).
    public func compile(_ variables: [String: String] = [:]) -> CompiledPrompt<String> {
        var missing: [String] = []
        let text = PromptTemplate.fill(template, with: variables, missing: &missing)
        return CompiledPrompt(content: text, missingVariables: missing)
    }
}
