import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct SpanStartHookTests {
    enum Tenant {
        @TaskLocal static var id: String?
    }

    /// Sets `tenant.id` from the task, and notes each span it saw with its parent in the context.
    final class TenantHook: SpanStartHook {
        let seen = SanitizedMutex<[(name: String, parent: SpanID?)]>([])
        func spanDidStart(_ span: Tracez.Span, in context: ServiceContext) {
            if let tenant = Tenant.id { span.attributes["tenant.id"] = tenant }
            seen.withLock { $0.append((span.operationName, context.spanContext?.spanID)) }
        }
    }

    /// Writes its mark over whatever the hook before it wrote.
    struct Overwrite: SpanStartHook {
        let mark: String
        func spanDidStart(_ span: Tracez.Span, in context: ServiceContext) { span.attributes["order"] = mark }
    }

    @Test func aHookSeesEverySpanWithItsContextAndItsAttributesAreKept() throws {
        let hook = TenantHook()
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(serviceName: "hooks", startHooks: [hook]))
        Tenant.$id.withValue("acme") {
            tracer.withSpan("request", ofKind: .server) { request in
                tracer.withSpan("query", ofKind: .client) { _ in }
                #expect(request.attributes.get("tenant.id") == .string("acme"))
            }
        }
        tracer.withSpan("outside") { _ in }
        let records = collector.takeAll()
        #expect(records.map(\.name) == ["query", "request", "outside"])
        #expect(records.map { $0.attributes.get("tenant.id") } == [.string("acme"), .string("acme"), nil])
        let seen = hook.seen.withLock { $0 }
        #expect(seen.map(\.name) == ["request", "query", "outside"])
        // The context is the one the span started in: the query's holds its parent, the request.
        #expect(seen[1].parent == records[1].spanID)
        #expect(seen[0].parent == nil && seen[2].parent == nil)
    }

    @Test func hooksRunInOrder() throws {
        let hooks: [any SpanStartHook] = [Overwrite(mark: "first"), Overwrite(mark: "second")]
        let (tracer, collector) = try makeTracer(configuration: TracerConfiguration(serviceName: "hooks", startHooks: hooks))
        tracer.withSpan("span") { _ in }
        #expect(collector.takeAll().first?.attributes.get("order") == .string("second"))
    }

    @Test func aHookNeverSeesASpanTheSamplerLeftOut() throws {
        let hook = TenantHook()
        let configuration = TracerConfiguration(serviceName: "hooks", sampler: .alwaysOff, startHooks: [hook])
        let (tracer, collector) = try makeTracer(configuration: configuration)
        tracer.withSpan("sampled out") { span in #expect(!span.isRecording) }
        #expect(hook.seen.withLock { $0.isEmpty })
        #expect(collector.takeAll().isEmpty)
    }
}
