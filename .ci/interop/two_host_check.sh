#!/usr/bin/env bash
# Two hosts on one machine: `tracez demo` in one network namespace exports over OTLP/HTTP
# (protobuf, gzip) across a veth pair with 50 ms of delay and 1 % loss each way to
# capture_server.py in another namespace, and the demo's summary must stay exact
# (exported == recorded, dropped == 0), with every span it counted decoded on the far side by
# opentelemetry-proto (otlp_check.py).
#
#   two_host_check.sh TRACEZ_BINARY [TRACES]   (TRACES: the demo's --traces, default 20)
#
#   TRACEZ_TWO_HOST_DELAY_MS       delay each way, in whole ms (default 50)
#   TRACEZ_TWO_HOST_LOSS_PERCENT   loss each way, in % (default 1; e.g. 10 to try a worse link by hand)
#
# The link's delay and loss come from `tc qdisc ... netem` on both ends of the veth. A kernel
# built without netem (CONFIG_NET_SCH_NETEM unset and no modules, as on the CI machine) gets the
# same link from netfilter instead: in each namespace, iptables drops 1 % of what arrives on the
# veth (-m statistic) and hands the rest to an NFQUEUE, where a small Python program (below)
# holds each packet 50 ms before letting it go. On arrival, not on departure: a packet dropped
# in the sender's OUTPUT chain fails the send, and TCP would just send it again at once instead
# of recovering from a loss it cannot see, as it must on a real link (and as with netem). The
# script says which one it used.
#
# Needs root, `ip netns` and one of the two; when the set-up cannot be done it prints
# `two-host check skipped: <why>` and exits 0. Whatever it created (namespaces, veth, rules,
# processes) is removed when it exits; what the receiver got stays in /tmp/tracez-two-host.
# Exits 1 on a demo summary that is not exact, on spans that do not decode to the summary, or
# on a link that does not show the configured delay.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ $# -ge 1 ] || { echo "usage: $0 TRACEZ_BINARY [TRACES]"; exit 2; }
binary=$(realpath "$1")
traces=${2:-20}
[ -x "$binary" ] || { echo "two-host check: $binary is not an executable"; exit 1; }

delay_ms=${TRACEZ_TWO_HOST_DELAY_MS:-50}
loss_percent=${TRACEZ_TWO_HOST_LOSS_PERCENT:-1}
# A private /24 that only exists inside the two namespaces.
address_a=10.231.0.1
address_b=10.231.0.2
ns_a=tracez-a-$$
ns_b=tracez-b-$$
veth_a=tzva$$
veth_b=tzvb$$
work=/tmp/tracez-two-host

skip() {
  echo "two-host check skipped: $*"
  exit 0
}

fail() {
  echo "two-host check FAILED: $*"
  exit 1
}

# Everything made below is undone here, whatever ends the script. Processes first (those in a
# namespace keep it alive), then the namespaces, which take the veth and their rules with them.
pids=()
created=()
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
  for ns in ${created[@]+"${created[@]}"}; do ip netns delete "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

# Runs a set-up step; if it fails, skips the whole check with the step and its error.
setup() {
  local out
  out=$("$@" 2>&1) || skip "\`$*\` failed: ${out:-no message}"
}

echo "== two hosts on one machine: namespaces $ns_a ($address_a) and $ns_b ($address_b), ${delay_ms} ms delay and ${loss_percent} % loss each way"
[ "$(id -u)" -eq 0 ] || skip "not root (network namespaces, veth and qdiscs need it)"
command -v ip >/dev/null || skip "no \`ip\` command (iproute2)"
rm -rf "$work"
mkdir -p "$work"
setup ip netns add "$ns_a"
created+=("$ns_a")
setup ip netns add "$ns_b"
created+=("$ns_b")
setup ip link add "$veth_a" netns "$ns_a" type veth peer name "$veth_b" netns "$ns_b"
setup ip -n "$ns_a" address add "$address_a/24" dev "$veth_a"
setup ip -n "$ns_b" address add "$address_b/24" dev "$veth_b"
for ns in "$ns_a" "$ns_b"; do setup ip -n "$ns" link set lo up; done
# One wire-sized packet per skb: with TSO/GSO a 64 KB burst would be one "packet" to the
# impairment, and lost or kept whole, which is not what 1 % loss on a real link does.
setup ip -n "$ns_a" link set "$veth_a" gso_max_segs 1 up
setup ip -n "$ns_b" link set "$veth_b" gso_max_segs 1 up

