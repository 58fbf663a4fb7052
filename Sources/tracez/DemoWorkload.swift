import Foundation
import Tracez
import TracezLangfuse

/// A sample LLM-backed request handler, instrumented the way a real service would be.
///
/// Per request: a server span with the user and session (Langfuse trace fields,
/// propagated to every observation), retrieval (an embedding call and a vector search
/// run concurrently with `async let`), a generation with model, token usage, cost and
/// prompt, tool calls in a task group, and a final generation. In every third request the
/// weather tool fails, which records an `exception` event and an error status on its span.
/// With `scoresEveryOtherTrace`, every other request also records a score.
///
/// Its generations compile ``prompt``: the chat prompt `travel-assistant` fetched from
/// Langfuse, to which they are linked, or the built-in ``builtInPrompt``, to which nothing is.
struct DemoWorkload: Sendable {
    let tracer: Tracer
    var scoresEveryOtherTrace = false
    var prompt: ChatPrompt = Self.builtInPrompt

    /// The name of the demo's prompt in Langfuse.
    static let promptName = "travel-assistant"
    /// The messages of the built-in prompt, the fallback when Langfuse has no `travel-assistant`.
    static let builtInMessages: [PromptMessage] = [
        .system("You are a travel assistant. Answer in two sentences."),
        .user("{{request}}"),
    ]
    static let builtInPrompt = ChatPrompt.fallback(named: promptName, messages: builtInMessages)

    struct ToolTimeout: Error, CustomStringConvertible {
        let tool: String
        var description: String { "\(tool) did not answer within 2 s" }
    }

    func handleRequest(index: Int) async {
        let trace = TraceAttributes(name: "chat request", userID: "user-\(index % 3)", sessionID: "session-\(index / 2)", tags: ["demo"])
        await tracer.withTrace(trace) {
            await tracer.withSpan("POST /v1/chat", ofKind: .server) { span in
                let request = Observation(span)
                request.setType(.agent)
                request.setTrace(trace)
                request.setInput(["question": "What should I pack for Lisbon?"])
                span.set("http.request.method", "POST")  // Tracez's typed setters: no dictionary
                span.set("http.route", "/v1/chat")
                let context = await retrieve(question: "What should I pack for Lisbon?", warmCache: index % 4 == 3)
                let plan = await chat(
                    model: "gpt-4o-mini", prompt: context, inputTokens: 412, outputTokens: 38,
                    reply: "Plan: check the weather and the calendar for Lisbon, then suggest a list.")
                await callTools(failing: index % 3 == 2)
                let answer = await chat(
                    model: "gpt-4o", prompt: plan, inputTokens: 655, outputTokens: 212, slow: index % 5 == 4,
                    reply: "Pack light layers, a rain jacket and walking shoes: 19 °C with showers on Thursday.")
                request.setOutput(answer)
                span.set("http.response.status_code", 200)
                if scoresEveryOtherTrace, index % 2 == 0 {
                    do {
                        try tracer.scoreCurrentTrace(name: "helpfulness", value: .numeric(0.8), comment: "demo")
                    } catch {
                        preconditionFailure("the demo's score is one Langfuse accepts: \(error)")
                    }
                }
            }
        }
    }

    /// `warmCache`: the cache answers in 300 µs instead of 1 ms, so that the live page's latency
    /// histogram has more than one busy column.
    private func retrieve(question: String, warmCache: Bool) async -> String {
        await tracer.withObservation("retrieve context", type: .retriever, input: question) { retrieval in
            let span = retrieval.span
            async let embedding = embed(question)
            async let cached = lookUpCache(question, warm: warmCache)
            let (vector, hit) = await (embedding, cached)
            let documents = await search(vector: vector, skip: hit)
            span.set("retrieval.documents", documents)
            return "\(documents) documents about \(question)"
        }
    }

    private func embed(_ text: String) async -> [Double] {
        await tracer.withObservation("embed query", type: .embedding) { embedding in
            embedding.setModel("text-embedding-3-small")
            embedding.setUsage(input: text.count / 4)
            await pause(milliseconds: 3)
            return [0.12, -0.4, 0.33]
        }
    }

    private func lookUpCache(_ key: String, warm: Bool) async -> Bool {
        await tracer.withSpan("cache lookup", ofKind: .client) { span in
            span.set("db.system.name", "redis")
            try? await Task.sleep(for: warm ? .microseconds(300) : .milliseconds(1))
            span.set("cache.hit", false)
            return false
        }
    }

    private func search(vector: [Double], skip: Bool) async -> Int {
        await tracer.withSpan("vector search", ofKind: .client) { span in
            span.updateAttributes { attributes in
                attributes["db.system.name"] = "pgvector"
                attributes["db.query.top_k"] = 4
            }
            await pause(milliseconds: 2)
            return 4
        }
    }

    /// A model call that answers `reply` (the demo's model is scripted: before, it echoed its
    /// prompt, so the answer read "a plan for: a plan for: …").
    /// A `slow` call takes 10 ms more before its first token: a busy model, now and then.
    private func chat(model: String, prompt: String, inputTokens: Int, outputTokens: Int, slow: Bool = false, reply: String) async -> String {
        let messages = self.prompt.compile(["request": prompt]).messages
        return await tracer.withGeneration("chat \(model)", model: model, prompt: self.prompt, input: messages) { generation in
            generation.setModelParameters(["temperature": 0.2])
            generation.span.updateAttributes { attributes in
                attributes["gen_ai.operation.name"] = "chat"
                attributes["gen_ai.system"] = "openai"
            }
            await pause(milliseconds: slow ? 14 : 4)
            generation.span.addEvent("first token")
            generation.setCompletionStartTime(Date())
            await pause(milliseconds: 2)
            // USD, at a list price of $0.15 / $0.60 per million tokens.
            generation.setUsage(input: inputTokens, output: outputTokens, total: inputTokens + outputTokens)
            generation.setCost(input: Double(inputTokens) * 0.15e-6, output: Double(outputTokens) * 0.6e-6)
            generation.setOutput(reply)
            return reply
        }
    }

    private func callTools(failing: Bool) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await callTool("weather", fails: failing) }
            group.addTask { await callTool("calendar", fails: false) }
        }
    }

    private func callTool(_ name: String, fails: Bool) async {
        do {
            try await tracer.withObservation("tool \(name)", type: .tool) { tool in
                tool.span.set("gen_ai.tool.name", name)
                await pause(milliseconds: 2)
                if fails { throw ToolTimeout(tool: name) }
                tool.setOutput(["forecast": "sunny"])
            }
        } catch {
            // The handler carries on without the tool; its span holds the error.
        }
    }

    private func pause(milliseconds: Int) async {
        try? await Task.sleep(for: .milliseconds(milliseconds))
    }
}
