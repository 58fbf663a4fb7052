#!/usr/bin/env python3
"""Side by side: one workload through Tracez and through the official Python SDK, compared field by field.

Usage: side_by_side.py TRACEZ_CAPTURE_DIR

TRACEZ_CAPTURE_DIR is what Tests/TracezLangfuseTests/SideBySideTests.swift captured (run it with
TRACEZ_CAPTURE_DIR=DIR, then pass DIR/langfuse/side-by-side-tracez): NNNN.body + NNNN.json
(path and headers) per request, the OTel bodies gzipped when Content-Encoding says so.

This script
  (a) runs the same workload (names and values as in SideBySideTests.recordWorkload) with the
      official SDK, langfuse==4.18.0, against a loopback HTTP server that keeps what it receives:
      OTLP protobuf on /api/public/otel/v1/traces (answered 200) and score batches on
      /api/public/ingestion (answered 207 with every event a success);
  (b) decodes both sides with the PyPI package opentelemetry-proto;
  (c) matches observations by name and compares every `langfuse.*`, `user.id` and `session.id`
      attribute (keys, value types, values; JSON-valued strings as parsed JSON, so key order does
      not matter, but a JSON-quoted string is not the same as the string itself); trace-level
      attributes (`langfuse.trace.*`, `user.id`, `session.id`) are compared as the union over the
      trace's spans; also what the server derives from more than attributes (level and status
      message from the span status, the parent observation, an event's zero duration), the
      span kind, the other span attributes, resource, scope and headers, and the score bodies;
  (d) fails (exit 1), printing each one, on any difference that ALLOWED below does not list, on an
      ALLOWED entry that matched nothing (a fixed difference must leave the list), and when its own
      self-check (mutations of the Tracez side that must be caught) finds the comparison blind.

In CI:
    TRACEZ_CAPTURE_DIR=/tmp/sbs swift test --skip-build --filter SideBySide
    python3 .ci/interop/side_by_side.py /tmp/sbs/langfuse/side-by-side-tracez
"""
import gzip
import http.server
import json
import os
import sys
import threading
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime, timezone
from fnmatch import fnmatchcase

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

OTEL_PATH = "/api/public/otel/v1/traces"
INGESTION_PATH = "/api/public/ingestion"
OBSERVATIONS = ["support agent", "search docs", "embed query", "answer", "lookup account", "cache miss", "send email"]
SCORES = ["quality", "helpful", "tone", "review"]
# 2026-01-02T03:04:05.678Z, as SideBySideTests.completionStart.
COMPLETION_START = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)


def compared(key):
    """Attributes compared key by key and value by value: what Langfuse maps onto its data model."""
    return key.startswith("langfuse.") or key in ("user.id", "session.id")


def trace_level(key):
    return key.startswith("langfuse.trace.") or key in ("user.id", "session.id")


@dataclass
class Allowed:
    where: str  # fnmatch pattern over the difference's place: "observation 'answer'", "trace", "score 'helpful'", …
    key: str  # fnmatch pattern over the attribute or field
    reason: str
    todo: bool = False  # a real difference, listed so the check passes until Tracez is fixed


