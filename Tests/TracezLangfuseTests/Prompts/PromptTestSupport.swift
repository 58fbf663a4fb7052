import Foundation
import Logging
import Metrics
import Tracez
import TracezHTTP
import TracezTestSupport

@testable import TracezLangfuse

/// A ``LangfuseTestServer`` serving the prompts of the tests, and ``LangfusePrompts`` on it
/// with a manual clock.
struct PromptSetup {
    let server: LangfuseTestServer
    let prompts: LangfusePrompts
    let clock: ManualClock

    /// The chat prompt most tests fetch: a system message, a history placeholder, a question.
    static var supportMessages: [[String: Any]] {
        [
            ["role": "system", "content": "You help with {{product}}."],
            ["type": "placeholder", "name": "history"],
            ["role": "user", "content": "{{question}}"],
        ]
    }

    static func start(
        secretKey: String? = nil,
        cache: PromptCacheConfiguration = PromptCacheConfiguration(),
        timeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "prompt-tests"),
        metrics: (any MetricsFactory)? = nil
    ) async throws -> PromptSetup {
        let server = LangfuseTestServer()
        try await server.start()
        server.addPrompt(.init(name: "support", version: 1, labels: ["production"], prompt: supportMessages, config: ["model": "gpt-4o", "temperature": 0.2]))
        let clock = ManualClock()
        let configuration = try LangfuseConfiguration(
            publicKey: server.publicKey,
            secretKey: secretKey ?? server.secretKey,
            baseURL: HTTPEndpoint(server.url),
            timeout: timeout
        )
        let prompts = LangfusePrompts(configuration: configuration, cache: cache, logger: logger, metricsFactory: metrics, clock: clock)
        return PromptSetup(server: server, prompts: prompts, clock: clock)
    }

    func stop() async throws {
        await prompts.shutdown()
        try await server.stop()
    }
}
