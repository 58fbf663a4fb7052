import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct CollectorFilterTests {
    private let accept = CollectorFilter { _ in true }
    private let reject = CollectorFilter { _ in false }

    @Test func customClosureDecides() {
        let short = CollectorFilter { $0.name.count <= 3 }
        #expect(short(makeRecord(name: "get")))
        #expect(!short(makeRecord(name: "query")))
    }

    @Test func namePrefixAcceptsOnlyNamesStartingWithIt() {
        let filter = CollectorFilter.namePrefix("db.")

        #expect(filter(makeRecord(name: "db.query")))
        #expect(filter(makeRecord(name: "db.")))
        #expect(!filter(makeRecord(name: "http.get")))
        #expect(!filter(makeRecord(name: "mydb.query")))
        #expect(!filter(makeRecord(name: "DB.query")))
        #expect(!filter(makeRecord(name: "db")))
    }

    @Test func emptyNamePrefixAcceptsEveryName() {
        #expect(CollectorFilter.namePrefix("")(makeRecord(name: "anything")))
        #expect(CollectorFilter.namePrefix("")(makeRecord(name: "")))
    }

    @Test(arguments: [
        SpanAttribute.string("u-42"), .int64(42), .int32(7), .double(0.5), .bool(false), .stringArray([]),
    ])
    func hasAttributeAcceptsTheKeyWithAnyValue(value: SpanAttribute) {
        let filter = CollectorFilter.hasAttribute("user.id")

        #expect(filter(makeRecord(name: "a", attributes: ["user.id": value])))
        #expect(!filter(makeRecord(name: "b", attributes: ["user.name": value])))
        #expect(!filter(makeRecord(name: "c")))
    }

    @Test func attributeEqualsAcceptsOnlyThatValue() {
        let filter = CollectorFilter.attribute("http.status_code", equals: .int64(500))

        #expect(filter(makeRecord(name: "a", attributes: ["http.status_code": .int64(500)])))
        #expect(filter(makeRecord(name: "b", attributes: ["http.status_code": .int64(500), "other": "x"])))
        #expect(!filter(makeRecord(name: "c", attributes: ["http.status_code": .int64(200)])))
        #expect(!filter(makeRecord(name: "d", attributes: ["http.status_code": .string("500")])))
        #expect(!filter(makeRecord(name: "e", attributes: ["status": .int64(500)])))
        #expect(!filter(makeRecord(name: "f")))
    }

    @Test func attributeEqualsComparesStrings() {
        let filter = CollectorFilter.attribute("llm.model", equals: "gpt-4o")

        #expect(filter(makeRecord(name: "a", attributes: ["llm.model": "gpt-4o"])))
        #expect(!filter(makeRecord(name: "b", attributes: ["llm.model": "gpt-4o-mini"])))
    }

    @Test func errorsAcceptsOnlyErrorStatus() {
        let filter = CollectorFilter.errors

        #expect(filter(makeRecord(name: "failed", status: SpanStatus(code: .error, message: "boom"))))
        #expect(filter(makeRecord(name: "failed quietly", status: SpanStatus(code: .error))))
        #expect(!filter(makeRecord(name: "fine", status: SpanStatus(code: .ok))))
        #expect(!filter(makeRecord(name: "unset")))
    }

    @Test(arguments: [SpanKind.client, .server, .producer, .consumer, .internal])
    func kindAcceptsOnlyThatKind(kind: SpanKind) {
        let filter = CollectorFilter.kind(kind)
        for other in [SpanKind.client, .server, .producer, .consumer, .internal] {
            #expect(filter(makeRecord(name: "span", kind: other)) == (other == kind), "\(other)")
        }
    }

    @Test func allNeedsEveryFilterToAccept() {
        let slowClientErrors = CollectorFilter.all([.kind(.client), .errors, .namePrefix("http.")])
        let error = SpanStatus(code: .error)

        #expect(slowClientErrors(makeRecord(name: "http.get", kind: .client, status: error)))
        #expect(!slowClientErrors(makeRecord(name: "http.get", kind: .server, status: error)))
        #expect(!slowClientErrors(makeRecord(name: "http.get", kind: .client)))
        #expect(!slowClientErrors(makeRecord(name: "db.query", kind: .client, status: error)))
    }

    @Test func anyNeedsOneFilterToAccept() {
        let interesting = CollectorFilter.any([.errors, .hasAttribute("debug")])

        #expect(interesting(makeRecord(name: "a", status: SpanStatus(code: .error))))
        #expect(interesting(makeRecord(name: "b", attributes: ["debug": true])))
        #expect(interesting(makeRecord(name: "c", attributes: ["debug": true], status: SpanStatus(code: .error))))
        #expect(!interesting(makeRecord(name: "d")))
    }

    @Test func emptyAllAcceptsEverythingAndEmptyAnyRejectsEverything() {
        let record = makeRecord(name: "span")
        #expect(CollectorFilter.all([])(record))
        #expect(!CollectorFilter.any([])(record))
    }

    @Test func combinatorsNestAndEvaluateEachFilter() {
        #expect(CollectorFilter.all([accept, accept])(makeRecord(name: "x")))
        #expect(!CollectorFilter.all([accept, reject])(makeRecord(name: "x")))
        #expect(CollectorFilter.any([reject, accept])(makeRecord(name: "x")))
        #expect(!CollectorFilter.any([reject, reject])(makeRecord(name: "x")))

        // Database spans, or errors anywhere, but never health checks.
        let nested = CollectorFilter.all([
            .any([.namePrefix("db."), .errors]),
            CollectorFilter { !$0.name.hasPrefix("health") },
        ])
        #expect(nested(makeRecord(name: "db.query")))
        #expect(nested(makeRecord(name: "http.get", status: SpanStatus(code: .error))))
        #expect(!nested(makeRecord(name: "http.get")))
        #expect(!nested(makeRecord(name: "health.check", status: SpanStatus(code: .error))))
    }
}
