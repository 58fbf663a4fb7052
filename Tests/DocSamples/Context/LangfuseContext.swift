// The reader's own chat application in Docs/Langfuse.md.

struct User: Sendable { let id = "user-42" }
struct Conversation: Sendable { let id = "conversation-7" }
struct Message: Sendable, Encodable { let text = "Where is my order?" }
struct Document: Sendable, Encodable { let title: String }
struct SearchIndex: Sendable {
    func search(_ text: String) async throws -> [Document] { [] }
}
struct Reply: Sendable {
    struct Usage: Sendable { let input = 12, output = 30 }
    struct Cost: Sendable { let input = 0.0001, output = 0.0003 }
    let text = "It ships today."
    let usage = Usage()
    let cost = Cost()
}
struct ChatClient: Sendable {
    func chat(_ prompt: String) async throws -> Reply { Reply() }
}

let user = User()
let conversation = Conversation()
let message = Message()
let index = SearchIndex()
let openAI = ChatClient()
func prompt(_ message: Message, _ documents: [Document]) -> String { message.text }

let publicKey = "pk-lf-0000"
let secretKey = "sk-lf-0000"

/// Another service of the reader's, called over HTTP ("Across services").
struct Backend: Sendable {
    func answer(_ question: String) async throws {}
}
let backend = Backend()