# Holds every packet that netfilter queues to it (NFQUEUE number argv[1]) for argv[2] ms, then
# accepts it, in arrival order. Speaks nfnetlink_queue over a raw netlink socket, so it needs
# nothing but Python. Prints "ready" once bound to the queue.
write_delayer() {
  cat >"$work/delayer.py" <<'PYTHON'
import errno, os, select, socket, struct, sys, time

queue, delay = int(sys.argv[1]), float(sys.argv[2]) / 1000
NETLINK_NETFILTER, SUBSYS_QUEUE = 12, 3
MSG_PACKET, MSG_VERDICT, MSG_CONFIG = 0, 1, 2
NLM_F_REQUEST, NLM_F_ACK, NLMSG_ERROR = 1, 4, 2
NF_ACCEPT = 1
sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
sock.bind((0, 0))
sequence = 0


def attribute(kind, payload):
    return struct.pack("=HH", 4 + len(payload), kind) + payload + b"\0" * (-len(payload) % 4)


def send(message, attributes, flags):
    global sequence
    sequence += 1
    body = struct.pack("!BBH", socket.AF_UNSPEC, 0, queue) + b"".join(attributes)
    header = struct.pack("=IHHII", 16 + len(body), (SUBSYS_QUEUE << 8) | message, flags, sequence, 0)
    sock.send(header + body)


def configure(attributes):
    send(MSG_CONFIG, attributes, NLM_F_REQUEST | NLM_F_ACK)
    answer = sock.recv(65536)
    if struct.unpack_from("=H", answer, 4)[0] == NLMSG_ERROR:
        error = struct.unpack_from("=i", answer, 16)[0]
        if error:
            sys.exit(f"nfnetlink_queue configuration failed: {os.strerror(-error)}")


configure([attribute(1, struct.pack("!BxH", 1, 0))])  # NFQA_CFG_CMD: bind to the queue
# NFQA_CFG_PARAMS: copy no packet bytes, only the metadata (the id); NFQA_CFG_QUEUE_MAXLEN.
configure([attribute(2, struct.pack("!IB", 0, 1)), attribute(3, struct.pack("!I", 65536))])
print("ready", flush=True)
held = []  # [due time, packet id]; one delay for all, so arrival order is release order
while True:
    timeout = max(0.0, held[0][0] - time.monotonic()) if held else None
    if select.select([sock], [], [], timeout)[0]:
        try:
            data = sock.recv(1 << 20)
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            data = b""  # the packets whose messages were lost get retransmitted by TCP
        now = time.monotonic()
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if kind == (SUBSYS_QUEUE << 8) | MSG_PACKET:
                at = offset + 20  # past nlmsghdr and nfgenmsg
                while at + 4 <= offset + length:
                    size, attribute_kind = struct.unpack_from("=HH", data, at)
                    if attribute_kind & 0x3FFF == 1:  # NFQA_PACKET_HDR, the packet id first
                        held.append((now + delay, struct.unpack_from("!I", data, at + 4)[0]))
                    at += (max(size, 4) + 3) & ~3
            offset += (max(length, 16) + 3) & ~3
    now = time.monotonic()
    while held and held[0][0] <= now:
        send(MSG_VERDICT, [attribute(2, struct.pack("!II", NF_ACCEPT, held.pop(0)[1]))], NLM_F_REQUEST)
PYTHON
}

