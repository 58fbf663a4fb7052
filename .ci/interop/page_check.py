#!/usr/bin/env python3
"""The live /tracez page in a real browser.

Starts `tracez demo --traces N --serve PORT`, waits until the page has read every span, loads
/tracez in headless Chromium (Debian's package) and checks the rendered DOM: the demo's span
names, counts and histogram cells equal to what /tracez.json says at the same moment (the demo
is idle by then), the pipeline row equal to the JSON's collector counters, and a sample link
that leads to a page with the sample's trace tree. Then stops the demo with SIGTERM and checks
its summary line.

usage: page_check.py TRACEZ_BINARY TRACES [--screenshot PNG]
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser

DEMO_SPANS = ["POST /v1/chat", "cache lookup", "chat gpt-4o", "chat gpt-4o-mini", "embed query",
              "retrieve context", "tool calendar", "tool weather", "vector search"]


def fail(message):
    print(f"page check: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def chromium(*arguments):
    profile = tempfile.mkdtemp(prefix="tracez-chromium-")
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--user-data-dir={profile}", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        fail(f"chromium exited with {result.returncode}: {result.stderr[-2000:]}")
    return result.stdout


class Page(HTMLParser):
    """The span rows, the pipeline rows and the links of a rendered /tracez page."""

    def __init__(self):
        super().__init__()
        self.spans = {}      # name -> list of (classes, text) cells
        self.pipelines = {}  # collector -> list of (classes, text) cells
        self.links = []
        self.pres = []
        self._row = None
        self._cell = None
        self._in_pre = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-span-name" in attrs:
            self._row = self.spans.setdefault(attrs["data-span-name"], [])
        elif tag == "tr" and "data-collector" in attrs:
            self._row = self.pipelines.setdefault(attrs["data-collector"], [])
        elif tag == "td" and self._row is not None:
            self._cell = [attrs.get("class", "").split(), ""]
            self._row.append(self._cell)
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        elif tag == "pre":
            self._in_pre = True
            self.pres.append("")

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        elif tag == "td":
            self._cell = None
        elif tag == "pre":
            self._in_pre = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data
        if self._in_pre:
            self.pres[-1] += data


def cells(row, cls):
    return [text.strip() for classes, text in row if cls in classes]


def main():
    binary, traces = sys.argv[1], int(sys.argv[2])
    screenshot = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--screenshot" else None
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stdout = open("/tmp/tracez-page-demo.out", "w")
    stderr = open("/tmp/tracez-page-demo.err", "w")
    demo = subprocess.Popen([binary, "demo", "--traces", str(traces), "--serve", str(port)], stdout=stdout, stderr=stderr)
    try:
        expected = traces * len(DEMO_SPANS)
        deadline = time.time() + 60
        snapshot = None
        while time.time() < deadline:
            try:
                snapshot = get_json(base + "/tracez.json")
                pipeline = snapshot["pipelines"][0]["collector"]
                if sum(n["count"] for n in snapshot["spanNames"]) == expected and pipeline["exported"] == expected:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            fail(f"the page did not show {expected} spans within 60 s; last /tracez.json: {json.dumps(snapshot)[:2000]}")

        page = Page()
        page.feed(chromium("--dump-dom", base + "/tracez"))
        after = get_json(base + "/tracez.json")
        if after["spanNames"] != snapshot["spanNames"]:
            fail("the span counts moved while the demo was idle")

        names = {n["name"]: n for n in after["spanNames"]}
        if sorted(names) != sorted(DEMO_SPANS) or sorted(page.spans) != sorted(DEMO_SPANS):
            fail(f"span names: JSON {sorted(names)}, page {sorted(page.spans)}, demo {DEMO_SPANS}")
        for name, row in page.spans.items():
            summary = names[name]
            shown = (cells(row, "count"), cells(row, "errors"), cells(row, "bucket"))
            wanted = ([str(summary["count"])], [str(summary["errors"])], [str(n) for n in summary["latency"]])
            if shown != wanted:
                fail(f"row {name!r} shows count/errors/latency {shown}, /tracez.json says {wanted}")
            if summary["count"] != traces:
                fail(f"{name!r}: {summary['count']} spans, the demo ran {traces} traces")

        collector = after["pipelines"][0]["collector"]
        row = page.pipelines.get(collector["name"])
        if row is None:
            fail(f"no pipeline row for collector {collector['name']!r}: {sorted(page.pipelines)}")
        for field in ("recorded", "exported", "pending"):
            if cells(row, field) != [str(collector[field])]:
                fail(f"pipeline {field}: page {cells(row, field)}, /tracez.json {collector[field]}")

        samples = [link for link in page.links if "/samples?" in link]
        if len(samples) < len(DEMO_SPANS):
            fail(f"{len(samples)} sample links, expected one per span name at least")
        link = next(l for l in samples if "POST" in urllib.parse.unquote(l))
        sample = Page()
        sample.feed(chromium("--dump-dom", urllib.parse.urljoin(base + "/tracez", link)))
        if not sample.pres or not sample.pres[0].startswith("trace ") or "POST /v1/chat" not in sample.pres[0]:
            fail(f"the sample page at {link} shows no trace tree: {sample.pres[:1]}")
        if not any(l.endswith("tracez") for l in sample.links):
            fail("the sample page has no link back to /tracez")
        tree_lines = sample.pres[0].count("\n")
        if screenshot:
            chromium(f"--screenshot={screenshot}", "--window-size=1280,860", base + "/tracez")
        print(f"page check: {len(page.spans)} span names, {sum(n['count'] for n in names.values())} spans and every "
              f"histogram cell as /tracez.json says; pipeline counters match; {len(samples)} sample links, "
              f"one followed to a trace tree of {tree_lines} lines")
    finally:
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            demo.kill()
            fail("the demo did not stop within 30 s of SIGTERM")
    stdout.close()
    with open("/tmp/tracez-page-demo.out") as f:
        lines = f.read().splitlines()
    wanted = f"recorded={expected} exported={expected} dropped=0"
    if not lines or lines[-1] != wanted:
        fail(f"the demo's last line is {lines[-1:]!r}, expected {wanted!r}")
    print(f"page check: the demo stopped on SIGTERM with '{wanted}'")


if __name__ == "__main__":
    main()
