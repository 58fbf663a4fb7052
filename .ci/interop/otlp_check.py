#!/usr/bin/env python3
"""Decodes OTLP/HTTP trace requests with the PyPI package opentelemetry-proto (a decoder Tracez
did not write) and checks them.

Usage:
  otlp_check.py demo DIRECTORY SPANS     requests captured by capture_server.py from `tracez demo`:
                                         every body decodes, SPANS spans in all, valid ids, every
                                         parent present, one resource and one scope per request.
  otlp_check.py expected DIRECTORY       files written by the Swift test suite (TRACEZ_CAPTURE_DIR):
                                         NAME.pb / NAME.pb.gz / NAME.json decode to the values in
                                         NAME.expected.json, field by field.
Exits non-zero with a message on the first mismatch.
"""
import base64
import glob
import gzip
import json
import math
import os
import sys

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


def fail(message):
    print(f"otlp_check: FAIL: {message}")
    sys.exit(1)


def hex_ids_to_base64(node):
    """OTLP/JSON writes trace and span ids as hex; protobuf's JSON parser wants base64."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("traceId", "spanId", "parentSpanId") and isinstance(value, str):
                try:
                    out[key] = base64.b64encode(bytes.fromhex(value)).decode()
                except ValueError:
                    fail(f"{key} {value!r} is not hex")
            else:
                out[key] = hex_ids_to_base64(value)
        return out
    if isinstance(node, list):
        return [hex_ids_to_base64(item) for item in node]
    return node


def decode(body, content_type, content_encoding):
    if (content_encoding or "").lower() == "gzip":
        body = gzip.decompress(body)
    request = ExportTraceServiceRequest()
    if "json" in (content_type or ""):
        document = json.loads(body.decode("utf-8"))
        json_format.ParseDict(hex_ids_to_base64(document), request)
    else:
        request.ParseFromString(body)
    return request


def check_ids(span, where):
    if len(span.trace_id) != 16 or span.trace_id == bytes(16):
        fail(f"{where}: bad trace id {span.trace_id.hex()}")
    if len(span.span_id) != 8 or span.span_id == bytes(8):
        fail(f"{where}: bad span id {span.span_id.hex()}")
    if span.parent_span_id and len(span.parent_span_id) != 8:
        fail(f"{where}: bad parent span id {span.parent_span_id.hex()}")


def check_demo(directory, expected_spans):
    spans = []
    requests = sorted(glob.glob(os.path.join(directory, "*.body")))
    if not requests:
        fail(f"no requests captured in {directory}")
    for path in requests:
        with open(path[: -len(".body")] + ".json") as f:
            meta = json.load(f)
        headers = {k.lower(): v for k, v in meta["headers"].items()}
        if meta["path"] != "/v1/traces":
            fail(f"{path}: posted to {meta['path']}")
        with open(path, "rb") as f:
            request = decode(f.read(), headers.get("content-type"), headers.get("content-encoding"))
        if len(request.resource_spans) != 1 or len(request.resource_spans[0].scope_spans) != 1:
            fail(f"{path}: expected one resource and one scope, got {request}")
        resource = {a.key: a.value.string_value for a in request.resource_spans[0].resource.attributes}
        if not resource.get("service.name") or resource.get("telemetry.sdk.name") != "tracez":
            fail(f"{path}: resource attributes {resource}")
        if request.resource_spans[0].scope_spans[0].scope.name != "tracez":
            fail(f"{path}: scope {request.resource_spans[0].scope_spans[0].scope}")
        for span in request.resource_spans[0].scope_spans[0].spans:
            check_ids(span, path)
            if span.end_time_unix_nano < span.start_time_unix_nano or span.start_time_unix_nano == 0:
                fail(f"{path}: span {span.name} has times {span.start_time_unix_nano}..{span.end_time_unix_nano}")
            spans.append(span)
    if len(spans) != expected_spans:
        fail(f"expected {expected_spans} spans, decoded {len(spans)}")
    ids = {(s.trace_id, s.span_id) for s in spans}
    if len(ids) != len(spans):
        fail("duplicate span ids")
    for span in spans:
        if span.parent_span_id and (span.trace_id, span.parent_span_id) not in ids:
            fail(f"span {span.name} has no parent in its trace")
    print(f"otlp_check: {len(requests)} requests, {len(spans)} spans, every parent present ({directory})")


def attribute_value(value):
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return {"array": [attribute_value(v) for v in value.array_value.values]}
    if kind == "double_value":
        d = value.double_value
        if math.isnan(d):
            return {"double": "NaN"}
        if math.isinf(d):
            return {"double": "Infinity" if d > 0 else "-Infinity"}
        return {"double": d}
    if kind == "int_value":
        return {"int": str(value.int_value)}
    if kind == "bool_value":
        return {"bool": value.bool_value}
    if kind == "string_value":
        return {"string": value.string_value}
    return {"empty": True}


def attributes(values):
    return {a.key: attribute_value(a.value) for a in values}


def span_as_plain(span):
    return {
        "traceId": span.trace_id.hex(),
        "spanId": span.span_id.hex(),
        "parentSpanId": span.parent_span_id.hex(),
        "traceState": span.trace_state,
        "flags": span.flags,
        "name": span.name,
        "kind": span.kind,
        "startTimeUnixNano": str(span.start_time_unix_nano),
        "endTimeUnixNano": str(span.end_time_unix_nano),
        "attributes": attributes(span.attributes),
        "droppedAttributesCount": span.dropped_attributes_count,
        "events": [
            {
                "timeUnixNano": str(e.time_unix_nano),
                "name": e.name,
                "attributes": attributes(e.attributes),
                "droppedAttributesCount": e.dropped_attributes_count,
            }
            for e in span.events
        ],
        "droppedEventsCount": span.dropped_events_count,
        "links": [
            {
                "traceId": l.trace_id.hex(),
                "spanId": l.span_id.hex(),
                "traceState": l.trace_state,
                "attributes": attributes(l.attributes),
                "droppedAttributesCount": l.dropped_attributes_count,
                "flags": l.flags,
            }
            for l in span.links
        ],
        "droppedLinksCount": span.dropped_links_count,
        "status": {"code": span.status.code, "message": span.status.message},
    }


def compare(expected, actual, where):
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            fail(f"{where}: expected an object, got {actual!r}")
        for key in set(expected) | set(actual):
            if key not in expected or key not in actual:
                fail(f"{where}.{key}: present on one side only (expected {expected.get(key)!r}, got {actual.get(key)!r})")
            compare(expected[key], actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            fail(f"{where}: expected {len(expected)} items, got {actual!r}")
        for index, (e, a) in enumerate(zip(expected, actual)):
            compare(e, a, f"{where}[{index}]")
    elif isinstance(expected, float) or isinstance(actual, float):
        if float(expected) != float(actual):
            fail(f"{where}: expected {expected!r}, got {actual!r}")
    elif expected != actual:
        fail(f"{where}: expected {expected!r}, got {actual!r}")


def check_expected(directory):
    expectations = sorted(glob.glob(os.path.join(directory, "*.expected.json")))
    if not expectations:
        fail(f"no *.expected.json in {directory}")
    checked = 0
    for expectation in expectations:
        name = expectation[: -len(".expected.json")]
        with open(expectation) as f:
            expected = json.load(f)
        for suffix, content_type, encoding in (
            (".pb", "application/x-protobuf", None),
            (".pb.gz", "application/x-protobuf", "gzip"),
            (".json", "application/json", None),
        ):
            if not os.path.exists(name + suffix):
                fail(f"{name + suffix} is missing")
            with open(name + suffix, "rb") as f:
                request = decode(f.read(), content_type, encoding)
            where = os.path.basename(name + suffix)
            if len(request.resource_spans) != 1 or len(request.resource_spans[0].scope_spans) != 1:
                fail(f"{where}: expected one resource and one scope")
            resource_spans = request.resource_spans[0]
            compare(expected["resource"], attributes(resource_spans.resource.attributes), f"{where}.resource")
            scope = resource_spans.scope_spans[0].scope
            compare(expected["scope"], {"name": scope.name, "version": scope.version}, f"{where}.scope")
            compare(expected["spans"], [span_as_plain(s) for s in resource_spans.scope_spans[0].spans], f"{where}.spans")
            checked += 1
    print(f"otlp_check: {checked} captured requests match their expectations field by field ({directory})")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "demo":
        check_demo(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "expected":
        check_expected(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