# Delay and loss on both ends: netem if the kernel has it, otherwise iptables and the delayer.
impairment=""
netem_error=""
if command -v tc >/dev/null; then
  # Where netem is a module, it may not be loaded yet; where it is neither built in nor a module,
  # the qdisc below says so.
  if command -v modprobe >/dev/null; then modprobe sch_netem 2>/dev/null || true; fi
  if netem_error=$(ip netns exec "$ns_a" tc qdisc add dev "$veth_a" root netem delay "${delay_ms}ms" loss "${loss_percent}%" 2>&1); then
    setup ip netns exec "$ns_b" tc qdisc add dev "$veth_b" root netem delay "${delay_ms}ms" loss "${loss_percent}%"
    impairment=netem
  fi
else
  netem_error="no \`tc\` command"
fi
if [ -z "$impairment" ]; then
  command -v iptables >/dev/null \
    || skip "\`tc qdisc add dev $veth_a root netem delay ${delay_ms}ms loss ${loss_percent}%\` failed (${netem_error:-no message}), and there is no iptables to make the same link with NFQUEUE"
  write_delayer
  for pair in "$ns_a $veth_a" "$ns_b $veth_b"; do
    read -r ns veth <<<"$pair"
    ip netns exec "$ns" python3 "$work/delayer.py" 0 "$delay_ms" >"$work/delayer-$ns.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do grep -qs ready "$work/delayer-$ns.log" && break; sleep 0.1; done
    grep -qs ready "$work/delayer-$ns.log" || skip "netem is not available (${netem_error:-no message}), and the NFQUEUE delayer did not start: $(cat "$work/delayer-$ns.log")"
    setup ip netns exec "$ns" iptables -A INPUT -i "$veth" -m statistic --mode random --probability "$(awk -v p="$loss_percent" 'BEGIN { print p / 100 }')" -j DROP
    setup ip netns exec "$ns" iptables -A INPUT -i "$veth" -j NFQUEUE --queue-num 0
  done
  impairment=nfqueue
  echo "netem is not available here (\`tc qdisc add ... netem\`: ${netem_error:-no message}); the same link from iptables -m statistic (loss) and an NFQUEUE delayer (delay), on both ends"
else
  echo "netem on both ends: $(ip netns exec "$ns_a" tc qdisc show dev "$veth_a")"
fi

# The receiver, in namespace B on B's address.
ip netns exec "$ns_b" python3 .ci/interop/capture_server.py "$work/captures" "$work/port" "$address_b" 2>"$work/receiver.log" &
receiver=$!
pids+=("$receiver")
for _ in $(seq 50); do [ -f "$work/port" ] && break; sleep 0.1; done
[ -f "$work/port" ] || fail "the receiver did not start in $ns_b: $(cat "$work/receiver.log")"
port=$(cat "$work/port")

# The link as configured: round trips from A to B of about twice the delay. The TCP connect
# time is a SYN and its SYN-ACK, one round trip (a lost SYN or SYN-ACK adds a second or more, so
# the fastest of 10 is the one to judge the delay by); ping too where there is one.
if command -v ping >/dev/null; then
  ip netns exec "$ns_a" ping -c 5 -i 0.2 "$address_b" | tail -n 2 || true
fi
rtt=$(ip netns exec "$ns_a" python3 -c '
import socket, statistics, sys, time
times = []
for _ in range(10):
    start = time.monotonic()
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10).close()
    times.append((time.monotonic() - start) * 1000)
print(f"{min(times):.1f} {statistics.median(times):.1f} {max(times):.1f}")
' "$address_b" "$port") || fail "no TCP connection from $ns_a to $address_b:$port"
read -r rtt_min rtt_median rtt_max <<<"$rtt"
echo "TCP connect time $ns_a -> $ns_b, 10 connects: min $rtt_min ms, median $rtt_median ms, max $rtt_max ms (expected about $((2 * delay_ms)) ms)"
# At least the delay both ways, and not far more: otherwise the link is not what it claims.
awk -v m="$rtt_min" -v d="$delay_ms" 'BEGIN { exit !(m >= 1.8 * d && m < 4 * d) }' \
  || fail "the fastest round trip took $rtt_min ms, not about $((2 * delay_ms)) ms: the link's delay is not as configured"

