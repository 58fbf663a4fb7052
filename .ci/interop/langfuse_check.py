#!/usr/bin/env python3
"""Checks captured Langfuse requests with decoders and models Tracez did not write.

Usage: langfuse_check.py [--attributes SWIFT_FILE] DIRECTORY [DIRECTORY ...]

Each DIRECTORY is, or holds (at any depth), capture directories (directories without
subdirectories, which must not be empty): NNNN.body and NNNN.json
(path and headers) pairs, written by the Swift tests (TRACEZ_CAPTURE_DIR, through
CapturingTransport) or by capture_server.py from `tracez demo`, and an `expected.json` beside
them with the counts the sender recorded:

    {"spans": S, "events": E,                  # required: OTel spans and ingestion events in all
     "requests": R,                            # optional: number of requests
     "observations": O, "traces": T, "scores": N}   # optional: ingestion events by kind

CapturingTransport also writes NNNN.expected.json ({"spans": n} or {"events": n}) per request.
A capture directory without expected.json, with no requests, or with a request that holds no
span or event, fails: this check never passes on nothing.

- POST /api/public/ingestion: every event is parsed with langfuse==4.18.0's own pydantic
  model (`IngestionEvent`), and every key of the envelope and of the body must be one that the
  model for its event type declares (by its JSON alias): Langfuse strips unknown keys silently,
  so a misspelled optional field (`usageDetail`) would be lost. Then the server's rules
  (NOTES.md): event id, times parsed as ISO-8601 with a zone, body.id present, levels, the
  prompt pair, environment names, exactly one score target, usage as non-negative integers.
- POST /api/public/otel/v1/traces: the body (gunzipped) is decoded with the PyPI package
  opentelemetry-proto. The attribute names come from the encoder's single source of truth,
  Sources/TracezLangfuse/Model/LangfuseAttributeName.swift (parsed here): a `langfuse.*`
  attribute that is not one of them is a misspelling Langfuse would file under metadata, and
  every known attribute's value is checked (type; JSON for the JSON-valued ones; ISO-8601
  for the completion start time; ranges for usage and cost).
Exits non-zero after listing the problems (at once when nothing further can be checked).
"""
import glob
import gzip
import json
import math
import os
import re
import sys
import typing
from datetime import datetime

from langfuse.api.core.pydantic_utilities import parse_obj_as
from langfuse.api.core.serialization import FieldMetadata
from langfuse.api.ingestion.types import IngestionEvent
from langfuse.api.ingestion.types.create_generation_body import CreateGenerationBody
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ENVIRONMENT = re.compile(r"^(?!langfuse)[a-z0-9_-]{1,40}$")
LEVELS = {"DEBUG", "DEFAULT", "WARNING", "ERROR"}
TYPES = {"span", "generation", "event", "agent", "tool", "chain", "retriever", "embedding", "evaluator", "guardrail"}
# Newer servers' event types (NOTES.md): generation-shaped bodies, not in langfuse 4.18.0's union.
NEWER_TYPES = {f"{kind}-create" for kind in ("agent", "tool", "chain", "retriever", "evaluator", "embedding", "guardrail")}
DEFAULT_ATTRIBUTES = os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "TracezLangfuse", "Model", "LangfuseAttributeName.swift")


def fail(message):
    """A problem that leaves nothing to check after it: stops at once."""
    print(f"langfuse_check: FAIL: {message}")
    sys.exit(1)


class Problem(Exception):
    """A problem with one event, span or attribute: reported, and checking goes on."""


PROBLEMS = []


def report(message):
    PROBLEMS.append(message)


# MARK: - Shared value rules


def is_time(value):
    """ISO-8601 date and time with a zone, parsed for real (a 13th month fails)."""
    if not isinstance(value, str) or not DATE_TIME.match(value):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def strict_json(text):
    """JSON text as RFC 8259 has it: NaN and Infinity, which Python would accept, are refused."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def is_amount(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


# MARK: - Ingestion events


def declared_keys(model):
    """The JSON keys a langfuse pydantic model declares: each field's alias, else its name."""
    keys = set()
    for name, field in model.model_fields.items():
        alias = next((m.alias for m in field.metadata if isinstance(m, FieldMetadata) and m.alias), None)
        keys.add(alias or field.alias or name)
    return keys