# Known, intended differences, and the real ones still to fix (todo=True, marked TODO(issue 12)).
# Any difference not listed here fails the check.
ALLOWED = [
    # --- intended: the two are different programs; the Langfuse data is the same ---
    Allowed("resource", "service.*", "the sending process: Tracez's tracer names its service, Python's OTel default is unknown_service"),
    Allowed("resource", "telemetry.sdk.*", "each SDK names itself"),
    Allowed("resource", "deployment.environment.name", "Tracez also states the environment the OTel way; Langfuse reads it as a fallback only"),
    Allowed("resource", "langfuse.environment", "Python repeats its environment on the resource; Tracez writes it on every span, which Langfuse reads first"),
    Allowed("resource", "langfuse.release", "Python repeats its release on the resource; Tracez writes it on every span, which Langfuse reads first"),
    Allowed("scope", "*", "the instrumentation scope is each SDK's own name and version"),
    Allowed("headers", "x-langfuse-sdk-*", "each SDK sends its own name and version"),
    Allowed("headers", "x-langfuse-ingestion-version", "Tracez opts into the v4 direct write, as the Python SDK tells custom exporters to (NOTES.md)"),
    Allowed("headers", "user-agent", "each HTTP client names itself (or not)"),
    Allowed("headers", "content-encoding", "Tracez gzips OTLP bodies, Python's OTLP exporter does not by default; Langfuse takes both"),
    # Python's OTel tracer sets only the span status for a raised exception; Tracez also writes the level
    # and the status message as attributes. "(server) level" and "(server) status message", what Langfuse
    # derives from either, stay compared and are equal.
    Allowed("observation 'send email'", "langfuse.observation.level", "Tracez writes ERROR explicitly; Python leaves it to the span status"),
    Allowed("observation 'send email'", "langfuse.observation.status_message", "Tracez writes it explicitly; Python leaves it to the span status message"),
    # The Python span processor marks the first exported span of each trace as the application's root. The
    # root here has no parent, which Langfuse takes as the root anyway (trace name, input, output); Tracez
    # marks a span whose parent is in another process with langfuse.internal.as_root instead.
    Allowed("observation 'support agent'", "langfuse.internal.is_app_root", "Python-only marker; redundant on a span without a parent"),
]


