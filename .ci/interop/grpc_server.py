#!/usr/bin/env python3
"""An OTLP/gRPC trace collector on loopback that keeps every request it receives, for CI's
interop checks (the gRPC twin of capture_server.py), built on grpcio and opentelemetry-proto.

Usage: grpc_server.py DIRECTORY PORT_FILE [--fail-first N] [--reject-spans K]

Serves opentelemetry.proto.collector.trace.v1.TraceService/Export on 127.0.0.1, on a free port
that it writes to PORT_FILE once serving, and for each request saves DIRECTORY/NNNN.pb (the
serialized ExportTraceServiceRequest exactly as it arrived, after gRPC decompression) and
DIRECTORY/NNNN.json (method, metadata, the compression the message arrived with, and the answer
given). Answers with an empty ExportTraceServiceResponse (full success), except:
  --fail-first N    the first N requests get the status UNAVAILABLE (retryable), to test retries;
  --reject-spans K  the first request not failed gets partial_success { rejected_spans: K }.
Stops cleanly on SIGTERM or SIGINT.

How compression is seen: grpcio decompresses transparently and hides grpc-encoding, both from
context.invocation_metadata() and from a ServerInterceptor's handler_call_details, and has no
API that says whether a received message was compressed. So the port clients connect to is a
byte-for-byte TCP relay in front of grpcio that reads the HTTP/2 DATA frames going in: each gRPC
message starts with a compressed flag and a length, and a message with the flag set must
decompress to the bytes grpcio hands the handler. The relay records every message it sees by the SHA-256 of
its uncompressed bytes, before forwarding its last byte, and the handler looks its request up
there: "gzip" (flag set, gzip data), "deflate" (flag set, zlib data), "none" (flag clear), or
"unknown" (the relay did not see it, or could not decompress it; the check fails on that).
The relay reads HTTP/2 with prior knowledge, as gRPC clients speak it to an http:// endpoint;
TLS, or an HTTP/1.1 upgrade to h2c, would leave every request "unknown".
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import signal
import socket
import struct
import threading
import zlib
from concurrent import futures

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService"
HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

parser = argparse.ArgumentParser(description="OTLP/gRPC capture server for CI")
parser.add_argument("directory")
parser.add_argument("port_file")
parser.add_argument("--fail-first", type=int, default=0, metavar="N")
parser.add_argument("--reject-spans", type=int, default=0, metavar="K")
args = parser.parse_args()
os.makedirs(args.directory, exist_ok=True)

lock = threading.Lock()
counter = [0]
answered_ok = [0]
# What the relay saw: SHA-256 of a message's uncompressed bytes -> list of (compression, wire size),
# one entry per message (a retried request sends the same bytes again).
seen_on_wire = {}


def record_wire_message(flag, payload):
    """Called by the relay for each complete gRPC message a client sent."""
    if flag == 0:
        compression, plain = "none", payload
    else:
        # gRPC's gzip is gzip data; its deflate, zlib data. Anything else cannot be matched to
        # the handler's request, which then says "unknown".
        try:
            compression, plain = "gzip", gzip.decompress(payload)
        except (OSError, EOFError, zlib.error):
            try:
                compression, plain = "deflate", zlib.decompress(payload)
            except zlib.error:
                compression, plain = "unreadable", payload
    with lock:
        seen_on_wire.setdefault(hashlib.sha256(plain).hexdigest(), []).append((compression, len(payload)))


class StreamParser:
    """Reads the client-to-server half of an HTTP/2 connection (prior knowledge, no TLS) and
    reports each gRPC message in its DATA frames. Everything else (headers, settings, ...) is
    skipped; HPACK is not needed. Once something does not parse, it stops reading (the relay
    still forwards), and the handler then finds no record: compression "unknown"."""

    def __init__(self):
        self.buffer = b""
        self.preface_seen = False
        self.broken = False
        self.streams = {}  # stream id -> bytes of gRPC framing not yet consumed

    def feed(self, data):
        if self.broken:
            return
        self.buffer += data
        if not self.preface_seen:
            if len(self.buffer) < len(HTTP2_PREFACE):
                return
            if not self.buffer.startswith(HTTP2_PREFACE):
                self.broken = True
                return
            self.buffer = self.buffer[len(HTTP2_PREFACE):]
            self.preface_seen = True
        # Frame header: 24-bit length, type, flags, 31-bit stream id.
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[0:3], "big")
            if len(self.buffer) < 9 + length:
                return
            frame_type, flags = self.buffer[3], self.buffer[4]
            stream = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
            payload = self.buffer[9 : 9 + length]
            self.buffer = self.buffer[9 + length :]
            if frame_type == 0x0:  # DATA
                if flags & 0x8:  # PADDED: a pad length byte, then the data, then the padding
                    if not payload or payload[0] >= len(payload):
                        self.broken = True
                        return
                    payload = payload[1 : len(payload) - payload[0]]
                self.read_messages(stream, payload)

    def read_messages(self, stream, data):
        # gRPC framing: 1-byte compressed flag, 4-byte big-endian length, then the message.
        pending = self.streams.get(stream, b"") + data
        while len(pending) >= 5:
            flag, size = pending[0], struct.unpack(">I", pending[1:5])[0]
            if len(pending) < 5 + size:
                break
            record_wire_message(flag, pending[5 : 5 + size])
            pending = pending[5 + size :]
        self.streams[stream] = pending


def pump(source, destination, parser):
    """Copies one direction of a relayed connection; parses it first when given a parser."""
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            if parser:
                parser.feed(data)
            destination.sendall(data)
    except OSError:
        pass
    finally:
        # Pass the end on: the other side sees EOF, and the other pump ends in turn.
        for sock, how in ((destination, socket.SHUT_WR), (source, socket.SHUT_RD)):
            try:
                sock.shutdown(how)
            except OSError:
                pass


def relay(listener, upstream_port):
    """Accepts clients and joins each to grpcio's port, parsing what the client sends."""
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return  # the listener was closed: shutting down
        try:
            upstream = socket.create_connection(("127.0.0.1", upstream_port))
        except OSError:
            client.close()  # grpcio is stopping; the client sees the connection close
            continue
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=pump, args=(client, upstream, StreamParser()), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client, None), daemon=True).start()