def event_models():
    """Event type → (envelope model, body model), from the discriminated union itself."""
    union = typing.get_args(IngestionEvent)[0]
    models = {}
    for model in typing.get_args(union):
        models[model.model_fields["type"].default] = (model, model.model_fields["body"].annotation)
    if len(models) < 8 or "generation-create" not in models:
        fail(f"could not read the event models from langfuse's IngestionEvent: {sorted(models)}")
    return models


EVENT_MODELS = event_models()
ENVELOPE_KEYS = {kind: declared_keys(envelope) for kind, (envelope, _) in EVENT_MODELS.items()}
BODY_KEYS = {kind: declared_keys(body) for kind, (_, body) in EVENT_MODELS.items()}
for kind in NEWER_TYPES:
    ENVELOPE_KEYS[kind] = ENVELOPE_KEYS["generation-create"]
    BODY_KEYS[kind] = declared_keys(CreateGenerationBody)


def check_event(event, where):
    kind = event.get("type")
    if kind not in BODY_KEYS:
        raise Problem(f"{where}: unknown event type {kind!r}")
    unknown = sorted(set(event) - ENVELOPE_KEYS[kind])
    if unknown:
        raise Problem(f"{where}: {kind} envelope has keys langfuse's model does not declare: {unknown} (declared: {sorted(ENVELOPE_KEYS[kind])})")
    body = event.get("body")
    if not isinstance(body, dict):
        raise Problem(f"{where}: {kind} without a body object")
    unknown = sorted(set(body) - BODY_KEYS[kind])
    if unknown:
        raise Problem(f"{where}: {kind} body has keys langfuse's model does not declare, which Langfuse drops silently: {unknown} (declared: {sorted(BODY_KEYS[kind])})")
    try:
        if kind in NEWER_TYPES:
            parse_obj_as(CreateGenerationBody, body)
        else:
            parse_obj_as(IngestionEvent, event)
    except Exception as error:  # pydantic's ValidationError
        raise Problem(f"{where}: langfuse's model refused {json.dumps(event)[:300]}: {error}")
    if not isinstance(event.get("id"), str) or not (1 <= len(event["id"]) <= 800) or "\r" in event["id"]:
        raise Problem(f"{where}: bad event id {event.get('id')!r}")
    if not is_time(event.get("timestamp")):
        raise Problem(f"{where}: timestamp is not ISO-8601 with a zone: {event.get('timestamp')!r}")
    if not body.get("id"):
        raise Problem(f"{where}: {kind} without body.id (Langfuse would drop it silently)")
    for key in ("timestamp", "startTime", "endTime", "completionStartTime"):
        if key in body and not is_time(body[key]):
            raise Problem(f"{where}: body.{key} is not ISO-8601 with a zone: {body[key]!r}")
    if "level" in body and body["level"] not in LEVELS:
        raise Problem(f"{where}: bad level {body['level']!r}")
    if ("promptName" in body) != ("promptVersion" in body):
        raise Problem(f"{where}: promptName and promptVersion must come together")
    if "environment" in body and not ENVIRONMENT.match(body["environment"]):
        raise Problem(f"{where}: environment {body['environment']!r} would become 'default'")
    if kind == "score-create":
        targets = [key for key in ("traceId", "sessionId", "datasetRunId") if key in body]
        if len(targets) != 1:
            raise Problem(f"{where}: a score needs exactly one target, has {targets}")
    for key, value in (body.get("usageDetails") or {}).items():
        if not is_count(value):
            raise Problem(f"{where}: usageDetails.{key} = {value!r} is not a non-negative integer")
    for key, value in (body.get("costDetails") or {}).items():
        if not is_amount(value):
            raise Problem(f"{where}: costDetails.{key} = {value!r} is not a non-negative number")
    return kind


