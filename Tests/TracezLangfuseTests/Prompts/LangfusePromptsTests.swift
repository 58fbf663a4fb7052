import Foundation
import MetricsTestKit
import Testing
import Tracez
import TracezHTTP
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// Fetching, caching and falling back, against ``LangfuseTestServer``.
    @Suite struct LangfusePromptsTests {
        @Test func aFreshPromptIsServedFromTheCacheWithoutARequest() async throws {
            let setup = try await PromptSetup.start()
            let first = try await setup.prompts.chatPrompt(named: "support")
            setup.clock.advance(by: .seconds(59))
            let second = try await setup.prompts.chatPrompt(named: "support")
            let third = try await setup.prompts.chatPrompt(named: "support", label: "production")
            #expect(first == second && second == third)
            #expect(first.version == 1 && !first.isFallback)
            #expect(setup.server.promptRequests.count == 1)
            try await setup.stop()
        }

        @Test func aStalePromptIsServedAtOnceAndRefreshedOnceHoweverManyAsk() async throws {
            let setup = try await PromptSetup.start()
            _ = try await setup.prompts.chatPrompt(named: "support")
            setup.server.addPrompt(.init(name: "support", version: 1, labels: [], prompt: PromptSetup.supportMessages))
            setup.server.addPrompt(.init(name: "support", version: 2, labels: ["production"], prompt: PromptSetup.supportMessages))
            setup.clock.advance(by: .seconds(61))

            // Stale: returned at once, without waiting for the refresh it starts.
            #expect(try await setup.prompts.chatPrompt(named: "support").version == 1)
            let versions = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 { group.addTask { try await setup.prompts.chatPrompt(named: "support").version } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(versions.count == 50 && versions.allSatisfy { $0 == 1 || $0 == 2 })
            await setup.prompts.refreshesFinished()
            #expect(try await setup.prompts.chatPrompt(named: "support").version == 2)
            #expect(setup.server.promptRequests.count == 2, "one fetch, one refresh: \(setup.server.promptRequests.count)")
            try await setup.stop()
        }

        @Test func aFailedRefreshKeepsTheStalePrompt() async throws {
            let setup = try await PromptSetup.start()
            let fetched = try await setup.prompts.chatPrompt(named: "support")
            setup.server.failPrompts(with: .status(500, body: #"{"message":"Internal Server Error"}"#))
            setup.clock.advance(by: .seconds(61))
            for _ in 0..<3 {
                #expect(try await setup.prompts.chatPrompt(named: "support") == fetched)
                await setup.prompts.refreshesFinished()
            }
            #expect(setup.server.promptRequests.count == 4)
            try await setup.stop()
        }

        @Test func aColdFailureReturnsTheFallbackOrThrows() async throws {
            let setup = try await PromptSetup.start()
            setup.server.failPrompts(with: .status(503, body: #"{"message":"Service Unavailable"}"#))
            let fallback = try await setup.prompts.chatPrompt(named: "support", fallback: [.system("You help with {{product}}."), .placeholder("history")])
            #expect(fallback.isFallback && fallback.version == 0 && fallback.name == "support")
            #expect(fallback.messages == [.system("You help with {{product}}."), .placeholder("history")])
            let text = try await setup.prompts.prompt(named: "summary", fallback: .text("Summarise {{text}}"))
            #expect(text.isFallback && text.textPrompt?.template == "Summarise {{text}}")

            let error = await #expect(throws: PromptError.self) { try await setup.prompts.chatPrompt(named: "support") }
            #expect(error?.code == .httpStatus && error?.status == 503 && error?.serverMessage == "Service Unavailable")
            // A fallback is not cached: once the server is back, the prompt is fetched.
            setup.server.failPrompts(with: nil)
            #expect(try await setup.prompts.chatPrompt(named: "support", fallback: []).isFallback == false)
            try await setup.stop()
        }

        @Test func aTTLOfZeroFetchesEveryTimeAndCachesNothing() async throws {
            let setup = try await PromptSetup.start(cache: PromptCacheConfiguration(defaultTTL: .seconds(600)))
            for _ in 0..<3 { _ = try await setup.prompts.chatPrompt(named: "support", cacheTTL: .zero) }
            #expect(setup.server.promptRequests.count == 3)
            #expect(setup.prompts.cachedCount == 0)
            // A per-call TTL: 5 s, then stale.
            _ = try await setup.prompts.chatPrompt(named: "support", cacheTTL: .seconds(5))
            setup.clock.advance(by: .seconds(4))
            _ = try await setup.prompts.chatPrompt(named: "support", cacheTTL: .seconds(5))
            #expect(setup.server.promptRequests.count == 4)
            setup.clock.advance(by: .seconds(2))
            _ = try await setup.prompts.chatPrompt(named: "support", cacheTTL: .seconds(5))
            await setup.prompts.refreshesFinished()
            #expect(setup.server.promptRequests.count == 5)
            try await setup.stop()
        }

        @Test func labelsAndVersionsSelectTheVersionAndNeitherMeansProduction() async throws {
            let setup = try await PromptSetup.start()
            setup.server.addPrompt(.init(name: "summary", version: 1, labels: ["production"], prompt: "v1 {{text}}"))
            setup.server.addPrompt(.init(name: "summary", version: 2, labels: ["staging"], prompt: "v2 {{text}}"))
            setup.server.addPrompt(.init(name: "summary", version: 3, labels: [], prompt: "v3 {{text}}"))
            let prompts = setup.prompts
            #expect(try await prompts.textPrompt(named: "summary").template == "v1 {{text}}")
            #expect(try await prompts.textPrompt(named: "summary", label: "staging").version == 2)
            #expect(try await prompts.textPrompt(named: "summary", version: 3).version == 3)
            #expect(try await prompts.textPrompt(named: "summary", label: "latest").version == 3)
            #expect(try await prompts.textPrompt(named: "summary", version: 1).version == 1)  // its own cache entry
            let uris = setup.server.promptRequests
            #expect(
                uris == [
                    "/api/public/v2/prompts/summary?label=production", "/api/public/v2/prompts/summary?label=staging",
                    "/api/public/v2/prompts/summary?version=3", "/api/public/v2/prompts/summary?label=latest",
                    "/api/public/v2/prompts/summary?version=1",
                ])
            try await setup.stop()
        }

        @Test func aNameWithSpacesAndSlashesIsOnePathSegment() async throws {
            let setup = try await PromptSetup.start()
            let name = "team a/support prompt?v=1&x"
            setup.server.addPrompt(.init(name: name, version: 4, labels: ["production"], prompt: "hello"))
            let prompt = try await setup.prompts.textPrompt(named: name)
            #expect(prompt.name == name && prompt.version == 4)
            #expect(setup.server.promptRequests == ["/api/public/v2/prompts/team%20a%2Fsupport%20prompt%3Fv%3D1%26x?label=production"])
            try await setup.stop()
        }

        @Test func theWrongTypeIsAnErrorOrTheFallback() async throws {
            let setup = try await PromptSetup.start()
            let error = await #expect(throws: PromptError.self) { try await setup.prompts.textPrompt(named: "support") }
            #expect(error?.code == .unexpectedType)
            #expect(try await setup.prompts.textPrompt(named: "support", fallback: "plain").isFallback)
            try await setup.stop()
        }

        @Test func prefetchFillsTheCacheOrSaysWhatIsMissing() async throws {
            let setup = try await PromptSetup.start()
            setup.server.addPrompt(.init(name: "summary", version: 1, labels: ["production"], prompt: "v1"))
            try await setup.prompts.prefetch(["support", "summary"])
            _ = try await setup.prompts.chatPrompt(named: "support")
            _ = try await setup.prompts.textPrompt(named: "summary")
            #expect(setup.server.promptRequests.count == 2)
            let error = await #expect(throws: PromptError.self) { try await setup.prompts.prefetch(["support", "missing"]) }
            #expect(error?.promptName == "missing" && error?.status == 404)
            try await setup.stop()
        }

        @Test func theCacheKeepsTheMostRecentlyUsedPrompts() async throws {
            let setup = try await PromptSetup.start(cache: PromptCacheConfiguration(capacity: 2))
            for name in ["a", "b", "c"] { setup.server.addPrompt(.init(name: name, version: 1, labels: ["production"], prompt: name)) }
            _ = try await setup.prompts.textPrompt(named: "a")
            _ = try await setup.prompts.textPrompt(named: "b")
            _ = try await setup.prompts.textPrompt(named: "a")  // a is now more recent than b
            _ = try await setup.prompts.textPrompt(named: "c")  // b goes
            #expect(setup.prompts.cachedCount == 2)
            _ = try await setup.prompts.textPrompt(named: "a")
            #expect(setup.server.promptRequests.count == 3)
            _ = try await setup.prompts.textPrompt(named: "b")
            #expect(setup.server.promptRequests.count == 4)
            try await setup.stop()
        }

        @Test func fetchesAndHitsAreCounted() async throws {
            let metrics = TestMetrics()
            let setup = try await PromptSetup.start(metrics: metrics)
            _ = try await setup.prompts.chatPrompt(named: "support")
            _ = try await setup.prompts.chatPrompt(named: "support")
            _ = try await setup.prompts.chatPrompt(named: "missing", fallback: [])
            #expect(try metrics.expectCounter("tracez_langfuse_prompt_fetches_total", [("result", "success")]).totalValue == 1)
            #expect(try metrics.expectCounter("tracez_langfuse_prompt_fetches_total", [("result", "http_error")]).totalValue == 1)
            #expect(try metrics.expectCounter("tracez_langfuse_prompt_cache_hits_total", [("state", "fresh")]).totalValue == 1)
            #expect(try metrics.expectCounter("tracez_langfuse_prompt_fallbacks_total").totalValue == 1)
            try await setup.stop()
        }
    }
}
