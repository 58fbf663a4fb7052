import Testing
import TracezTestSupport

@testable import Tracez

/// The active span follows Swift concurrency through the task-local `ServiceContext`.
@Suite(.timeLimit(.minutes(3))) struct TaskContextTests {
    private func child(_ tracer: Tracer, _ name: String) async {
        await tracer.withSpan(name) { _ in
            await Task.yield()
        }
    }

    private func parents(in records: [SpanRecord]) -> [String: String] {
        let names = Dictionary(records.map { ($0.spanID, $0.name) }, uniquingKeysWith: { first, _ in first })
        return Dictionary(
            records.map { ($0.name, $0.parentSpanID.flatMap { names[$0] } ?? "none") },
            uniquingKeysWith: { first, _ in first }
        )
    }

    @Test func parentSurvivesAwait() async throws {
        let (tracer, collector) = try makeTracer()
        await tracer.withSpan("root") { _ in
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(1))
            await child(tracer, "after await")
        }
        #expect(parents(in: collector.takeAll()) == ["root": "none", "after await": "root"])
    }

    @Test func asyncLetChildrenHaveTheEnclosingParent() async throws {
        let (tracer, collector) = try makeTracer()
        await tracer.withSpan("root") { _ in
            async let first: Void = child(tracer, "first")
            async let second: Void = child(tracer, "second")
            _ = await (first, second)
        }
        #expect(parents(in: collector.takeAll()) == ["root": "none", "first": "root", "second": "root"])
    }

    @Test func taskGroupChildrenHaveTheEnclosingParent() async throws {
        let (tracer, collector) = try makeTracer()
        await tracer.withSpan("root") { _ in
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<4 {
                    group.addTask { await child(tracer, "worker \(index)") }
                }
            }
        }
        let records = collector.takeAll()
        #expect(records.count == 5)
        let map = parents(in: records)
        for index in 0..<4 { #expect(map["worker \(index)"] == "root") }
    }

    @Test func nestedWithSpanInsideAsyncLetKeepsItsOwnParent() async throws {
        let (tracer, collector) = try makeTracer()
        await tracer.withSpan("root") { _ in
            async let branch: Void = tracer.withSpan("branch") { _ in
                await child(tracer, "leaf")
            }
            await branch
        }
        #expect(parents(in: collector.takeAll()) == ["root": "none", "branch": "root", "leaf": "branch"])
    }

    @Test func unstructuredTaskInheritsTheContext() async throws {
        let (tracer, collector) = try makeTracer()
        await tracer.withSpan("root") { _ in
            await Task { await child(tracer, "in task") }.value
        }
        #expect(parents(in: collector.takeAll())["in task"] == "root")
    }

    @Test func detachedTaskWithoutTheContextStartsANewTrace() async throws {
        let (tracer, collector) = try makeTracer()
        await tracer.withSpan("root") { _ in
            await Task.detached { await child(tracer, "detached") }.value
        }
        let records = collector.takeAll()
        let detached = try #require(records.first { $0.name == "detached" })
        let root = try #require(records.first { $0.name == "root" })
        #expect(detached.parentSpanID == nil)
        #expect(detached.traceID != root.traceID)
    }

    @Test func detachedTaskGivenTheContextJoinsTheTrace() async throws {
        let (tracer, collector) = try makeTracer()
        await tracer.withSpan("root") { _ in
            let context = ServiceContext.current ?? .topLevel
            await Task.detached {
                await ServiceContext.withValue(context) { await child(tracer, "handed over") }
            }.value
        }
        #expect(parents(in: collector.takeAll())["handed over"] == "root")
    }

    @Test func explicitContextParameterChoosesTheParent() throws {
        let (tracer, collector) = try makeTracer()
        let parent = tracer.startSpan("parent")
        tracer.withSpan("explicit", context: parent.context) { _ in }
        parent.end()
        #expect(parents(in: collector.takeAll())["explicit"] == "parent")
    }
}