class Capture:
    """The loopback server's store: every request, as received."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []  # (path, headers (lowercased names), body bytes, decompressed)


def make_handler(capture):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            raw = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            path = self.path.split("?")[0]
            with capture.lock:
                capture.requests.append((path, headers, raw))
            if path == INGESTION_PATH:
                batch = json.loads(raw).get("batch", [])
                self.answer(207, json.dumps({"successes": [{"id": e.get("id"), "status": 201} for e in batch], "errors": []}).encode(), "application/json")
            elif path == OTEL_PATH:
                self.answer(200, b"", "application/x-protobuf")
            else:
                self.answer(404, b"{}", "application/json")

        def do_GET(self):
            with capture.lock:
                capture.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, b""))
            self.answer(404, b"{}", "application/json")

        def answer(self, status, payload, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


class MailError(Exception):
    pass


def run_python_workload(port):
    """The workload of SideBySideTests.recordWorkload, written with langfuse==4.18.0."""
    from langfuse import Langfuse, propagate_attributes
    from langfuse.api import Prompt_Text
    from langfuse.model import TextPromptClient

    langfuse = Langfuse(public_key="pk-lf-side-by-side", secret_key="sk-lf-side-by-side", host=f"http://127.0.0.1:{port}",
                        environment="test-env", release="r-1")
    prompt = TextPromptClient(Prompt_Text(type="text", name="support-answer", version=3, prompt="Answer: {{question}}", config={}, labels=[], tags=[]))
    with propagate_attributes(trace_name="support chat", user_id="u-1", session_id="s-1", tags=["beta"], metadata={"plan": "pro", "region": "eu"}):
        with langfuse.start_as_current_observation(name="support agent", as_type="agent", input={"question": "How do I reset my password?"}) as agent:
            with langfuse.start_as_current_observation(name="search docs", as_type="retriever", input={"query": "reset password"}) as retriever:
                retriever.update(output=["doc-1", "doc-2"])
            with langfuse.start_as_current_observation(name="embed query", as_type="embedding", input="reset password",
                                                       model="text-embedding-3-small") as embedding:
                embedding.update(usage_details={"input": 3}, output=[0.1, 0.2, 0.3])
            with langfuse.start_as_current_observation(
                name="answer", as_type="generation", model="gpt-4o",
                input=[{"role": "system", "content": "You are a support agent."}, {"role": "user", "content": "How do I reset my password?"}],
                model_parameters={"temperature": 0.2, "max_tokens": 256}, prompt=prompt, version="v2",
                metadata={"attempt": 1, "channel": "web", "retrieval": {"documents": 2}},
            ) as generation:
                generation.update(completion_start_time=COMPLETION_START, output="Use the reset link in Settings.",
                                  usage_details={"input": 120, "output": 40, "total": 160},
                                  cost_details={"input": 0.0012, "output": 0.0024, "total": 0.0036},
                                  level="WARNING", status_message="slow response")
                generation.score(name="helpful", value=1, data_type="BOOLEAN")
            with langfuse.start_as_current_observation(name="lookup account", as_type="tool", input={"user": "u-1"}) as tool:
                tool.update(output={"found": True, "plan": "pro"})
            langfuse.create_event(name="cache miss", input={"key": "reset password"}, metadata={"cache": "docs"})
            try:
                with langfuse.start_as_current_observation(name="send email", as_type="tool"):
                    raise MailError("mail server down")
            except MailError:
                pass
            agent.update(output="Use the reset link in Settings.")
            agent.score_trace(name="quality", value=0.9, data_type="NUMERIC", comment="good answer")
            agent.score_trace(name="tone", value="friendly", data_type="CATEGORICAL")
            langfuse.create_score(name="review", value="Clear and short.", session_id="s-1", data_type="TEXT")
    langfuse.flush()
    langfuse.shutdown()


def python_side():
    capture = Capture()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(capture))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        run_python_workload(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
    return capture.requests


def tracez_side(directory):
    requests = []
    names = sorted(name for name in os.listdir(directory) if name.endswith(".body")) if os.path.isdir(directory) else []
    if not names:
        sys.exit(f"side_by_side: no NNNN.body in {directory}: run the Swift test with TRACEZ_CAPTURE_DIR first")
    for name in names:
        base = os.path.join(directory, name[: -len(".body")])
        with open(base + ".json") as file:
            meta = json.load(file)
        with open(base + ".body", "rb") as file:
            body = file.read()
        headers = {key.lower(): value for key, value in meta.get("headers", {}).items()}
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        requests.append((meta["path"], headers, body))
    return requests


def any_value(value):
    """An OTLP AnyValue as (type, Python value)."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return ("array", tuple(any_value(item) for item in value.array_value.values))
    if kind == "kvlist_value":
        return ("kvlist", tuple(sorted((kv.key, any_value(kv.value)) for kv in value.kvlist_value.values)))
    if kind is None:
        return ("empty", None)
    return (kind.replace("_value", ""), getattr(value, kind))


@dataclass
class Side:
    name: str
    spans: dict  # observation name -> span dict
    resources: list
    scopes: list
    otel_headers: list
    scores: list  # score-create events


def decode(name, requests):
    spans, resources, scopes, otel_headers, scores = {}, [], [], [], []
    problems = []
    for path, headers, body in requests:
        if path == OTEL_PATH:
            otel_headers.append(headers)
            message = ExportTraceServiceRequest()
            message.ParseFromString(body)
            for resource_spans in message.resource_spans:
                resources.append({kv.key: any_value(kv.value) for kv in resource_spans.resource.attributes})
                for scope_spans in resource_spans.scope_spans:
                    scopes.append({"name": scope_spans.scope.name, "version": scope_spans.scope.version})
                    for span in scope_spans.spans:
                        if span.name in spans:
                            problems.append(f"{name}: observation {span.name!r} sent twice")
                        spans[span.name] = {
                            "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(), "parent_span_id": span.parent_span_id.hex(),
                            "kind": span.kind, "start": span.start_time_unix_nano, "end": span.end_time_unix_nano,
                            "status_code": span.status.code, "status_message": span.status.message,
                            "events": tuple(event.name for event in span.events),
                            "attributes": {kv.key: any_value(kv.value) for kv in span.attributes},
                        }
        elif path == INGESTION_PATH:
            for event in json.loads(body).get("batch", []):
                if event.get("type") == "score-create":
                    scores.append(event)
                else:
                    problems.append(f"{name}: ingestion event of type {event.get('type')!r}, expected only score-create")
        else:
            problems.append(f"{name}: request to {path}")
    return Side(name, spans, resources, scopes, otel_headers, scores), problems


