import Benchmark
import BenchmarkWorkloads
import Foundation
import OTLPProto
import Tracez
// The encoders, Gzip and LangfuseIngestionEncoder are SPI: public for these benchmarks only.
@_spi(Benchmarks) import TracezLangfuse
@_spi(Benchmarks) import TracezOTLP

// The export side: encoding a batch and compressing it. Each sample encodes one batch of
// 1000 records (`scalingFactor: .kilo`), so the figures per operation are per span.
// Bytes per span are printed as custom metrics from the same batch.

func encodingBenchmarks() {
    let resource = OTLPResource(serviceName: "benchmarks")

    // The same spans with their attributes set through the standard setters, and through the
    // typed ones (issue 16): the encoder writes typed values as they are stored
    // (`SpanRecord.forEachTypedAttribute`).
    let protobufWorkloads: [(name: String, workload: @Sendable (Tracez.Tracer) -> Void)] = [
        ("OTLP protobuf encode, 4 attributes + event (per span)", { Workloads.spanWithAttributesAndEvent($0) }),
        ("OTLP protobuf encode, 4 typed attributes + event (per span)", { TypedWorkloads.spanWithAttributesAndEvent($0) }),
    ]
    for (name, workload) in protobufWorkloads {
        Benchmark(
            name,
            configuration: .init(
                metrics: [
                    .wallClock, .cpuTotal, .mallocCountTotal, .throughput,
                    .custom("bytes per span", polarity: .prefersSmaller, useScalingFactor: false),
                ],
                thresholds: Thresholds.hotPath
            )
        ) { benchmark in
            let encoder = OTLPProtobufEncoder(resource: resource)
            let batch = EncodingFixtures.batch(benchmark.scaledIterations.count, of: workload)
            benchmark.startMeasurement()
            let bytes = encoder.encode(batch)
            benchmark.stopMeasurement()
            benchmark.measurement(.custom("bytes per span"), bytes.count / batch.count)
            blackHole(bytes)
        }
    }

    // The same batch through swift-protobuf's generated types: build the messages from the
    // records, then serialize. This is what OTLPProtobufEncoder was measured against.
    Benchmark(
        "OTLP protobuf encode via swift-protobuf generated types (per span)",
        configuration: .init(
            metrics: [
                .wallClock, .cpuTotal, .mallocCountTotal, .throughput,
                .custom("bytes per span", polarity: .prefersSmaller, useScalingFactor: false),
            ]
        )
    ) { benchmark in
        let batch = EncodingFixtures.batch(benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        let bytes: [UInt8] = try GeneratedTypesEncoder.encode(batch, resource: resource)
        benchmark.stopMeasurement()
        benchmark.measurement(.custom("bytes per span"), bytes.count / batch.count)
        blackHole(bytes)
    }

    Benchmark(
        "OTLP JSON encode, 4 attributes + event (per span)",
        configuration: .init(
            metrics: [
                .wallClock, .cpuTotal, .mallocCountTotal, .throughput,
                .custom("bytes per span", polarity: .prefersSmaller, useScalingFactor: false),
            ]
        )
    ) { benchmark in
        let encoder = OTLPJSONEncoder(resource: resource)
        let batch = EncodingFixtures.batch(benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        let bytes = encoder.encode(batch)
        benchmark.stopMeasurement()
        benchmark.measurement(.custom("bytes per span"), bytes.count / batch.count)
        blackHole(bytes)
    }

    // A generation as the typed Langfuse API records it, as ingestion events (the legacy API).
    Benchmark(
        "Langfuse ingestion JSON encode, generation (per event)",
        configuration: .init(
            metrics: [
                .wallClock, .cpuTotal, .mallocCountTotal, .throughput,
                .custom("bytes per event", polarity: .prefersSmaller, useScalingFactor: false),
            ]
        )
    ) { benchmark in
        let encoder = LangfuseIngestionEncoder()
        let batch = EncodingFixtures.generations(benchmark.scaledIterations.count)
        precondition(encoder.eventCount(batch) == batch.count, "one event per generation (none is a root)")
        benchmark.startMeasurement()
        let bytes = encoder.encode(batch)
        benchmark.stopMeasurement()
        benchmark.measurement(.custom("bytes per event"), bytes.count / batch.count)
        blackHole(bytes)
    }

    // zlib's default level 6 and level 1, the one OTLPHTTPExporter uses.
    for level: Int32 in [1, 6] {
        Benchmark(
            "gzip level \(level) of an OTLP protobuf batch (per span)",
            configuration: .init(
                metrics: [
                    .wallClock, .cpuTotal, .mallocCountTotal, .throughput,
                    .custom("compressed bytes per span", polarity: .prefersSmaller, useScalingFactor: false),
                    .custom("ratio x1000", polarity: .prefersSmaller, useScalingFactor: false),
                ]
            )
        ) { benchmark in
            let batch = EncodingFixtures.batch(benchmark.scaledIterations.count)
            let bytes = OTLPProtobufEncoder(resource: resource).encode(batch)
            benchmark.startMeasurement()
            let compressed = try Gzip.compress(bytes, level: level)
            benchmark.stopMeasurement()
            benchmark.measurement(.custom("compressed bytes per span"), compressed.count / batch.count)
            benchmark.measurement(.custom("ratio x1000"), compressed.count * 1000 / bytes.count)
            blackHole(compressed)
        }
    }
}

enum EncodingFixtures {
    /// `count` generations with model, usage, cost, prompt, input and output, each the child of a root (not in the batch).
    static func generations(_ count: Int) -> [SpanRecord] {
        let collector = try! Collector(configuration: CollectorConfiguration(name: "generations", capacity: count + 1))
        let tracer = Tracer(collectors: [collector])
        let root = tracer.startSpan("request")
        ServiceContext.withValue(root.context) {
            for _ in 0..<count {
                let span = tracer.startSpan("chat")
                let generation = Observation(span)
                generation.setType(.generation)
                generation.setModel("gpt-4o")
                generation.setInput([["role": "user", "content": "What should I pack for Lisbon?"]])
                generation.setOutput("Light clothes and a jacket for the evening.")
                generation.setUsage(input: 412, output: 38, total: 450)
                generation.setCost(input: 0.0000618, output: 0.0000228)
                generation.setPrompt(name: "travel-assistant", version: 3)
                span.end()
            }
        }
        let batch = collector.drain(max: count)
        let records = batch.records
        batch.markExported()
        return records
    }

    /// `count` records as `workload` makes them (by default the 4-attribute workload through
    /// the standard setters), in distinct traces and spans.
    static func batch(
        _ count: Int,
        of workload: (Tracez.Tracer) -> Void = { Workloads.spanWithAttributesAndEvent($0) }
    ) -> [SpanRecord] {
        let collector = try! Collector(configuration: CollectorConfiguration(name: "encode", capacity: count))
        let tracer = Tracer(collectors: [collector])
        for _ in 0..<count { workload(tracer) }
        let batch = collector.drain(max: count)
        let records = batch.records
        batch.markExported()
        return records
    }
}

/// An OTLP request built with swift-protobuf's generated message types, field for field what
/// OTLPProtobufEncoder writes (the comparison in its doc comment).
enum GeneratedTypesEncoder {
    typealias KeyValue = Opentelemetry_Proto_Common_V1_KeyValue
    typealias AnyValue = Opentelemetry_Proto_Common_V1_AnyValue

    static func encode(_ records: [SpanRecord], resource: OTLPResource) throws -> [UInt8] {
        var request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
        var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        resourceSpans.resource.attributes = keyValues(resource.attributes)
        var scopeSpans = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scopeSpans.scope.name = OTLPInstrumentationScope.tracez.name
        scopeSpans.scope.version = OTLPInstrumentationScope.tracez.version ?? ""
        scopeSpans.spans.reserveCapacity(records.count)
        for record in records {
            var span = Opentelemetry_Proto_Trace_V1_Span()
            span.traceID = Data(record.traceID.bytes)
            span.spanID = Data(record.spanID.bytes)
            if let parent = record.parentSpanID { span.parentSpanID = Data(parent.bytes) }
            if !record.context.traceState.isEmpty { span.traceState = record.context.traceState.headerValue }
            span.flags = UInt32(record.context.traceFlags.rawValue) | 0x100 | (record.parentIsRemote ? 0x200 : 0)
            span.name = record.name
            span.kind = Opentelemetry_Proto_Trace_V1_Span.SpanKind(rawValue: kind(record.kind)) ?? .internal
            span.startTimeUnixNano = record.startNanoseconds
            span.endTimeUnixNano = record.endNanoseconds
            span.attributes = keyValues(record.attributes)
            span.droppedAttributesCount = UInt32(clamping: record.droppedAttributeCount)
            record.forEachEvent { event in
                var message = Opentelemetry_Proto_Trace_V1_Span.Event()
                message.timeUnixNano = event.nanoseconds
                message.name = event.name
                message.attributes = keyValues(event.attributes)
                message.droppedAttributesCount = UInt32(clamping: event.droppedAttributeCount)
                span.events.append(message)
            }
            if let status = record.status {
                span.status.code = status.code == .ok ? .ok : .error
                span.status.message = status.message ?? ""
            }
            scopeSpans.spans.append(span)
        }
        resourceSpans.scopeSpans = [scopeSpans]
        request.resourceSpans = [resourceSpans]
        return try request.serializedBytes()
    }

    static func kind(_ kind: SpanKind) -> Int {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    static func keyValues(_ attributes: SpanAttributes) -> [KeyValue] {
        var result: [KeyValue] = []
        result.reserveCapacity(attributes.count)
        attributes.forEach { key, attribute in
            var keyValue = KeyValue()
            keyValue.key = key
            var value = AnyValue()
            switch attribute {
            case .string(let string): value.stringValue = string
            case .int32(let int): value.intValue = Int64(int)
            case .int64(let int): value.intValue = int
            case .double(let double): value.doubleValue = double
            case .bool(let bool): value.boolValue = bool
            default: value.stringValue = "\(attribute)"  // arrays: not in this workload
            }
            keyValue.value = value
            result.append(keyValue)
        }
        return result
    }
}
