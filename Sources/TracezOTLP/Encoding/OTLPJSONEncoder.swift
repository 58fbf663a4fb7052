import Tracez

/// Encodes finished spans as an OTLP `ExportTraceServiceRequest` in OTLP/JSON
/// (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`).
///
/// Follows the OTLP JSON rules (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
/// lowerCamelCase field names, trace and span ids as lowercase hex (not base64), enums as
/// integers, 64-bit integers and times as decimal strings, default values left out.
/// Doubles that JSON cannot hold are written as proto3 JSON does: `"NaN"`, `"Infinity"`,
/// `"-Infinity"`. The same grouping as ``OTLPProtobufEncoder``: one resource, one scope.
///
/// Thread-safety: a value with no mutable state; `encode` may run on any number of tasks at once.
public struct OTLPJSONEncoder: Sendable {
    public let resource: OTLPResource
    public let scope: OTLPInstrumentationScope

    public init(resource: OTLPResource, scope: OTLPInstrumentationScope = .tracez) {
        self.resource = resource
        self.scope = scope
    }

    /// The request for `records`, as UTF-8 JSON.
    public func encode(_ records: [SpanRecord]) -> [UInt8] {
        var json = JSONWriter()
        json.object { json in
            json.member("resourceSpans") { json in
                json.array(CollectionOfOne(())) { json, _ in
                    json.object { json in
                        json.member("resource") { json in
                            json.object { json in Self.attributes(resource.attributes, into: &json) }
                        }
                        json.member("scopeSpans") { json in
                            json.array(CollectionOfOne(())) { json, _ in
                                json.object { json in
                                    json.member("scope") { json in
                                        json.object { json in
                                            if !scope.name.isEmpty { json.member("name") { $0.string(scope.name) } }
                                            if let version = scope.version, !version.isEmpty {
                                                json.member("version") { $0.string(version) }
                                            }
                                        }
                                    }
                                    json.member("spans") { json in
                                        json.array(records) { json, record in Self.span(record, into: &json) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Array(json.text.utf8)
    }

    static func span(_ record: SpanRecord, into json: inout JSONWriter) {
        json.object { json in
            let context = record.context
            json.member("traceId") { $0.string(context.traceID.hexString) }
            json.member("spanId") { $0.string(context.spanID.hexString) }
            if !context.traceState.isEmpty { json.member("traceState") { $0.string(context.traceState.headerValue) } }
            if let parent = record.parentSpanID { json.member("parentSpanId") { $0.string(parent.hexString) } }
            json.member("flags") { $0.number(OTLPProtobufEncoder.flags(context.traceFlags, isRemote: record.parentIsRemote)) }
            if !record.name.isEmpty { json.member("name") { $0.string(record.name) } }
            json.member("kind") { $0.number(OTLPProtobufEncoder.kind(record.kind)) }
            if record.startNanoseconds != 0 { json.member("startTimeUnixNano") { $0.string(String(record.startNanoseconds)) } }
            if record.endNanoseconds != 0 { json.member("endTimeUnixNano") { $0.string(String(record.endNanoseconds)) } }
            attributes(record.attributes, into: &json)
            count("droppedAttributesCount", record.droppedAttributeCount, into: &json)
            if record.eventCount > 0 {
                json.member("events") { json in
                    json.array(record.events) { json, event in
                        json.object { json in
                            if event.nanoseconds != 0 { json.member("timeUnixNano") { $0.string(String(event.nanoseconds)) } }
                            if !event.name.isEmpty { json.member("name") { $0.string(event.name) } }
                            attributes(event.attributes, into: &json)
                            count("droppedAttributesCount", event.droppedAttributeCount, into: &json)
                        }
                    }
                }
            }
            count("droppedEventsCount", record.droppedEventCount, into: &json)
            let links = record.links
            if !links.isEmpty {
                json.member("links") { json in
                    json.array(links) { json, link in
                        json.object { json in
                            json.member("traceId") { $0.string(link.context.traceID.hexString) }
                            json.member("spanId") { $0.string(link.context.spanID.hexString) }
                            if !link.context.traceState.isEmpty {
                                json.member("traceState") { $0.string(link.context.traceState.headerValue) }
                            }
                            attributes(link.attributes, into: &json)
                            count("droppedAttributesCount", link.droppedAttributeCount, into: &json)
                            json.member("flags") {
                                $0.number(OTLPProtobufEncoder.flags(link.context.traceFlags, isRemote: link.context.isRemote))
                            }
                        }
                    }
                }
            }
            count("droppedLinksCount", record.droppedLinkCount, into: &json)
            if let status = record.status {
                json.member("status") { json in
                    json.object { json in
                        if let message = status.message, !message.isEmpty { json.member("message") { $0.string(message) } }
                        json.member("code") { $0.number(OTLPProtobufEncoder.statusCode(status.code)) }
                    }
                }
            }
        }
    }

    static func count(_ name: String, _ count: Int, into json: inout JSONWriter) {
        guard count > 0 else { return }
        json.member(name) { $0.number(UInt32(clamping: count)) }
    }

    static func attributes(_ attributes: SpanAttributes, into json: inout JSONWriter) {
        guard !attributes.isEmpty else { return }
        json.member("attributes") { json in
            json.raw("[")
            var first = true
            attributes.forEach { key, value in
                if !first { json.raw(",") }
                first = false
                json.object { json in
                    json.member("key") { $0.string(key) }
                    json.member("value") { anyValue(value, into: &$0) }
                }
            }
            json.raw("]")
        }
    }

    static func anyValue(_ value: SpanAttribute, into json: inout JSONWriter) {
        json.object { json in
            switch value {
            case .string(let string): json.member("stringValue") { $0.string(string) }
            case .stringConvertible(let convertible): json.member("stringValue") { $0.string(String(describing: convertible)) }
            case .bool(let bool): json.member("boolValue") { $0.bool(bool) }
            case .int32(let int): json.member("intValue") { $0.string(String(int)) }
            case .int64(let int): json.member("intValue") { $0.string(String(int)) }
            case .double(let double): json.member("doubleValue") { number(double, into: &$0) }
            default:
                let elements = OTLPProtobufEncoder.elements(of: value)
                json.member("arrayValue") { json in
                    json.object { json in
                        if !elements.isEmpty {
                            json.member("values") { $0.array(elements) { json, element in anyValue(element, into: &json) } }
                        }
                    }
                }
            }
        }
    }

    /// proto3 JSON: finite doubles as numbers, the others as the strings its parsers read.
    static func number(_ double: Double, into json: inout JSONWriter) {
        if double.isNaN {
            json.string("NaN")
        } else if double.isInfinite {
            json.string(double > 0 ? "Infinity" : "-Infinity")
        } else {
            json.number(double)
        }
    }
}