def normalise(key, value):
    """What must be equal of an attribute value: its type, and for strings whether it is JSON text
    (then its parsed value: key order and spacing do not matter) or plain text."""
    kind, raw = value
    if kind != "string":
        return value
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
        form = "text"
    else:
        form = "json"
    if key == "langfuse.observation.completion_start_time":
        # The same instant, whatever the digits of the fraction or the zone's spelling.
        text = parsed if form == "json" and isinstance(parsed, str) else raw
        try:
            instant = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).isoformat()
        except ValueError:
            instant = f"unparsable {text!r}"
        return ("string", form, instant)
    if form == "json" and isinstance(parsed, (dict, list)):
        return ("string", "json", json.dumps(parsed, sort_keys=True))
    if form == "json":
        return ("string", "json", json.dumps(parsed))
    return ("string", "text", raw)


def show(value, limit=160):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def compare_maps(where, python, tracez, differences):
    """Appends (where, key, python value, tracez value) for each key that differs; returns (keys, same)."""
    keys = sorted(set(python) | set(tracez))
    same = 0
    for key in keys:
        if key not in tracez:
            differences.append((where, key, show(python[key]), "(missing)"))
        elif key not in python:
            differences.append((where, key, "(missing)", show(tracez[key])))
        elif python[key] != tracez[key]:
            differences.append((where, key, show(python[key]), show(tracez[key])))
        else:
            same += 1
    return len(keys), same


def server_view(span):
    """What Langfuse's OTel ingestion derives beyond the attributes (OtelIngestionProcessor)."""
    attributes = span["attributes"]
    level = attributes.get("langfuse.observation.level", ("string", "ERROR" if span["status_code"] == 2 else "DEFAULT"))[1]
    status = attributes.get("langfuse.observation.status_message", ("string", span["status_message"] or None))[1]
    return {"(server) level": level, "(server) status message": status}


