import Foundation
import Testing
import Tracez
import TracezHTTP
import TracezOTLP
import TracezTestSupport

@testable import TracezLangfuse

extension LangfuseTests {
    /// A generation that used a fetched prompt arrives linked to it, in both export modes; one
    /// that used a fallback arrives unlinked.
    @Suite struct PromptLinkTests {
        @Test(arguments: [LangfuseConfiguration.API.otel, .ingestion])
        func aGenerationArrivesLinkedToTheFetchedPromptNeverToAFallback(_ api: LangfuseConfiguration.API) async throws {
            let server = LangfuseTestServer()
            try await server.start()
            server.addPrompt(.init(name: "support", version: 7, labels: ["production"], prompt: PromptSetup.supportMessages))
            let configuration = try LangfuseConfiguration(
                publicKey: server.publicKey, secretKey: server.secretKey, baseURL: HTTPEndpoint(server.url), api: api, timeout: .seconds(5))
            let exporter = LangfuseExporter(configuration: configuration)
            let prompts = LangfusePrompts(exporter: exporter)
            let pipeline = try ExportPipeline(
                collector: Collector(configuration: CollectorConfiguration(name: "prompts", capacity: 64)),
                exporter: exporter,
                configuration: ExportConfiguration(maxBatchSize: 64, interval: .seconds(3600))
            )
            let tracer = Tracer(configuration: TracerConfiguration(serviceName: "prompt-link"), pipelines: [pipeline])

            let prompt = try await prompts.chatPrompt(named: "support")
            let fallback = try await prompts.chatPrompt(named: "absent", fallback: [.user("{{question}}")])
            await tracer.withGeneration("linked", model: "gpt-4o", prompt: prompt, input: prompt.compile(["product": "Tracez"]).messages) { _ in }
            await tracer.withGeneration("unlinked", model: "gpt-4o", prompt: fallback) { _ in }
            await tracer.withGeneration("set", model: "gpt-4o") { generation in generation.setPrompt(LangfusePrompt.chat(prompt)) }
            let statistics = await tracer.shutdown(deadline: .now + .seconds(30))
            try await server.stop()
            #expect(statistics.exported == 3 && statistics.isBalanced)
            #expect(server.ruleViolations.isEmpty, "\(server.ruleViolations.prefix(3))")

            var links: [String: (String?, Int?)] = [:]
            switch api {
            case .otel:
                for span in server.spans {
                    let name = span.attributes.first { $0.key == "langfuse.observation.prompt.name" }?.value.stringValue
                    let version = span.attributes.first { $0.key == "langfuse.observation.prompt.version" }?.value.intValue
                    links[span.name] = (name, version.map { Int($0) })
                }
            case .ingestion:
                for event in server.events where event["type"] as? String == "generation-create" {
                    let body = event["body"] as? [String: Any] ?? [:]
                    links[body["name"] as? String ?? ""] = (body["promptName"] as? String, body["promptVersion"] as? Int)
                }
            }
            #expect(links["linked"]?.0 == "support" && links["linked"]?.1 == 7)
            #expect(links["set"]?.0 == "support" && links["set"]?.1 == 7)
            #expect(links["unlinked"] != nil && links["unlinked"]?.0 == nil && links["unlinked"]?.1 == nil)
        }
    }
}