# "passed dropped retransmitted" for one direction, FROM -> TO: the packets the link let through
# and dropped so far (netem counts them on FROM's side, the netfilter rules on TO's), and the TCP
# segments FROM retransmitted. Taken before and after the demo, to show what the link did to the
# demo's own traffic.
link_counters() {
  local from=$1 from_veth=$2 to=$3 passed dropped
  if [ "$impairment" = netem ]; then
    read -r passed dropped < <(ip netns exec "$from" tc -s qdisc show dev "$from_veth" \
      | sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt (dropped \([0-9]*\).*/\1 \2/p' | head -n 1)
  else
    read -r passed dropped < <(ip netns exec "$to" iptables -L INPUT -v -n -x \
      | awk '$3 == "NFQUEUE" { passed = $1 } $3 == "DROP" { dropped = $1 } END { print passed, dropped }')
  fi
  echo "${passed:-0} ${dropped:-0} $(ip netns exec "$from" awk '$1 == "Tcp:" && $2 ~ /^[0-9]/ { print $13 }' /proc/net/snmp)"
}

# The demo in namespace A, exporting to B over the link.
read -r sent_a0 dropped_a0 retransmitted_a0 < <(link_counters "$ns_a" "$veth_a" "$ns_b")
read -r sent_b0 dropped_b0 retransmitted_b0 < <(link_counters "$ns_b" "$veth_b" "$ns_a")
echo "tracez demo --traces $traces in $ns_a -> http://$address_b:$port (http/protobuf, gzip)"
start=$(date +%s%N)
status=0
ip netns exec "$ns_a" env OTEL_EXPORTER_OTLP_ENDPOINT="http://$address_b:$port" OTEL_EXPORTER_OTLP_INSECURE=true \
  OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_COMPRESSION=gzip \
  timeout 300 "$binary" demo --traces "$traces" >"$work/demo.stdout" 2>"$work/demo.stderr" || status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
summary=$(tail -n 1 "$work/demo.stdout")
echo "$summary"
echo "the demo took $((elapsed_ms / 1000)).$(printf %03d $((elapsed_ms % 1000))) s (exit status $status)"
read -r sent_a dropped_a retransmitted_a < <(link_counters "$ns_a" "$veth_a" "$ns_b")
read -r sent_b dropped_b retransmitted_b < <(link_counters "$ns_b" "$veth_b" "$ns_a")
echo "the demo's traffic: $ns_a -> $ns_b $((sent_a - sent_a0 + dropped_a - dropped_a0)) packets, $((dropped_a - dropped_a0)) dropped by the link;" \
  "$ns_b -> $ns_a $((sent_b - sent_b0 + dropped_b - dropped_b0)) packets, $((dropped_b - dropped_b0)) dropped;" \
  "TCP segments retransmitted: $((retransmitted_a - retransmitted_a0)) by $ns_a, $((retransmitted_b - retransmitted_b0)) by $ns_b"

if ! [[ $summary =~ ^recorded=([0-9]+)\ exported=([0-9]+)\ dropped=([0-9]+)$ ]]; then
  echo "the demo's standard error:"
  cat "$work/demo.stderr"
  fail "the demo's last line is not a summary (exit status $status)"
fi
recorded=${BASH_REMATCH[1]} exported=${BASH_REMATCH[2]} dropped=${BASH_REMATCH[3]}
if [ "$status" -ne 0 ] || [ "$recorded" -eq 0 ] || [ "$exported" -ne "$recorded" ] || [ "$dropped" -ne 0 ]; then
  echo "the demo's standard error:"
  cat "$work/demo.stderr"
  fail "the summary is not exact over the link (exit status $status): $summary"
fi

# Every span the demo counted as exported, decoded by opentelemetry-proto on B's side.
kill "$receiver"
wait "$receiver" 2>/dev/null || true
python3 .ci/interop/otlp_check.py demo "$work/captures" "$recorded" application/x-protobuf gzip \
  || fail "what arrived in $ns_b does not match the summary"
echo "two-host check passed ($impairment): $summary over ${delay_ms} ms delay and ${loss_percent} % loss each way, in $((elapsed_ms / 1000)).$(printf %03d $((elapsed_ms % 1000))) s"