# MARK: - OTel spans

# What each constant of LangfuseAttributeName holds, by its Swift name. A constant without a
# rule here fails the check: a new attribute must come with a rule for its value.
RULES = {
    "traceName": "string",
    "userID": "string",
    "sessionID": "string",
    "traceTags": "strings",
    "tracePublic": "bool",
    "asRoot": "bool",
    "traceMetadataPrefix": "string",  # TraceAttributes.metadata is [String: String], sent as given
    "traceMetadata": "json object",  # the entries past the span's attribute budget, merged
    "traceInput": "json",
    "traceOutput": "json",
    "environment": "environment",
    "release": "string",
    "version": "string",
    "observationType": "observation type",
    "level": "level",
    "statusMessage": "string",
    "input": "json",
    "output": "json",
    "metadataPrefix": "metadata",
    "metadata": "json object",  # the entries past the span's attribute budget, merged
    "model": "string",
    "modelParameters": "json object",
    "usageDetails": "usage",
    "costDetails": "cost",
    "completionStartTime": "json time",
    "promptName": "string",
    "promptVersion": "int",
    # Tracez's own, on a span that is a score: scores go through the ingestion API in both
    # modes, so these never reach the OTel endpoint.
    "scoreName": "never",
    "scoreBody": "never",
}


def load_attribute_names(path):
    """The encoder's attribute names, read from LangfuseAttributeName.swift: Swift name → value."""
    try:
        with open(path) as f:
            source = f.read()
    except OSError as error:
        fail(f"cannot read the attribute names: {error}")
    names = dict(re.findall(r'^\s*(?:public|package) static let (\w+) = "([^"\\]+)"\s*$', source, re.MULTILINE))
    declared = re.findall(r"^\s*(?:public|package) static let (\w+)", source, re.MULTILINE)
    if not names or len(names) != len(declared):
        fail(f"{path}: read {len(names)} string constants of {len(declared)} declared; the parser no longer fits the file")
    unruled = sorted(set(names) - set(RULES))
    if unruled:
        fail(f"{path}: no value rule in langfuse_check.py for {unruled}: add one to RULES")
    return names


def attribute_value(value):
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return ("array", [attribute_value(v) for v in value.array_value.values])
    if kind is None:
        return ("empty", None)
    return (kind, getattr(value, kind))


def check_value(key, rule, value, where):
    kind, raw = value
    problem = None
    if rule == "never":
        problem = "is Tracez's own score attribute: a score span was sent as an observation"
    elif rule == "strings":
        if kind != "array" or not all(k == "string_value" for k, _ in raw):
            problem = "must be an array of strings"
    elif rule == "bool":
        if kind != "bool_value":
            problem = "must be a bool"
    elif rule == "metadata":
        # As the Python SDK sets them: an int or a bool as a typed attribute, a string as
        # itself, anything else as JSON text.
        if kind not in ("int_value", "bool_value"):
            check_value(key, "json", value, where)
    elif rule == "int":
        if kind != "int_value" or raw < 0:
            problem = "must be a non-negative int"
    elif kind != "string_value":
        problem = f"must be a string, is {kind}"
    elif rule == "environment":
        if not ENVIRONMENT.match(raw):
            problem = "would become 'default'"
    elif rule == "observation type":
        if raw not in TYPES:
            problem = f"is not one of {sorted(TYPES)}"
    elif rule == "level":
        if raw not in LEVELS:
            problem = f"is not one of {sorted(LEVELS)}"
    elif rule == "time":
        if not is_time(raw):
            problem = "is not ISO-8601 with a zone"
    elif rule == "json time":
        # JSON text of a time, as the SDKs send the completion start time: a quoted string.
        try:
            parsed = strict_json(raw)
        except ValueError as error:
            parsed, problem = None, f"is not JSON text ({error})"
        if problem is None and not (isinstance(parsed, str) and is_time(parsed)):
            problem = "is not a JSON-quoted ISO-8601 time with a zone"
    elif rule == "json":
        # NOTES.md: a string value goes as the string itself; anything else as JSON text. So
        # text that reads as a JSON string was quoted twice (Langfuse would store the quotes),
        # and text that opens like an object or array must be whole JSON.
        if raw[:1] == '"':
            try:
                if isinstance(strict_json(raw), str):
                    problem = "is a JSON-quoted string: Langfuse stores the quotes (NOTES.md: a string goes as the string itself)"
            except ValueError:
                pass
        elif raw[:1] in ("{", "["):
            try:
                strict_json(raw)
            except ValueError as error:
                problem = f"opens as JSON but is not JSON text ({error})"
    elif rule in ("json object", "usage", "cost"):
        try:
            parsed = strict_json(raw)
        except ValueError as error:
            parsed = None
            problem = f"is not JSON text ({error})"
        if problem is None:
            if not isinstance(parsed, dict):
                problem = "must be a JSON object"
            elif rule == "usage" and not all(is_count(v) for v in parsed.values()):
                problem = "must map to non-negative integers"
            elif rule == "cost" and not all(is_amount(v) for v in parsed.values()):
                problem = "must map to non-negative numbers"
    if problem:
        raise Problem(f"{where}: {key} = {raw!r} {problem}")


