import Foundation
import Testing
import Tracez
import TracezOTLP
import TracezTestSupport

@testable import TracezLangfuse

/// A user's own recursive type, as an app or an LLM tool might build one.
final class Chain: Encodable, @unchecked Sendable {
    // @unchecked: built once by the test before it is shared, never changed after.
    let name: String
    let next: Chain?

    init(depth: Int) {
        var node: Chain? = nil
        for index in 0..<max(0, depth - 1) { node = Chain(name: "n\(index)", next: node) }
        name = "head"
        next = node
    }

    private init(name: String, next: Chain?) {
        self.name = name
        self.next = next
    }
}

/// Arrays in arrays, built without recursion.
func nestedArrays(depth: Int) -> JSONValue {
    var value = JSONValue.string("bottom")
    for _ in 0..<depth { value = .array([value]) }
    return value
}

/// Lets go of a value built deeper than any limit without one stack frame per level
/// (only a test builds such values: the library refuses them at ``JSONValue/defaultMaxDepth``).
func release(_ value: inout JSONValue) {
    let last = value
    value = .null
    JSONValue.releaseIteratively(last)
}

extension LangfuseTests {
    /// Values nested thousands of levels deep: never followed, never a crash; a counted marker.
    @Suite struct ValueDepthTests {
        @Test func aDeepJSONValueBecomesAMarkerAndIsCounted() async throws {
            let (tracer, collector, exporter) = try makeLangfuseTracer()
            let before = exporter.valueStatistics.truncated
            await tracer.withObservation("deep") { observation in
                observation.setInput(nestedArrays(depth: 5_000))
                observation.setOutput(nestedArrays(depth: 10))
            }
            #expect(exporter.valueStatistics.truncated == before + 1)
            let record = try #require(collector.takeAll().first)
            let marker = try #require(record.json(LangfuseAttributeName.input) as? [String: Any])
            #expect(marker["tracez.truncated"] as? Bool == true)
            #expect((marker["reason"] as? String)?.contains("deeper than 128") == true)
            #expect(record.string(LangfuseAttributeName.output)?.hasPrefix("[[[[[[[[[[\"bottom\"") == true)
        }

        @Test func aDeepRecursiveEncodableBecomesAMarker() async throws {
            let (tracer, collector, exporter) = try makeLangfuseTracer()
            let before = exporter.valueStatistics.truncated
            await tracer.withObservation("deep") { observation in
                observation.setOutput(Chain(depth: 50_000))
                observation.setMetadata("chain", Chain(depth: 20))
            }
            #expect(exporter.valueStatistics.truncated == before + 1)
            let record = try #require(collector.takeAll().first)
            let marker = try #require(record.json(LangfuseAttributeName.output) as? [String: Any])
            #expect(marker["tracez.truncated"] as? Bool == true)
            let shallow = try #require(record.json(LangfuseAttributeName.metadataPrefix + "chain") as? [String: Any])
            #expect(shallow["name"] as? String == "head")
        }

        @Test func theDepthLimitIsConfigurable() async throws {
            let (tracer, collector, _) = try makeLangfuseTracer(maxValueDepth: 3)
            await tracer.withObservation("limits") { observation in
                observation.setInput(nestedArrays(depth: 3))
                observation.setOutput(nestedArrays(depth: 4))
            }
            let record = try #require(collector.takeAll().first)
            #expect(record.string(LangfuseAttributeName.input) == #"[[["bottom"]]]"#)
            #expect((record.json(LangfuseAttributeName.output) as? [String: Any])?["tracez.truncated"] as? Bool == true)
            #expect(throws: LangfuseConfigurationError.self) {
                _ = try LangfuseConfiguration(publicKey: "pk-lf-1", secretKey: "sk-lf-1", baseURL: HTTPEndpoint("https://cloud.langfuse.com"), maxValueDepth: 0)
            }
        }

        @Test func aMaskThatAnswersWithADeepValueGetsAMarkerToo() async throws {
            let (tracer, collector, exporter) = try makeLangfuseTracer(mask: { _ in nestedArrays(depth: 100_000) })
            let before = exporter.valueStatistics.truncated
            await tracer.withObservation("masked", input: "plain") { _ in }
            #expect(exporter.valueStatistics.truncated == before + 1)
            let record = try #require(collector.takeAll().first)
            #expect((record.json(LangfuseAttributeName.input) as? [String: Any])?["tracez.truncated"] as? Bool == true)
        }

        @Test func walkingAnyValueNeverUsesTheCallStack() {
            // 200 000 levels: a recursive walk overflows the stack long before.
            var deep = nestedArrays(depth: 200_000)
            let deeperThanAllButOne = deep.isNested(deeperThan: 199_999)
            let deeperThanItself = deep.isNested(deeperThan: 200_000)
            let text = deep.jsonText
            let bound = deep.jsonBytesUpperBound
            var encodingThrewTooDeep = false
            do { _ = try JSONValue(encoding: deep) } catch is JSONValueEncoder.TooDeep { encodingThrewTooDeep = true } catch {}
            release(&deep)
            #expect(deeperThanAllButOne && !deeperThanItself)
            #expect(text.utf8.count == 2 * 200_000 + 8)
            #expect(text.hasPrefix("[[[[") && text.hasSuffix("]]]]"))
            #expect(bound >= text.utf8.count)
            #expect(encodingThrewTooDeep)
        }

        @Test func theParserRefusesDeepTextAndIngestionSendsItAsAString() {
            let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            #expect(JSONParser.parse(text) == nil)
            #expect(IngestionEncoder.json(text) == .string(text))
        }

        @Test func encodingMatchesJSONSerializationOnOrdinaryValues() throws {
            struct Message: Encodable {
                let role: String
                let content: [String: [Int]]
                let score: Double
                let flag: Bool?
                let missing: String?
            }
            let value = try JSONValue(encoding: [Message(role: "user", content: ["a": [1, 2]], score: 0.5, flag: true, missing: nil)])
            let parsed = try JSONSerialization.jsonObject(with: Data(value.jsonText.utf8)) as? [[String: Any]]
            let first = try #require(parsed?.first)
            #expect(first["role"] as? String == "user")
            #expect((first["content"] as? [String: [Int]])?["a"] == [1, 2])
            #expect(first["score"] as? Double == 0.5)
            #expect(first["flag"] as? Bool == true)
            #expect(first["missing"] == nil)
            #expect(try JSONValue(encoding: Double.nan) == .string("NaN"))
            #expect(try JSONValue(encoding: -Double.infinity) == .string("-Infinity"))
        }
    }
}
