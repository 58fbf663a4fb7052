import Testing
import TracezTestSupport

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct WithBaggageTests {
    struct Failure: Error {}

    @Test func entriesAreVisibleInsideAndGoneAfter() {
        let inside = withBaggage(["tenant": "acme", "region": "eu"]) { Baggage.current }
        #expect(inside.entries == [Baggage.Entry(key: "tenant", value: "acme"), Baggage.Entry(key: "region", value: "eu")])
        #expect(Baggage.current.isEmpty)
        #expect(ServiceContext.current?.baggage == nil)
    }

    @Test func nestedCallsMergeAndTheInnerValueWins() {
        withBaggage(["a": "1", "b": "2"]) {
            let inner = withBaggage(["b": "3", "c": "4"]) { Baggage.current }
            #expect(inner.headerValue == "a=1,b=3,c=4")
            #expect(Baggage.current.headerValue == "a=1,b=2")
        }
    }

    @Test func nilRemovesTheKey() {
        withBaggage(["a": "1", "b": "2"]) {
            let inner = withBaggage(["a": nil, "missing": nil]) { Baggage.current }
            #expect(inner.entries.map(\.key) == ["b"])
            #expect(Baggage.current["a"] == "1")
        }
    }

    @Test func laterPairsForTheSameKeyWin() {
        #expect(withBaggage(["a": "1", "a": "2"]) { Baggage.current["a"] } == "2")
        #expect(withBaggage(["a": "1", "a": nil]) { Baggage.current.isEmpty })
    }

    @Test func entriesAreSetOnTheCurrentContextKeepingItsSpanAndOtherBaggage() throws {
        let tracer = Tracez.Tracer()
        var context = ServiceContext.topLevel
        context.baggage = Baggage(header: "remote=1;p")
        try ServiceContext.withValue(context) {
            try tracer.withSpan("request") { span in
                let inner = try #require(withBaggage(["local": "2"]) { ServiceContext.current })
                #expect(inner.spanContext == span.spanContext)
                #expect(inner.baggage?.headerValue == "remote=1;p,local=2")
            }
        }
    }

    @Test func asyncOverloadKeepsEntriesAcrossSuspension() async {
        let value = await withBaggage(["a": "1"]) {
            await Task.yield()
            return Baggage.current["a"]
        }
        #expect(value == "1")
        #expect(Baggage.current.isEmpty)
    }

    @Test func syncOverloadRunsInASynchronousFunction() {
        func synchronous() -> String? {
            withBaggage(["a": "1"]) { Baggage.current["a"] }
        }
        #expect(synchronous() == "1")
    }

    @Test func bothOverloadsRethrow() async {
        #expect(throws: Failure.self) {
            try withBaggage(["a": "1"]) { throw Failure() }
        }
        await #expect(throws: Failure.self) {
            try await withBaggage(["a": "1"]) {
                await Task.yield()
                throw Failure()
            }
        }
    }

    @Test func asyncLetChildTasksInheritTheEntries() async {
        await withBaggage(["tenant": "acme"]) {
            async let first = Baggage.current["tenant"]
            async let second = withBaggage(["tenant": "other"]) { Baggage.current["tenant"] }
            let values = await [first, second]
            #expect(values == ["acme", "other"])
            #expect(Baggage.current["tenant"] == "acme")
        }
    }

    @Test func taskGroupChildrenInheritTheEntries() async {
        let values = await withBaggage(["tenant": "acme"]) {
            await withTaskGroup(of: String?.self) { group in
                for _ in 0..<4 {
                    group.addTask { Baggage.current["tenant"] }
                }
                var values: [String?] = []
                for await value in group { values.append(value) }
                return values
            }
        }
        #expect(values == Array(repeating: "acme", count: 4))
    }

    @Test func actorIsolatedCallersKeepTheirIsolation() async {
        actor Counter {
            var count = 0
            func incrementWithBaggage() async -> String? {
                await withBaggage(["tenant": "acme"]) {
                    await Task.yield()
                    count += 1  // isolated state, reachable because the closure runs on the actor
                    return Baggage.current["tenant"]
                }
            }
        }
        let counter = Counter()
        #expect(await counter.incrementWithBaggage() == "acme")
        #expect(await counter.count == 1)
    }
}