def check_otel(body, headers, names, where):
    for name in ("x-langfuse-sdk-name", "x-langfuse-sdk-version", "x-langfuse-public-key"):
        if name not in headers:
            report(f"{where}: header {name} missing")
    if headers.get("x-langfuse-ingestion-version") != "4":
        report(f"{where}: x-langfuse-ingestion-version is {headers.get('x-langfuse-ingestion-version')!r}, expected 4")
    if headers.get("content-type") != "application/x-protobuf":
        report(f"{where}: content type {headers.get('content-type')!r}, expected application/x-protobuf")
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    exact = {value: swift for swift, value in names.items() if not value.endswith(".")}
    prefixes = {value: swift for swift, value in names.items() if value.endswith(".")}
    spans = [s for r in request.resource_spans for ss in r.scope_spans for s in ss.spans]
    for span in spans:
        at = f"{where}: span {span.name!r}"
        if len(span.trace_id) != 16 or len(span.span_id) != 8:
            report(f"{at} without valid ids")
        attrs = {a.key: attribute_value(a.value) for a in span.attributes}
        for key, value in attrs.items():
            swift = exact.get(key) or next((s for p, s in prefixes.items() if key.startswith(p) and len(key) > len(p)), None)
            if swift is None:
                if key.startswith("langfuse.") or key.startswith("tracez.langfuse."):
                    report(f"{at}: attribute {key!r} is not one LangfuseAttributeName declares (a misspelling Langfuse would file under metadata)")
                continue
            try:
                check_value(key, RULES[swift], value, at)
            except Problem as problem:
                report(str(problem))
        kind = attrs.get(names["observationType"], ("string_value", "span"))[1]
        if kind == "generation":
            if not attrs.get(names["model"], (None, ""))[1]:
                report(f"{at}: a generation without a model")
            if (names["promptName"] in attrs) != (names["promptVersion"] in attrs):
                report(f"{at}: a generation with half a prompt")
    return len(spans)


# MARK: - Directories and counts


def capture_directories(roots):
    """Every directory under the roots (a root too) without subdirectories is a capture
    directory, empty or not: an emptied capture is found, and refused, like a broken one."""
    found = set()
    for root in roots:
        if not os.path.isdir(root):
            fail(f"{root} is not a directory")
        for directory, subdirectories, _ in os.walk(root):
            if not subdirectories:
                found.add(os.path.normpath(directory))
    return sorted(found)