def compare(python, tracez):
    """Returns (differences, rows for the table, problems): a row is (what, type, fields compared, fields equal, its differences)."""
    differences, rows, problems = [], [], []
    for side in (python, tracez):
        missing = [name for name in OBSERVATIONS if name not in side.spans]
        extra = [name for name in side.spans if name not in OBSERVATIONS]
        if missing or extra:
            problems.append(f"{side.name}: observations missing {missing}, unexpected {extra}")
        if len({span["trace_id"] for span in side.spans.values()}) != 1:
            problems.append(f"{side.name}: observations are not all in one trace")

    def row(what, kind, pairs):
        """Compares each (where, python map, tracez map) and adds one table row for them all."""
        before = len(differences)
        keys = same = 0
        for where, pm, tm in pairs:
            k, s = compare_maps(where, pm, tm, differences)
            keys, same = keys + k, same + s
        rows.append((what, kind, keys, same, differences[before:]))

    def parent_name(side, span):
        by_id = {other["span_id"]: other_name for other_name, other in side.spans.items()}
        return by_id.get(span["parent_span_id"], "(root)" if not span["parent_span_id"] else "(unknown parent)")

    def derived(side, span):
        return {**server_view(span), "(parent)": parent_name(side, span), "(zero duration)": span["start"] == span["end"],
                "(status code)": span["status_code"], "(span kind)": span["kind"], "(span events)": span["events"],
                "(status message)": span["status_message"]}

    for name in OBSERVATIONS:
        if name not in python.spans or name not in tracez.spans:
            continue
        where = f"observation {name!r}"
        p, t = python.spans[name], tracez.spans[name]
        pa = {k: normalise(k, v) for k, v in p["attributes"].items() if compared(k) and not trace_level(k)}
        ta = {k: normalise(k, v) for k, v in t["attributes"].items() if compared(k) and not trace_level(k)}
        others_p = {k: v for k, v in p["attributes"].items() if not compared(k)}
        others_t = {k: v for k, v in t["attributes"].items() if not compared(k)}
        kind = p["attributes"].get("langfuse.observation.type", ("", "?"))[1]
        row(name, kind, [(where, pa, ta), (where, others_p, others_t), (where, derived(python, p), derived(tracez, t))])

    # Trace-level attributes: the union over the trace's spans (one key with two values is a problem of its own).
    def trace_union(side):
        union = {}
        for span_name, span in side.spans.items():
            for key, value in span["attributes"].items():
                if trace_level(key):
                    value = normalise(key, value)
                    if key in union and union[key] != value:
                        problems.append(f"{side.name}: {key} differs between spans ({show(union[key])} and, on {span_name!r}, {show(value)})")
                    union.setdefault(key, value)
        return union

    row("(trace)", "", [("trace", trace_union(python), trace_union(tracez))])

    # Score bodies: matched by name; ids replaced by what they point at.
    def score_view(side, event):
        body = event.get("body", {})
        trace_ids = {span["trace_id"] for span in side.spans.values()}
        names_by_id = {span["span_id"]: span_name for span_name, span in side.spans.items()}
        view = {f"(envelope) {key}": "present" for key in event if key != "body"}
        view.update({key: value for key, value in body.items() if key in ("name", "value", "dataType", "comment", "environment", "metadata")})
        view["(other body keys)"] = sorted(key for key in body if key not in ("id", "name", "value", "dataType", "comment", "environment",
                                                                              "metadata", "traceId", "observationId", "sessionId", "datasetRunId"))
        view["(body id)"] = "present" if body.get("id") else "(missing)"
        view["(target)"] = {
            "traceId": ("this trace" if body["traceId"] in trace_ids else "another trace") if "traceId" in body else None,
            "observationId": names_by_id.get(body["observationId"], "unknown") if "observationId" in body else None,
            "sessionId": body.get("sessionId"),
            "datasetRunId": body.get("datasetRunId"),
        }
        return view

    for side in (python, tracez):
        names = sorted(event.get("body", {}).get("name") or "" for event in side.scores)
        if names != sorted(SCORES):
            problems.append(f"{side.name}: scores {names}, expected {sorted(SCORES)}")
    for name in SCORES:
        ps = [score_view(python, e) for e in python.scores if e.get("body", {}).get("name") == name]
        ts = [score_view(tracez, e) for e in tracez.scores if e.get("body", {}).get("name") == name]
        if len(ps) == 1 and len(ts) == 1:
            row(f"score {name}", ps[0].get("dataType", ""), [(f"score {name!r}", ps[0], ts[0])])

    def merged(items):
        return {k: v for item in items for k, v in item.items()}

    def interesting(headers):
        view = {k: v for k, v in headers.items() if k.startswith("x-langfuse") or k in ("content-type", "content-encoding", "user-agent")}
        if "x-langfuse-public-key" in view:  # each side's own key: what matters is that it is sent, and is a public key
            view["x-langfuse-public-key"] = "pk-lf-…" if view["x-langfuse-public-key"].startswith("pk-lf-") else view["x-langfuse-public-key"]
        return view

    row("(resource, scope, headers)", "", [
        ("resource", merged(python.resources), merged(tracez.resources)),
        ("scope", merged(python.scopes), merged(tracez.scopes)),
        ("headers", merged(interesting(h) for h in python.otel_headers), merged(interesting(h) for h in tracez.otel_headers)),
    ])
    return differences, rows, problems


def allowance(where, key):
    for rule in ALLOWED:
        if fnmatchcase(where, rule.where) and fnmatchcase(key, rule.key):
            return rule
    return None


def unexpected_in(python, tracez):
    differences, _, problems = compare(python, tracez)
    return problems + [d for d in differences if not allowance(d[0], d[1])]


