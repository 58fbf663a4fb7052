import Foundation
import Testing

@testable import TracezLangfuse

extension LangfuseTests {
    /// `{{variable}}` substitution, placeholders and `config`, as the SDKs do them.
    @Suite struct PromptCompileTests {
        @Test func aTextPromptFillsItsVariablesAndReportsTheMissingOnes() {
            let prompt = TextPrompt(name: "t", version: 1, template: "Hi {{name}}, {{ name }} asked {{question}} about {{topic}}. {{}} {{unclosed")
            let compiled = prompt.compile(["name": "Ada", "topic": "{{question}}"])
            #expect(compiled.text == "Hi Ada, Ada asked {{question}} about {{question}}. {{}} {{unclosed")
            #expect(compiled.missingVariables == ["question"])
            #expect(!compiled.isComplete)
            #expect(prompt.compile(["name": "A", "question": "q", "topic": "t"]).missingVariables.isEmpty)
        }

        @Test func aChatPromptFillsMessagesAndPlaceholders() {
            let prompt = ChatPrompt(
                name: "c", version: 2,
                messages: [.system("You help with {{product}}."), .placeholder("history"), .user("{{question}}"), .placeholder("examples")])
            let history = [ChatMessage(role: "user", content: "Earlier {{question}}"), ChatMessage(role: "assistant", content: "Yes.")]
            let compiled = prompt.compile(["product": "Tracez"], placeholders: ["history": history])
            #expect(
                compiled.messages == [
                    ChatMessage(role: "system", content: "You help with Tracez."),
                    ChatMessage(role: "user", content: "Earlier {{question}}"),  // supplied messages are not templates
                    ChatMessage(role: "assistant", content: "Yes."),
                    ChatMessage(role: "user", content: "{{question}}"),
                ])
            #expect(compiled.missingVariables == ["question"])
            #expect(compiled.missingPlaceholders == ["examples"])
        }

        @Test func fallbacksMadeInCodeAreNeverLinkable() {
            let text = TextPrompt.fallback(named: "t", template: "{{a}}")
            let chat = ChatPrompt.fallback(named: "c", messages: [.message(role: "tool", "{{a}}"), .assistant("ok")])
            #expect(text.isFallback && chat.isFallback && LangfusePrompt.chat(chat).isFallback)
            #expect(!text.isLinkable && !chat.isLinkable)
            #expect(chat.compile(["a": "1"]).messages == [ChatMessage(role: "tool", content: "1"), ChatMessage(role: "assistant", content: "ok")])
            #expect(LangfusePrompt.text(TextPrompt(name: "t", version: 2, template: "", labels: ["production"])).labels == ["production"])
        }

        @Test func aFetchedChatPromptKeepsItsPlaceholders() async throws {
            let setup = try await PromptSetup.start()
            let prompt = try await setup.prompts.chatPrompt(named: "support")
            #expect(prompt.messages == [.system("You help with {{product}}."), .placeholder("history"), .user("{{question}}")])
            let compiled = prompt.compile(["product": "Tracez", "question": "Why?"], placeholders: ["history": []])
            #expect(compiled.messages.map(\.content) == ["You help with Tracez.", "Why?"] && compiled.isComplete)
            try await setup.stop()
        }

        struct ModelConfig: Decodable, Equatable {
            var model: String
            var temperature: Double
        }

        @Test func configDecodesToTheCallersType() async throws {
            let setup = try await PromptSetup.start()
            let prompt = try await setup.prompts.prompt(named: "support")
            #expect(prompt.config == .object(["model": .string("gpt-4o"), "temperature": .number(0.2)]))
            #expect(try prompt.config(as: ModelConfig.self) == ModelConfig(model: "gpt-4o", temperature: 0.2))
            struct Other: Decodable { var maxTokens: Int }
            #expect(throws: DecodingError.self) { try prompt.config(as: Other.self) }
            try await setup.stop()
        }
    }
}
