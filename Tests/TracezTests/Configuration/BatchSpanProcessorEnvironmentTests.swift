import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct BatchSpanProcessorEnvironmentTests {
    @Test func emptyEnvironmentKeepsTheDefaults() throws {
        let export = try ExportConfiguration(environment: [:])
        #expect(export.interval == ExportConfiguration().interval)
        #expect(export.maxBatchSize == 512)
        #expect(export.exportTimeout == .seconds(30))
        let collector = try CollectorConfiguration(name: "otlp", environment: ["OTEL_BSP_MAX_QUEUE_SIZE": "  "])
        #expect(collector.name == "otlp")
        #expect(collector.capacity == CollectorConfiguration().capacity)
    }

    @Test func everyVariableReachesItsField() throws {
        let environment = [
            "OTEL_BSP_SCHEDULE_DELAY": "250",
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "64",
            "OTEL_BSP_EXPORT_TIMEOUT": " 1500 ",
            "OTEL_BSP_MAX_QUEUE_SIZE": "8192",
        ]
        let export = try ExportConfiguration(environment: environment)
        #expect(export.interval == .milliseconds(250))
        #expect(export.maxBatchSize == 64)
        #expect(export.exportTimeout == .milliseconds(1500))
        try export.validate()
        #expect(try CollectorConfiguration(name: "c", environment: environment).capacity == 8192)
    }

    @Test(arguments: [
        ("OTEL_BSP_SCHEDULE_DELAY", "0"),
        ("OTEL_BSP_SCHEDULE_DELAY", "5s"),
        ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "-1"),
        ("OTEL_BSP_EXPORT_TIMEOUT", "1e3"),
        ("OTEL_BSP_EXPORT_TIMEOUT", "99999999999999999999"),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "0"),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "lots"),
    ])
    func malformedValuesNameTheVariable(_ name: String, _ raw: String) {
        #expect {
            _ = try ExportConfiguration(environment: [name: raw])
            _ = try CollectorConfiguration(name: "c", environment: [name: raw])
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let variable = failure.name, let value = failure.value
            else { return false }
            return variable == name && value == raw && "\(error)".contains(name)
        }
    }
}