def check_directory(directory, names):
    expected_path = os.path.join(directory, "expected.json")
    if not os.path.exists(expected_path):
        fail(f"{directory}: no expected.json (the counts the sender recorded)")
    with open(expected_path) as f:
        expected = json.load(f)
    for key in ("spans", "events"):
        if not is_count(expected.get(key)):
            fail(f"{expected_path}: {key!r} must be a count, is {expected.get(key)!r}")
    bodies = sorted(glob.glob(os.path.join(directory, "*.body")))
    if not bodies:
        fail(f"{directory}: no captured requests, expected {expected}")
    metas = sorted(glob.glob(os.path.join(directory, "[0-9]*.json")))
    metas = [m for m in metas if not m.endswith(".expected.json")]
    if [m[: -len(".json")] for m in metas] != [b[: -len(".body")] for b in bodies]:
        fail(f"{directory}: {len(bodies)} bodies but {len(metas)} header files; a capture was not written whole")
    per_request = sorted(glob.glob(os.path.join(directory, "*.expected.json")))
    if per_request and len(per_request) != len(bodies):
        fail(f"{directory}: {len(per_request)} per-request expectations for {len(bodies)} requests")

    totals = {"spans": 0, "events": 0, "observations": 0, "traces": 0, "scores": 0}
    for path in bodies:
        base = path[: -len(".body")]
        with open(base + ".json") as f:
            meta = json.load(f)
        headers = {k.lower(): v for k, v in meta["headers"].items()}
        with open(path, "rb") as f:
            body = f.read()
        if meta["path"].endswith("/api/public/ingestion"):
            if "content-encoding" in headers:
                report(f"{path}: the ingestion API takes no Content-Encoding")
            if not headers.get("content-type", "").startswith("application/json"):
                report(f"{path}: content type {headers.get('content-type')!r}, expected application/json")
            batch = json.loads(body)["batch"]
            found = {"spans": 0, "events": len(batch)}
            for index, event in enumerate(batch):
                try:
                    kind = check_event(event, f"{path}[{index}]")
                except Problem as problem:
                    report(str(problem))
                    kind = event.get("type") if isinstance(event, dict) else None
                category = {"trace-create": "traces", "score-create": "scores", "sdk-log": None}.get(kind, "observations")
                if category:
                    totals[category] += 1
        elif meta["path"].endswith("/api/public/otel/v1/traces"):
            found = {"spans": check_otel(body, headers, names, path), "events": 0}
        else:
            fail(f"{path}: unexpected path {meta['path']}")
        if found["spans"] + found["events"] == 0:
            fail(f"{path}: a request with no span and no event")
        if per_request:
            with open(base + ".expected.json") as f:
                mine = json.load(f)
            for key, count in mine.items():
                if found.get(key) != count:
                    fail(f"{path}: {found.get(key)} {key} decoded, the sender recorded {count}")
        totals["spans"] += found["spans"]
        totals["events"] += found["events"]
    totals["requests"] = len(bodies)
    for key in ("requests", "spans", "events", "observations", "traces", "scores"):
        if key in expected and expected[key] != totals[key]:
            fail(f"{directory}: {totals[key]} {key} decoded, expected {expected[key]} (totals {totals})")
    return totals


def main(arguments):
    attributes_path = DEFAULT_ATTRIBUTES
    if arguments[:1] == ["--attributes"]:
        attributes_path, arguments = arguments[1], arguments[2:]
    if not arguments:
        print(__doc__)
        sys.exit(2)
    names = load_attribute_names(attributes_path)
    for directory in capture_directories(arguments):
        totals = check_directory(directory, names)
        print(f"langfuse_check: {directory}: {totals['requests']} requests, {totals['spans']} OTel spans, {totals['events']} ingestion events")
    print(f"langfuse_check: {len(names)} attribute names from {os.path.normpath(attributes_path)}")
    if PROBLEMS:
        for message in PROBLEMS[:25]:
            print(f"langfuse_check: FAIL: {message}")
        if len(PROBLEMS) > 25:
            print(f"langfuse_check: ... and {len(PROBLEMS) - 25} more")
        print(f"langfuse_check: {len(PROBLEMS)} problems")
        sys.exit(1)
    print("langfuse_check: all valid")


if __name__ == "__main__":
    main(sys.argv[1:])
