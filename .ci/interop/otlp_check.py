#!/usr/bin/env python3
"""Decodes OTLP/HTTP and OTLP/gRPC trace requests with the PyPI package opentelemetry-proto (a
decoder Tracez did not write) and checks them.

Usage:
  otlp_check.py demo DIRECTORY SPANS CONTENT_TYPE ENCODING
                                         requests captured by capture_server.py from `tracez demo`:
                                         every request has the Content-Type CONTENT_TYPE and the
                                         Content-Encoding ENCODING (`none`: no such header) that the
                                         run asked for, every body decodes as that type, every
                                         request holds spans, SPANS spans in all, valid ids, every
                                         parent present, one resource and one scope per request.
  otlp_check.py demo-grpc DIRECTORY SPANS ENCODING [--header KEY=VALUE]...
                                         requests captured by grpc_server.py from `tracez demo` over
                                         OTLP/gRPC: every request came to TraceService/Export, arrived
                                         compressed as ENCODING asked (`gzip`, or `none`: uncompressed),
                                         seen on the wire by the server's relay, and carries each KEY
                                         with VALUE in its metadata; the spans are checked as in demo,
                                         SPANS of them in the requests answered OK, and the spans of a
                                         request answered UNAVAILABLE (--fail-first) sent again.
  otlp_check.py expected DIRECTORY       files written by the Swift test suite (TRACEZ_CAPTURE_DIR):
                                         every set listed in sets.json is there, as NAME.pb /
                                         NAME.pb.gz / NAME.json, each decoding to the values in
                                         NAME.expected.json field by field, with its spanCount spans
                                         (a request without spans passes only when that says 0).
  otlp_check.py protoc-count FILE        prints the spanCount of a NAME.expected.json, for CI to
                                         compare with what `protoc --decode` found in NAME.pb.
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
from google.protobuf.message import DecodeError
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
    if content_encoding == "gzip":
        body = gzip.decompress(body)
    elif content_encoding is not None:
        fail(f"unknown content encoding {content_encoding!r}")
    request = ExportTraceServiceRequest()
    if content_type == "application/json":
        document = json.loads(body.decode("utf-8"))
        json_format.ParseDict(hex_ids_to_base64(document), request)
    elif content_type == "application/x-protobuf":
        request.ParseFromString(body)
    else:
        fail(f"unknown content type {content_type!r}")
    return request


def check_ids(span, where):
    if len(span.trace_id) != 16 or span.trace_id == bytes(16):
        fail(f"{where}: bad trace id {span.trace_id.hex()}")
    if len(span.span_id) != 8 or span.span_id == bytes(8):
        fail(f"{where}: bad span id {span.span_id.hex()}")
    if span.parent_span_id and len(span.parent_span_id) != 8:
        fail(f"{where}: bad parent span id {span.parent_span_id.hex()}")


def check_demo_request(request, path):
    """One request of `tracez demo`: one resource (with service.name, from tracez) and one scope,
    and spans with valid ids and times. Returns its spans."""
    if len(request.resource_spans) != 1 or len(request.resource_spans[0].scope_spans) != 1:
        fail(f"{path}: expected one resource and one scope, got {request}")
    resource = {a.key: a.value.string_value for a in request.resource_spans[0].resource.attributes}
    if not resource.get("service.name") or resource.get("telemetry.sdk.name") != "tracez":
        fail(f"{path}: resource attributes {resource}")
    if request.resource_spans[0].scope_spans[0].scope.name != "tracez":
        fail(f"{path}: scope {request.resource_spans[0].scope_spans[0].scope}")
    if not request.resource_spans[0].scope_spans[0].spans:
        fail(f"{path}: a request with no spans")
    spans = []
    for span in request.resource_spans[0].scope_spans[0].spans:
        check_ids(span, path)
        if span.end_time_unix_nano < span.start_time_unix_nano or span.start_time_unix_nano == 0:
            fail(f"{path}: span {span.name} has times {span.start_time_unix_nano}..{span.end_time_unix_nano}")
        spans.append(span)
    return spans


def check_demo_spans(spans, expected_spans):
    """All the spans a demo run exported: as many as expected, no id twice, every parent there."""
    if len(spans) != expected_spans:
        fail(f"expected {expected_spans} spans, decoded {len(spans)}")
    ids = {(s.trace_id, s.span_id) for s in spans}
    if len(ids) != len(spans):
        fail("duplicate span ids")
    for span in spans:
        if span.parent_span_id and (span.trace_id, span.parent_span_id) not in ids:
            fail(f"span {span.name} has no parent in its trace")


def check_demo(directory, expected_spans, content_type, encoding):
    """`encoding` is what the run set OTEL_EXPORTER_OTLP_COMPRESSION to: `gzip` or `none`."""
    if expected_spans <= 0:
        fail(f"expected {expected_spans} spans: the demo must send some")
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
        # The media type asked for, exactly: the demo must have read OTEL_EXPORTER_OTLP_PROTOCOL.
        if headers.get("content-type", "").split(";")[0].strip() != content_type:
            fail(f"{path}: Content-Type {headers.get('content-type')!r}, the run asked for {content_type!r}")
        sent_encoding = headers.get("content-encoding")
        if sent_encoding != (None if encoding == "none" else encoding):
            fail(f"{path}: Content-Encoding {sent_encoding!r}, the run asked for {encoding!r}")
        with open(path, "rb") as f:
            request = decode(f.read(), content_type, sent_encoding)
        spans.extend(check_demo_request(request, path))
    check_demo_spans(spans, expected_spans)
    print(f"otlp_check: {len(requests)} requests, {len(spans)} spans, all {content_type} with encoding {encoding}, every parent present ({directory})")


GRPC_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


def check_demo_grpc(directory, expected_spans, encoding, headers):
    """`encoding` is what the run set OTEL_EXPORTER_OTLP_COMPRESSION to: `gzip` or `none`;
    `headers` the (key, value) pairs of OTEL_EXPORTER_OTLP_HEADERS, each due in every request."""
    if expected_spans <= 0:
        fail(f"expected {expected_spans} spans: the demo must send some")
    if encoding not in ("gzip", "none"):
        fail(f"unknown encoding {encoding!r}: gzip or none")
    accepted = []  # the spans of requests answered OK
    refused = []  # the spans of requests answered UNAVAILABLE (grpc_server.py --fail-first)
    requests = sorted(glob.glob(os.path.join(directory, "*.pb")))
    if not requests:
        fail(f"no requests captured in {directory}")
    for path in requests:
        with open(path[: -len(".pb")] + ".json") as f:
            meta = json.load(f)
        if meta["method"] != GRPC_EXPORT:
            fail(f"{path}: called {meta['method']}")
        # The compression the relay saw the message arrive with (see grpc_server.py).
        if meta["compression"] == "unknown":
            fail(f"{path}: the server's relay did not see this message or could not decompress it: compression unknown")
        if meta["compression"] != encoding:
            fail(f"{path}: arrived with compression {meta['compression']!r}, the run asked for {encoding!r}")
        # gRPC metadata keys are lowercase on the wire; a key may repeat.
        metadata = [(key, value) for key, value in meta["metadata"]]
        for key, value in headers:
            if (key.lower(), value) not in metadata:
                fail(f"{path}: no metadata {key}={value!r}, got {metadata}")
        request = ExportTraceServiceRequest()
        with open(path, "rb") as f:
            try:
                request.ParseFromString(f.read())
            except DecodeError as error:
                fail(f"{path}: not an ExportTraceServiceRequest: {error}")
        spans = check_demo_request(request, path)
        status = meta["answer"]["status"]
        if status == "OK":
            accepted.extend(spans)
        elif status == "UNAVAILABLE":
            refused.extend(spans)
        else:
            fail(f"{path}: answered {status!r}")
    check_demo_spans(accepted, expected_spans)
    sent_again = {(s.trace_id, s.span_id) for s in accepted}
    for span in refused:
        if (span.trace_id, span.span_id) not in sent_again:
            fail(f"span {span.name} was refused as UNAVAILABLE and not sent again")
    asked = "".join(f", metadata {key}={value}" for key, value in headers)
    again = f" ({len(refused)} refused as UNAVAILABLE, all sent again)" if refused else ""
    print(
        f"otlp_check: {len(requests)} gRPC requests, {len(accepted)} spans accepted{again}, "
        f"all with compression {encoding}{asked}, every parent present ({directory})"
    )


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
    sets_path = os.path.join(directory, "sets.json")
    if not os.path.exists(sets_path):
        fail(f"{sets_path} is missing: the tests did not run, or did not say what they write")
    with open(sets_path) as f:
        sets = json.load(f)["sets"]
    if not sets:
        fail(f"{sets_path} lists no sets")
    written = {os.path.basename(p)[: -len(".expected.json")] for p in glob.glob(os.path.join(directory, "*.expected.json"))}
    if written != set(sets):
        fail(f"{directory}: sets written {sorted(written)}, sets.json lists {sorted(sets)}")
    allowed = {"sets.json"} | {name + suffix for name in sets for suffix in (".pb", ".pb.gz", ".json", ".expected.json")}
    strays = sorted(set(os.listdir(directory)) - allowed)
    if strays:
        fail(f"{directory}: files no set accounts for: {strays}")
    checked = 0
    total_spans = 0
    for set_name in sorted(sets):
        name = os.path.join(directory, set_name)
        with open(name + ".expected.json") as f:
            expected = json.load(f)
        count = expected.get("spanCount")
        if not isinstance(count, int) or count != len(expected["spans"]):
            fail(f"{set_name}.expected.json: spanCount {count!r} but {len(expected['spans'])} spans listed")
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
            decoded = [s for r in request.resource_spans for ss in r.scope_spans for s in ss.spans]
            if len(decoded) != count:
                fail(f"{where}: decoded {len(decoded)} spans, the test recorded {count}")
            if count == 0:
                # Nothing to compare field by field; an empty export must still be a valid message.
                checked += 1
                continue
            if len(request.resource_spans) != 1 or len(request.resource_spans[0].scope_spans) != 1:
                fail(f"{where}: expected one resource and one scope")
            resource_spans = request.resource_spans[0]
            compare(expected["resource"], attributes(resource_spans.resource.attributes), f"{where}.resource")
            scope = resource_spans.scope_spans[0].scope
            compare(expected["scope"], {"name": scope.name, "version": scope.version}, f"{where}.scope")
            compare(expected["spans"], [span_as_plain(s) for s in resource_spans.scope_spans[0].spans], f"{where}.spans")
            checked += 1
        total_spans += count
    if total_spans == 0:
        fail(f"{directory}: no set holds a span")
    print(f"otlp_check: {checked} captured requests ({len(sets)} sets, {total_spans} spans) match their expectations field by field ({directory})")


def expected_span_count(path):
    """For .ci/run's protoc step: the spanCount of NAME.expected.json."""
    with open(path) as f:
        count = json.load(f).get("spanCount")
    if not isinstance(count, int):
        fail(f"{path}: no spanCount")
    print(count)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "demo":
        check_demo(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif len(sys.argv) >= 5 and len(sys.argv) % 2 == 1 and sys.argv[1] == "demo-grpc":
        pairs = []
        for flag, pair in zip(sys.argv[5::2], sys.argv[6::2]):
            if flag != "--header" or "=" not in pair:
                print(__doc__)
                sys.exit(2)
            pairs.append(tuple(pair.split("=", 1)))
        check_demo_grpc(sys.argv[2], int(sys.argv[3]), sys.argv[4], pairs)
    elif len(sys.argv) == 3 and sys.argv[1] == "expected":
        check_expected(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "protoc-count":
        expected_span_count(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
