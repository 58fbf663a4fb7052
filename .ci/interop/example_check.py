#!/usr/bin/env python3
"""Checks what Examples/ChatService sent: one trace per request across its two processes.

Usage: example_check.py CAPTURE_DIR REQUESTS

CAPTURE_DIR holds what capture_server.py kept while the example's frontend and backend ran
with OTLP and Langfuse both configured (NNNN.body + NNNN.json each). REQUESTS is how many
`GET /chat` requests were sent, request i with x-user-id user-i and x-session-id session-i.

OTLP (/v1/traces), decoded with the PyPI package opentelemetry-proto, must hold for each request
one trace with: the frontend's server span (Hummingbird's TracingMiddleware), its client span
(AsyncHTTPClient) as the server span's child, the backend's server span as the client span's
child (the parent link crosses the process boundary through `traceparent`), and the generation;
every one of those spans carrying the request's user.id and session.id (the backend gets them
only in the `baggage` header, from the frontend's `withTrace(..., propagation: .baggage)`). Langfuse's OTel endpoint
(/api/public/otel/v1/traces) must get the same spans, the generation typed as one.
"""
import gzip
import json
import os
import sys
from collections import defaultdict

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

PROBLEMS = []


def report(message):
    PROBLEMS.append(message)


def spans_by_path(directory):
    """path → [(service name, span)] of every OTel request captured."""
    found = defaultdict(list)
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".body"):
            continue
        base = os.path.join(directory, name[: -len(".body")])
        with open(base + ".json") as f:
            meta = json.load(f)
        with open(base + ".body", "rb") as f:
            body = f.read()
        headers = {k.lower(): v for k, v in meta["headers"].items()}
        if not meta["path"].endswith("/v1/traces"):
            continue
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource in request.resource_spans:
            service = next((a.value.string_value for a in resource.resource.attributes if a.key == "service.name"), "")
            for scope in resource.scope_spans:
                for span in scope.spans:
                    found[meta["path"]].append((service, span))
    return found


def attributes(span):
    result = {}
    for attribute in span.attributes:
        kind = attribute.value.WhichOneof("value")
        result[attribute.key] = getattr(attribute.value, kind) if kind else None
    return result


def check_traces(spans, requests, where, needs_client_and_backend):
    traces = defaultdict(list)
    for service, span in spans:
        traces[span.trace_id].append((service, span))
    if len(traces) != requests:
        report(f"{where}: {len(traces)} traces, expected one per request ({requests})")
    users = set()
    for trace_id, members in traces.items():
        at = f"{where}: trace {trace_id.hex()}"
        by_id = {span.span_id: (service, span) for service, span in members}
        server = [s for svc, s in members if svc == "chat-frontend" and s.kind == Span.SPAN_KIND_SERVER]
        generation = [s for svc, s in members if attributes(s).get("langfuse.observation.type") == "generation"]
        if len(server) != 1 or len(generation) != 1:
            report(f"{at}: {len(server)} frontend server spans and {len(generation)} generations, expected 1 and 1")
            continue
        if needs_client_and_backend:
            client = [s for svc, s in members if svc == "chat-frontend" and s.kind == Span.SPAN_KIND_CLIENT]
            backend = [s for svc, s in members if svc == "chat-backend" and s.kind == Span.SPAN_KIND_SERVER]
            if len(client) != 1 or len(backend) != 1:
                report(f"{at}: {len(client)} client spans and {len(backend)} backend server spans, expected 1 and 1")
                continue
            if client[0].parent_span_id != server[0].span_id:
                report(f"{at}: the client span is not the frontend server span's child")
            if backend[0].parent_span_id != client[0].span_id:
                report(f"{at}: the backend's server span is not the client span's child (traceparent lost)")
        if generation[0].parent_span_id not in by_id:
            report(f"{at}: the generation's parent is not in the trace")
        expected = None
        for service, span in members:
            attrs = attributes(span)
            user, session = attrs.get("user.id"), attrs.get("session.id")
            if user is None or session is None:
                report(f"{at}: {service} span {span.name!r} carries no user.id or session.id")
                continue
            if expected is None:
                expected = (user, session)
            elif (user, session) != expected:
                report(f"{at}: span {span.name!r} has {(user, session)}, others {expected}")
        if expected:
            if expected[1] != expected[0].replace("user-", "session-"):
                report(f"{at}: user {expected[0]} with session {expected[1]}")
            users.add(expected[0])
    if len(users) != requests:
        report(f"{where}: {len(users)} distinct users, expected {requests}")
    return len(traces), sum(len(m) for m in traces.values())


def main(directory, requests):
    paths = spans_by_path(directory)
    otlp = paths.get("/v1/traces", [])
    langfuse = paths.get("/api/public/otel/v1/traces", [])
    traces, spans = check_traces(otlp, requests, "OTLP", needs_client_and_backend=True)
    print(f"example_check: OTLP: {traces} traces, {spans} spans across chat-frontend and chat-backend")
    traces, spans = check_traces(langfuse, requests, "Langfuse", needs_client_and_backend=True)
    print(f"example_check: Langfuse: {traces} traces, {spans} spans")
    if PROBLEMS:
        for problem in PROBLEMS[:20]:
            print(f"example_check: FAIL: {problem}")
        print(f"example_check: {len(PROBLEMS)} problems")
        sys.exit(1)
    print("example_check: every request one trace across both processes, parents linked, user and session on every span")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
