import Testing

@testable import Tracez

@Suite(.timeLimit(.minutes(3))) struct TracerConfigurationTests {
    @Test func emptyEnvironmentKeepsTheDefaults() throws {
        let configuration = try TracerConfiguration(environment: [:])
        #expect(configuration.serviceName == "unknown_service")
        #expect(configuration.sampler == .parentBased(root: .alwaysOn))
        #expect(configuration.isEnabled)
        #expect(configuration.limits == SpanLimits())
        #expect(configuration.resourceAttributes.isEmpty)
    }

    @Test func serviceNameWinsOverTheResourceAttribute() throws {
        let both = try TracerConfiguration(environment: [
            "OTEL_SERVICE_NAME": "checkout",
            "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource",
        ])
        #expect(both.serviceName == "checkout")
        let resourceOnly = try TracerConfiguration(environment: ["OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource"])
        #expect(resourceOnly.serviceName == "from-resource")
    }

    @Test func sdkDisabledTakesOneAndZeroAsEveryTracezFlagDoes() throws {
        #expect(try TracerConfiguration(environment: ["OTEL_SDK_DISABLED": " 1 "]).isEnabled == false)
        #expect(try TracerConfiguration(environment: ["OTEL_SDK_DISABLED": "0"]).isEnabled)
    }

    @Test func resourceAttributesArePercentDecoded() throws {
        let configuration = try TracerConfiguration(environment: [
            "OTEL_RESOURCE_ATTRIBUTES": " deployment.environment = prod , team=llm%20platform,note=a%2Cb%3Dc "
        ])
        let attributes = configuration.resourceAttributes
        #expect(attributes.get("deployment.environment") == .string("prod"))
        #expect(attributes.get("team") == .string("llm platform"))
        #expect(attributes.get("note") == .string("a,b=c"))
    }

    @Test(arguments: ["novalue", "=empty-key", "bad=%zz", "bad=%e9"])
    func malformedResourceAttributesNameTheVariable(_ raw: String) {
        #expect {
            try TracerConfiguration(environment: ["OTEL_RESOURCE_ATTRIBUTES": raw])
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let name = failure.name
            else { return false }
            return name == "OTEL_RESOURCE_ATTRIBUTES"
        }
    }

    @Test(arguments: [
        ("always_on", Sampler.alwaysOn),
        ("always_off", .alwaysOff),
        ("traceidratio", .traceIDRatio(0.25)),
        ("parentbased_always_on", .parentBased(root: .alwaysOn)),
        ("parentbased_always_off", .parentBased(root: .alwaysOff)),
        ("PARENTBASED_TRACEIDRATIO", .parentBased(root: .traceIDRatio(0.25))),
    ])
    func samplerNamesMapToSamplers(name: String, expected: Sampler) throws {
        let configuration = try TracerConfiguration(environment: [
            "OTEL_TRACES_SAMPLER": name,
            "OTEL_TRACES_SAMPLER_ARG": "0.25",
        ])
        #expect(configuration.sampler == expected)
    }

    @Test(arguments: [
        ["OTEL_TRACES_SAMPLER": "sometimes"],
        ["OTEL_TRACES_SAMPLER_ARG": "1.5"],
        ["OTEL_TRACES_SAMPLER_ARG": "half"],
        ["OTEL_SDK_DISABLED": "yes"],
        ["OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT": "-1"],
        ["OTEL_SPAN_EVENT_COUNT_LIMIT": "lots"],
    ])
    func malformedValuesThrowAndNameTheirVariable(environment: [String: String]) {
        let variable = environment.keys.first!
        #expect {
            try TracerConfiguration(environment: environment)
        } throws: { error in
            guard let failure = error as? TracezError, failure.code == .invalidEnvironmentVariable,
                let name = failure.name
            else { return false }
            return name == variable && "\(error)".contains(variable)
        }
    }

    @Test func sdkDisabledTurnsTheTracerOff() throws {
        #expect(try TracerConfiguration(environment: ["OTEL_SDK_DISABLED": "TRUE"]).isEnabled == false)
        #expect(try TracerConfiguration(environment: ["OTEL_SDK_DISABLED": "false"]).isEnabled)
    }

    @Test func limitsComeFromTheSpanVariablesFirst() throws {
        let configuration = try TracerConfiguration(environment: [
            "OTEL_ATTRIBUTE_COUNT_LIMIT": "7",
            "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT": "9",
            "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT": "100",
            "OTEL_SPAN_EVENT_COUNT_LIMIT": "3",
            "OTEL_SPAN_LINK_COUNT_LIMIT": "2",
            "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT": "1",
        ])
        #expect(configuration.limits == SpanLimits(maxAttributes: 9, maxAttributeValueBytes: 100, maxEvents: 3, maxLinks: 2, maxAttributesPerEvent: 1))
    }

    @Test func blankValuesCountAsUnset() throws {
        let configuration = try TracerConfiguration(environment: ["OTEL_SERVICE_NAME": "  ", "OTEL_TRACES_SAMPLER": ""])
        #expect(configuration.serviceName == "unknown_service")
        #expect(configuration.sampler == .parentBased(root: .alwaysOn))
    }
}
