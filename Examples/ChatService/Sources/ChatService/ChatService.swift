import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TracezBootstrap
import TracezLangfuse

/// Two roles of one executable:
///
///     ChatService backend  --port 8081
///     ChatService frontend --port 8080 --backend http://127.0.0.1:8081
///
/// `GET /chat?q=…` on the frontend asks the backend for the weather (AsyncHTTPClient, with
/// `traceparent` and `baggage` injected), records a generation with the typed Langfuse API, and answers.
/// Where spans go follows the environment (OTLP, Langfuse, or standard output). On SIGTERM or
/// SIGINT each process stops serving, flushes its spans and prints its counters, last line
/// `recorded=N exported=N dropped=N`.
@main
struct ChatService {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let role = arguments.first, ["frontend", "backend"].contains(role) else {
            FileHandle.standardError.write(Data("usage: ChatService frontend|backend --port N [--backend URL]\n".utf8))
            exit(2)
        }
        let port = Int(value(of: "--port", in: arguments) ?? "") ?? (role == "frontend" ? 8080 : 8081)
        let logger = Logger(label: "chat-service.\(role)")

        // The one line: tracer, pipelines and InstrumentationSystem, from the environment.
        var configuration = try TracezSystemConfiguration(environment: ProcessInfo.processInfo.environment, serviceName: "chat-\(role)")
        if role == "backend" {
            // The user and session the frontend sends in baggage, on every span of the backend.
            configuration.tracer.startHooks.append(TraceAttributesHook(readsBaggage: true))
        }
        let tracing = try TracezSystem.bootstrap(configuration, logger: logger)

        let router = Router()
        router.add(middleware: UserContextMiddleware(tracer: tracing.tracer))
        router.add(middleware: TracingMiddleware())
        // Made after the bootstrap: AsyncHTTPClient takes the global tracer when it is configured.
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        if role == "frontend" {
            let backend = value(of: "--backend", in: arguments) ?? "http://127.0.0.1:8081"
            router.get("chat") { request, _ -> String in
                let question = request.uri.queryParameters["q"].map(String.init) ?? "What should I wear?"
                // Who is asking travels with the call in its `baggage` header (UserContextMiddleware).
                let weather = try await client.execute(HTTPClientRequest(url: "\(backend)/weather"), timeout: .seconds(5))
                let forecast = String(buffer: try await weather.body.collect(upTo: 1 << 16))
                return await tracing.tracer.withGeneration("answer", model: "gpt-4o-mini", input: question) { generation in
                    let answer = "It will be \(forecast): take a coat."
                    generation.setOutput(answer)
                    generation.setUsage(input: 12, output: 9)
                    return answer
                }
            }
        } else {
            router.get("weather") { _, _ -> String in "sunny" }
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            // Tracing first: a ServiceGroup stops its services in reverse, so it flushes last.
            services: [tracing],
            logger: logger
        )
        try await app.runService()
        try await client.shutdown()
        print(tracing.tracer.statistics)
    }

    static func value(of option: String, in arguments: ArraySlice<String>) -> String? {
        guard let index = arguments.firstIndex(of: option), arguments.index(after: index) < arguments.endIndex else { return nil }
        return arguments[arguments.index(after: index)]
    }
}
