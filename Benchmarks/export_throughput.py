#!/usr/bin/env python3
"""Sustained export throughput of Tracez and swift-otel against a slow backend.

For each backend delay (0, 20 and 100 ms a request) and each concurrency (Tracez's
maxConcurrentExports 1, 4 and 16; swift-otel sends one batch at a time and has no such
setting), finds the highest rate, on a ladder that doubles, at which the tracer delivers every
span it recorded in a trial of --seconds: nothing dropped, everything at the backend. Then runs
one trial as fast as the recording task can go, to show what happens past that rate: how many
spans a second reach the backend, how many are dropped, and the resident memory.

Each trial is a process of its own (ExportThroughput trial ...), so that its CPU time and peak
resident memory are its own; the backend is another process (ExportThroughput backend ...).

    swift build -c release --product ExportThroughput   # in Benchmarks/
    python3 export_throughput.py [--seconds 3] [--json out.json]

Prints a Markdown table. The machine should be otherwise idle: run `uptime` before and after.
"""
import argparse
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
BINARY = HERE / ".build" / "release" / "ExportThroughput"
LADDER = [2_500, 5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000]


class Backend:
    """ExportThroughput backend DELAY_MS, asked for its span count between trials."""

    def __init__(self, delay_ms):
        self.process = subprocess.Popen([str(BINARY), "backend", str(delay_ms)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first = self.process.stdout.readline().split()
        if len(first) != 2 or first[0] != "port":
            raise SystemExit(f"the backend did not start: {first}")
        self.port = int(first[1])

    def count(self):
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


def trial(backend, tracer, rate, seconds, concurrency):
    """One trial: the tracer's own figures, and what the backend received during it."""
    before = backend.count()
    output = subprocess.run(
        [str(BINARY), "trial", tracer, str(backend.port), str(rate), str(seconds), str(concurrency)],
        capture_output=True, text=True, timeout=600,
    )
    if output.returncode != 0:
        raise SystemExit(f"trial {tracer} rate {rate} failed: {output.stderr[-2000:]}")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["received"] = backend.count() - before
    result["rate"] = rate
    # Delivered whole: the backend got every span recorded, and the tracer dropped none.
    result["whole"] = result["received"] == result["recorded"] and result["dropped"] == 0
    return result


def ladder(backend, tracer, seconds, concurrency):
    """The highest rate of the ladder delivered whole (or None), and that trial. When even the
    first rung is not, the rate is halved until it is (down to about 300 spans a second)."""
    def run(rate):
        result = trial(backend, tracer, rate, seconds, concurrency)
        print(f"  {tracer} c={concurrency} {rate}/s: recorded {result['recorded']}, received {result['received']}, "
              f"dropped {result['dropped']}, cpu {result['cpu_seconds']:.2f} s, {result['peak_resident_mib']} MiB", file=sys.stderr)
        return result

    best = None
    for rate in LADDER:
        result = run(rate)
        if not result["whole"]:
            break
        best = result
    rate = LADDER[0]
    while best is None and rate > 300:
        rate //= 2
        result = run(rate)
        if result["whole"]:
            best = result
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="how long each trial records")
    parser.add_argument("--delays", default="0,20,100", help="backend delays in ms, comma-separated")
    parser.add_argument("--json", help="write every trial here")
    args = parser.parse_args()
    if not BINARY.exists():
        raise SystemExit(f"{BINARY} is missing: swift build -c release --product ExportThroughput")

    rows, trials = [], []
    for delay in [int(d) for d in args.delays.split(",")]:
        backend = Backend(delay)
        try:
            for tracer, concurrency in [("tracez", 1), ("tracez", 4), ("tracez", 16), ("swift-otel", 1)]:
                print(f"delay {delay} ms, {tracer}, concurrency {concurrency}", file=sys.stderr)
                best = ladder(backend, tracer, args.seconds, concurrency)
                flat_out = trial(backend, tracer, 0, args.seconds, concurrency)
                trials += [t for t in (best, flat_out) if t]
                rows.append((delay, tracer, concurrency, best, flat_out))
        finally:
            backend.stop()

    print("| backend delay | tracer | concurrent exports | delivered whole (spans/s) | CPU per span | CPU, share of a core | "
          "as fast as it records: recorded/s | reached the backend/s | dropped | peak resident |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for delay, tracer, concurrency, best, flat_out in rows:
        whole = f"{best['rate']:,}" if best else "< 300"
        cpu = f"{best['cpu_seconds'] / max(best['received'], 1) * 1e6:.1f} µs" if best else "–"
        share = f"{best['cpu_seconds'] / best['total_seconds'] * 100:.0f} %" if best else "–"
        seconds = flat_out["producing_seconds"]
        concurrency_text = str(concurrency) if tracer == "tracez" else "1 (fixed)"
        print(f"| {delay} ms | {tracer} | {concurrency_text} | {whole} | {cpu} | {share} | {flat_out['recorded'] / seconds:,.0f} | "
              f"{flat_out['received'] / flat_out['total_seconds']:,.0f} | {flat_out['dropped']:,}"
              f"{'' if tracer == 'tracez' else ' (logged)'} | {flat_out['peak_resident_mib']} MiB |")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(trials, indent=1))


if __name__ == "__main__":
    main()