def metadata_as_json(metadata):
    # A list of pairs, as keys may repeat; binary (-bin) values as base64.
    return [[m.key, base64.b64encode(m.value).decode() if isinstance(m.value, bytes) else m.value] for m in metadata]


class TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def Export(self, request_bytes, context):
        # request_bytes is the raw serialized message (see the handler registration below).
        digest = hashlib.sha256(request_bytes).hexdigest()
        with lock:
            counter[0] += 1
            number = counter[0]
            entries = seen_on_wire.get(digest)
            compression, wire_size = entries.pop(0) if entries else ("unknown", None)
            fail = number <= args.fail_first
            reject = not fail and answered_ok[0] == 0 and args.reject_spans > 0
            if not fail:
                answered_ok[0] += 1
        response = trace_service_pb2.ExportTraceServiceResponse()
        if reject:
            response.partial_success.rejected_spans = args.reject_spans
            response.partial_success.error_message = f"grpc_server.py --reject-spans {args.reject_spans}"
        answer = {"status": "UNAVAILABLE" if fail else "OK"}
        if reject:
            answer["rejected_spans"] = args.reject_spans
        base = os.path.join(args.directory, f"{number:04d}")
        with open(base + ".pb", "wb") as f:
            f.write(request_bytes)
        with open(base + ".json", "w") as f:
            json.dump(
                {
                    "method": f"/{SERVICE}/Export",
                    "metadata": metadata_as_json(context.invocation_metadata()),
                    "compression": compression,
                    "wire_size": wire_size,
                    "size": len(request_bytes),
                    "answer": answer,
                },
                f,
            )
        if fail:
            context.abort(grpc.StatusCode.UNAVAILABLE, f"grpc_server.py --fail-first {args.fail_first}")
        return response


# What add_TraceServiceServicer_to_server registers, with one change: no request deserializer,
# so the handler gets the message's bytes as they arrived and the capture is not re-serialized.
# (The path is the generated stub's; a client on another path would get UNIMPLEMENTED.)
service = TraceService()
handler = grpc.method_handlers_generic_handler(
    SERVICE,
    {
        "Export": grpc.unary_unary_rpc_method_handler(
            service.Export,
            request_deserializer=None,
            response_serializer=trace_service_pb2.ExportTraceServiceResponse.SerializeToString,
        )
    },
)
server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
server.add_generic_rpc_handlers((handler,))
upstream_port = server.add_insecure_port("127.0.0.1:0")
server.start()

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
threading.Thread(target=relay, args=(listener, upstream_port), daemon=True).start()

stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())

with open(args.port_file + ".tmp", "w") as f:
    f.write(str(listener.getsockname()[1]))
os.rename(args.port_file + ".tmp", args.port_file)

stop.wait()
listener.shutdown(socket.SHUT_RDWR)  # wakes the relay's accept
listener.close()
server.stop(grace=1).wait()