def self_check(python, tracez):
    """The comparison must be able to fail: each mutation of the Tracez side below must be caught,
    and the control (the same JSON with its keys in another order) must not be."""
    def mutated(change):
        copy = deepcopy(tracez)
        change(copy)
        return copy

    def set_attribute(span, key, value):
        return lambda side: side.spans[span]["attributes"].__setitem__(key, value)

    def drop_everywhere(key):
        return lambda side: [span["attributes"].pop(key, None) for span in side.spans.values()]

    def rename(span, old, new):
        return lambda side: side.spans[span]["attributes"].__setitem__(new, side.spans[span]["attributes"].pop(old))

    def rescore(side):
        next(e for e in side.scores if e["body"]["name"] == "quality")["body"]["value"] = 0.8

    mutations = {
        "a string output JSON-quoted": set_attribute("support agent", "langfuse.observation.output", ("string", '"Use the reset link in Settings."')),
        "session.id left out": drop_everywhere("session.id"),
        "the prompt version as a string": set_attribute("answer", "langfuse.observation.prompt.version", ("string", "3")),
        "usage under another name": rename("embed query", "langfuse.observation.usage_details", "langfuse.observation.usage"),
        "a score with another value": rescore,
        "an observation missing": lambda side: side.spans.pop("cache miss"),
        "another level": set_attribute("answer", "langfuse.observation.level", ("string", "ERROR")),
    }
    failures = [f"self-check: not caught: {name}" for name, change in mutations.items() if not unexpected_in(python, mutated(change))]
    reordered = json.dumps(dict(reversed(list(json.loads(tracez.spans["answer"]["attributes"]["langfuse.observation.model.parameters"][1]).items()))))
    control = mutated(set_attribute("answer", "langfuse.observation.model.parameters", ("string", reordered)))
    if unexpected_in(python, control) != unexpected_in(python, tracez):
        failures.append("self-check: JSON key order made a difference")
    return failures


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tracez, tracez_problems = decode("tracez", tracez_side(sys.argv[1]))
    python, python_problems = decode("python", python_side())
    differences, rows, problems = compare(python, tracez)
    problems = python_problems + tracez_problems + problems
    if not problems:
        problems += self_check(python, tracez)
    # A listed difference that no longer occurs (fixed, say) must leave the list, so that it stays true.
    used = {id(allowance(d[0], d[1])) for d in differences}
    problems += [f"allow-list entry matched nothing, remove it: {rule.where} / {rule.key}" for rule in ALLOWED if id(rule) not in used]

    unexpected = []
    print(f"{'what':<28} {'type':<12} {'fields':>6} {'same':>5} {'allowed':>7} {'unexpected':>10}")
    for name, kind, keys, same, found in rows:
        allowed = [d for d in found if allowance(d[0], d[1])]
        bad = [d for d in found if not allowance(d[0], d[1])]
        unexpected += bad
        print(f"{name:<28} {kind:<12} {keys:>6} {same:>5} {len(allowed):>7} {len(bad):>10}")
    print()
    todos = [d for d in differences if (rule := allowance(d[0], d[1])) and rule.todo]
    if todos:
        print("Known differences still to fix (TODO(issue 12)):")
        for where, key, p, t in todos:
            print(f"  {where}: {key}: python {p}, tracez {t}")
        print()
    if problems or unexpected:
        for problem in problems:
            print(f"PROBLEM: {problem}")
        for where, key, p, t in unexpected:
            print(f"UNEXPECTED DIFFERENCE: {where}: {key}: python {p}, tracez {t}")
        print(f"side_by_side: FAILED ({len(problems)} problems, {len(unexpected)} unexpected differences)")
        return 1
    print(f"side_by_side: OK: {len(OBSERVATIONS)} observations, {len(SCORES)} scores, the trace; "
          f"{len(differences)} differences, all in the allow-list")
    return 0


if __name__ == "__main__":
    sys.exit(main())
