#!/usr/bin/env python3
"""Checks captured Langfuse requests with decoders Tracez did not write.

Usage: langfuse_check.py DIRECTORY [DIRECTORY ...]

Each DIRECTORY holds NNNN.body and NNNN.json (path and headers) pairs, captured by the Swift
tests (TRACEZ_CAPTURE_DIR) or by capture_server.py from `tracez demo`. For each request:

- POST /api/public/ingestion: every event is parsed with langfuse==4.18.0's own pydantic
  model (`IngestionEvent`), and checked against the server's rules (NOTES.md): event id,
  timestamps with a zone, body.id present, levels, the prompt pair, environment names,
  exactly one score target.
- POST /api/public/otel/v1/traces: the body (gunzipped) is decoded with the PyPI package
  opentelemetry-proto; observation types are ones Langfuse knows (a span without one is a
  plain span to Langfuse), generations carry a model, integer usage and whole prompt pairs,
  JSON values are JSON, and the x-langfuse-* headers are present.
Exits non-zero with a message on the first problem.
"""
import glob
import gzip
import json
import os
import re
import sys

from langfuse.api.core.pydantic_utilities import parse_obj_as
from langfuse.api.ingestion.types import IngestionEvent
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

ZONE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ENVIRONMENT = re.compile(r"^(?!langfuse)[a-z0-9_-]{1,40}$")
LEVELS = {"DEBUG", "DEFAULT", "WARNING", "ERROR"}
TYPES = {"span", "generation", "event", "agent", "tool", "chain", "retriever", "embedding", "evaluator", "guardrail"}


def fail(message):
    print(f"langfuse_check: FAIL: {message}")
    sys.exit(1)


def check_event(event, where):
    try:
        parse_obj_as(IngestionEvent, event)
    except Exception as error:  # pydantic's ValidationError
        fail(f"{where}: langfuse's IngestionEvent model refused {json.dumps(event)[:300]}: {error}")
    if not (1 <= len(event.get("id", "")) <= 800) or "\r" in event["id"]:
        fail(f"{where}: bad event id {event.get('id')!r}")
    if not ZONE.match(event.get("timestamp", "")):
        fail(f"{where}: timestamp without a zone: {event.get('timestamp')!r}")
    body = event["body"]
    if not body.get("id"):
        fail(f"{where}: {event['type']} without body.id (Langfuse would drop it silently)")
    for key in ("timestamp", "startTime", "endTime", "completionStartTime"):
        if key in body and not ZONE.match(str(body[key])):
            fail(f"{where}: body.{key} without a zone: {body[key]!r}")
    if "level" in body and body["level"] not in LEVELS:
        fail(f"{where}: bad level {body['level']!r}")
    if ("promptName" in body) != ("promptVersion" in body):
        fail(f"{where}: promptName and promptVersion must come together")
    if "environment" in body and not ENVIRONMENT.match(body["environment"]):
        fail(f"{where}: environment {body['environment']!r} would become 'default'")
    if event["type"] == "score-create":
        targets = [key for key in ("traceId", "sessionId", "datasetRunId") if key in body]
        if len(targets) != 1:
            fail(f"{where}: a score needs exactly one target, has {targets}")
    for key, value in (body.get("usageDetails") or {}).items():
        if not isinstance(value, int) or value < 0:
            fail(f"{where}: usageDetails.{key} = {value!r} is not a non-negative integer")
    return event["type"]


def attributes(values):
    out = {}
    for kv in values:
        kind = kv.value.WhichOneof("value")
        out[kv.key] = getattr(kv.value, kind) if kind else None
    return out


def check_otel(body, headers, where):
    for name in ("x-langfuse-sdk-name", "x-langfuse-sdk-version", "x-langfuse-public-key"):
        if name not in headers:
            fail(f"{where}: header {name} missing")
    if headers.get("x-langfuse-ingestion-version") != "4":
        fail(f"{where}: x-langfuse-ingestion-version is {headers.get('x-langfuse-ingestion-version')!r}, expected 4")
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = [s for r in request.resource_spans for ss in r.scope_spans for s in ss.spans]
    for span in spans:
        if len(span.trace_id) != 16 or len(span.span_id) != 8:
            fail(f"{where}: span {span.name} without valid ids")
        attrs = attributes(span.attributes)
        kind = attrs.get("langfuse.observation.type", "span")
        if kind not in TYPES:
            fail(f"{where}: span {span.name} has observation type {kind!r}")
        if kind == "generation":
            if not attrs.get("langfuse.observation.model.name"):
                fail(f"{where}: generation {span.name} has no model")
            usage = json.loads(attrs.get("langfuse.observation.usage_details", "{}"))
            if not all(isinstance(v, int) and v >= 0 for v in usage.values()):
                fail(f"{where}: generation {span.name} usage {usage}")
            if ("langfuse.observation.prompt.name" in attrs) != ("langfuse.observation.prompt.version" in attrs):
                fail(f"{where}: generation {span.name} has half a prompt")
        env = attrs.get("langfuse.environment")
        if env is not None and not ENVIRONMENT.match(env):
            fail(f"{where}: environment {env!r}")
        for key in ("langfuse.observation.input", "langfuse.observation.output"):
            if key in attrs:
                json.loads(attrs[key])  # must be JSON text
    return len(spans)


def main(directories):
    counts = {}
    spans = 0
    requests = 0
    for directory in directories:
        for path in sorted(glob.glob(os.path.join(directory, "**", "*.body"), recursive=True)):
            with open(path[: -len(".body")] + ".json") as f:
                meta = json.load(f)
            headers = {k.lower(): v for k, v in meta["headers"].items()}
            with open(path, "rb") as f:
                body = f.read()
            requests += 1
            if meta["path"].endswith("/api/public/ingestion"):
                if "content-encoding" in headers:
                    fail(f"{path}: the ingestion API takes no Content-Encoding")
                batch = json.loads(body)["batch"]
                for index, event in enumerate(batch):
                    kind = check_event(event, f"{path}[{index}]")
                    counts[kind] = counts.get(kind, 0) + 1
            elif meta["path"].endswith("/api/public/otel/v1/traces"):
                spans += check_otel(body, headers, path)
            else:
                fail(f"{path}: unexpected path {meta['path']}")
    if requests == 0:
        fail(f"no captured requests in {directories}")
    print(f"langfuse_check: {requests} requests; ingestion events {counts}; OTel spans {spans}: all valid")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1:])
