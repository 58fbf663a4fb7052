import Foundation

/// The body of `GET /api/public/v2/prompts/{name}` (`Prompt` in prompts.yml): a text prompt
/// (`prompt` is a string) or a chat prompt (`prompt` is a list of messages and placeholders).
/// `type` says which; when it is missing, the shape of `prompt` does.
struct PromptResponse: Decodable {
    let prompt: LangfusePrompt

    private enum Keys: String, CodingKey {
        case name, version, config, labels, tags, type, prompt
    }

    private struct Entry: Decodable {
        let role: String?
        let content: String?
        let type: String?
        let name: String?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let name = try container.decode(String.self, forKey: .name)
        let version = try container.decode(Int.self, forKey: .version)
        let config = try container.decodeIfPresent(JSONValue.self, forKey: .config) ?? .null
        let labels = try container.decodeIfPresent([String].self, forKey: .labels) ?? []
        let tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        let type = try container.decodeIfPresent(String.self, forKey: .type)
        if type == "text" || (type == nil && (try? container.decode(String.self, forKey: .prompt)) != nil) {
            let template = try container.decode(String.self, forKey: .prompt)
            prompt = .text(TextPrompt(name: name, version: version, template: template, config: config, labels: labels, tags: tags))
            return
        }
        let entries = try container.decode([Entry].self, forKey: .prompt)
        let messages = try entries.enumerated().map { index, entry throws -> PromptMessage in
            if entry.type == "placeholder" {
                guard let placeholder = entry.name else {
                    throw DecodingError.dataCorruptedError(forKey: .prompt, in: container, debugDescription: "placeholder \(index) has no name")
                }
                return .placeholder(name: placeholder)
            }
            guard let role = entry.role, let content = entry.content else {
                throw DecodingError.dataCorruptedError(forKey: .prompt, in: container, debugDescription: "message \(index) needs a role and a content")
            }
            return .message(ChatMessage(role: role, content: content))
        }
        prompt = .chat(ChatPrompt(name: name, version: version, messages: messages, config: config, labels: labels, tags: tags))
    }
}
