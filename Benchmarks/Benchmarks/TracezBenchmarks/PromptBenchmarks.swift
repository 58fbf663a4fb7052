import Benchmark
import TracezLangfuse

// A cache hit of LangfusePrompts: what every LLM call that uses a managed prompt pays once the
// prompt is fetched. The prompt is fetched once, in the setup, from a transport that answers
// in memory, so no benchmark measures the network.

func promptBenchmarks() {
    nonisolated(unsafe) var prompts: LangfusePrompts!
    let setup: @Sendable () async throws -> Void = {
        let configuration = try LangfuseConfiguration(
            publicKey: "pk-lf-bench", secretKey: "sk-lf-bench", baseURL: HTTPEndpoint("http://127.0.0.1:9"))
        prompts = LangfusePrompts(
            configuration: configuration,
            cache: PromptCacheConfiguration(defaultTTL: .seconds(3600)),
            transport: PromptAnswer()
        )
        _ = try await prompts.chatPrompt(named: "support")
    }
    let teardown: @Sendable () async throws -> Void = {
        await prompts.shutdown()
        prompts = nil
    }

    Benchmark(
        "Prompt cache hit",
        configuration: .init(thresholds: Thresholds.hotPath, setup: setup, teardown: teardown)
    ) { benchmark in
        let prompts = prompts!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await prompts.chatPrompt(named: "support"))
        }
        benchmark.stopMeasurement()
    }

    // The issue's figure: two tasks asking for the same prompt at once.
    Benchmark(
        "Prompt cache hit, 2 tasks asking for the same prompt",
        configuration: .init(setup: setup, teardown: teardown)
    ) { benchmark in
        let prompts = prompts!
        let perTask = benchmark.scaledIterations.count / 2
        benchmark.startMeasurement()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<perTask { blackHole(try await prompts.chatPrompt(named: "support")) }
                }
            }
            try await group.waitForAll()
        }
        benchmark.stopMeasurement()
    }
}

/// Answers every request with the chat prompt `support`, version 1, from memory.
private struct PromptAnswer: HTTPTransport {
    static let body = Array(
        #"""
        {"name":"support","version":1,"type":"chat","labels":["production"],"tags":[],"config":{"model":"gpt-4o"},
         "prompt":[{"role":"system","content":"You help with {{product}}."},{"type":"placeholder","name":"history"},{"role":"user","content":"{{question}}"}]}
        """#.utf8)

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Self.body)
    }

    func shutdown() async {}
}
