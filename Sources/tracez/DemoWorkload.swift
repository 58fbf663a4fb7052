import Tracez

/// A sample LLM-backed request handler, instrumented the way a real service would be.
///
/// Per request: a server span with the user and session, retrieval (an
/// embedding call and a vector search run concurrently with `async let`), a
/// model call with model name, token usage and cost, tool calls in a task
/// group, and a final model call. In every third request the weather tool
/// fails, which records an `exception` event and an error status on its span.
struct DemoWorkload: Sendable {
    let tracer: Tracer

    struct ToolTimeout: Error, CustomStringConvertible {
        let tool: String
        var description: String { "\(tool) did not answer within 2 s" }
    }

    func handleRequest(index: Int) async {
        await tracer.withSpan("POST /v1/chat", ofKind: .server) { span in
            span.updateAttributes { attributes in
                attributes["http.request.method"] = "POST"
                attributes["http.route"] = "/v1/chat"
                attributes["user.id"] = "user-\(index % 3)"
                attributes["session.id"] = "session-\(index / 2)"
            }
            let context = await retrieve(question: "What should I pack for Lisbon?")
            let plan = await chat(model: "gpt-4o-mini", prompt: context, inputTokens: 412, outputTokens: 38)
            await callTools(failing: index % 3 == 2)
            _ = await chat(model: "gpt-4o", prompt: plan, inputTokens: 655, outputTokens: 212)
            span.attributes["http.response.status_code"] = 200
        }
    }

    private func retrieve(question: String) async -> String {
        await tracer.withSpan("retrieve context") { span in
            span.attributes["retrieval.query"] = question
            async let embedding = embed(question)
            async let cached = lookUpCache(question)
            let (vector, hit) = await (embedding, cached)
            let documents = await search(vector: vector, skip: hit)
            span.attributes["retrieval.documents"] = documents
            return "\(documents) documents about \(question)"
        }
    }

    private func embed(_ text: String) async -> [Double] {
        await tracer.withSpan("embed query", ofKind: .client) { span in
            span.updateAttributes { attributes in
                attributes["gen_ai.operation.name"] = "embeddings"
                attributes["gen_ai.request.model"] = "text-embedding-3-small"
                attributes["gen_ai.usage.input_tokens"] = text.count / 4
            }
            await pause(milliseconds: 3)
            return [0.12, -0.4, 0.33]
        }
    }

    private func lookUpCache(_ key: String) async -> Bool {
        await tracer.withSpan("cache lookup", ofKind: .client) { span in
            span.attributes["db.system.name"] = "redis"
            await pause(milliseconds: 1)
            span.attributes["cache.hit"] = false
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

    private func chat(model: String, prompt: String, inputTokens: Int, outputTokens: Int) async -> String {
        await tracer.withSpan("chat \(model)", ofKind: .client) { span in
            span.updateAttributes { attributes in
                attributes["gen_ai.operation.name"] = "chat"
                attributes["gen_ai.system"] = "openai"
                attributes["gen_ai.request.model"] = model
                attributes["gen_ai.usage.input_tokens"] = inputTokens
                attributes["gen_ai.usage.output_tokens"] = outputTokens
                // USD, at a list price of $0.15 / $0.60 per million tokens.
                attributes["gen_ai.usage.cost"] = Double(inputTokens) * 0.15e-6 + Double(outputTokens) * 0.6e-6
            }
            await pause(milliseconds: 4)
            span.addEvent("first token")
            await pause(milliseconds: 2)
            return "a plan for: \(prompt)"
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
            try await tracer.withSpan("tool \(name)") { span in
                span.attributes["gen_ai.tool.name"] = name
                await pause(milliseconds: 2)
                if fails { throw ToolTimeout(tool: name) }
            }
        } catch {
            // The handler carries on without the tool; its span holds the error.
        }
    }

    private func pause(milliseconds: Int) async {
        try? await Task.sleep(for: .milliseconds(milliseconds))
    }
}
