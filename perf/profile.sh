#!/usr/bin/env bash
# Profiles Portier under one kit workload with JFR and prints the hottest frames.
#   perf/profile.sh [rr-keepalive|conn-churn|bulk|redis|redis-p16] [SECONDS]
# Writes the recording to perf/results/profile-WORKLOAD.jfr (not committed) and a summary
# (top methods by own samples, then top Portier frames anywhere in the stack) to stdout.
set -euo pipefail
PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PERF_DIR/.." && pwd)"
WL="${1:-conn-churn}"
SECS="${2:-20}"
# shellcheck source=lib/common.sh
. "$PERF_DIR/lib/common.sh"
kit_setup profile
JFR="${JFR:-$PERF_DIR/results/profile-$WL.jfr}"

case "$WL" in
    rr-keepalive|conn-churn)
        BACK=27181
        mkdir -p "$WORK/be/logs"
        render "$PERF_DIR/conf/backend-nginx.conf" "$WORK/be.conf" PORT=$BACK PREFIX="$WORK/be"
        taskset -c 0 nginx -p "$WORK/be" -c "$WORK/be.conf" & PIDS+=($!) ;;
    bulk)
        BACK=27183; taskset -c 0 iperf3 -s -p $BACK >/dev/null & PIDS+=($!) ;;
    redis|redis-p16)
        BACK=27182; taskset -c 0 redis-server --port $BACK --bind 127.0.0.1 --save "" --appendonly no \
            --dir "$WORK" >/dev/null & PIDS+=($!) ;;
    *) echo "unknown workload $WL" >&2; exit 2 ;;
esac
wait_port $BACK
render "$PERF_DIR/conf/portier.conf" "$WORK/portier.conf" FRONT=27193 BACKEND=$BACK ADMIN=27199
# iperf3's server takes every connection for a client: a health check breaks the test running.
if [ "$WL" = bulk ]; then sed -i 's/health { type = tcp, interval = 2s }/health.type = none/' "$WORK/portier.conf"; fi
[ -f "$ROOT/proxy-server/target/portier.jar" ] || (cd "$ROOT" && mvn -q -B -DskipTests package -pl proxy-server -am)
# ASYNC_PROFILER=/path/libasyncProfiler.so (from the tools.profiler:async-profiler jar on Maven
# Central) samples native and kernel frames too, attached after the warm-up so that the JIT's
# compilations stay out of the profile; otherwise JFR (Java frames only).
PROF_OPTS=""
if [ -n "${ASYNC_PROFILER:-}" ]; then
    AP_OUT="$PERF_DIR/results/profile-$WL.collapsed"
else
    PROF_OPTS="-XX:+FlightRecorder -XX:StartFlightRecording=filename=$JFR,settings=profile,duration=$(( SECS + 5 ))s"
fi
# shellcheck disable=SC2086
taskset -c 1 java $JAVA_OPTS_BASE $PROF_OPTS \
    -jar "$ROOT/proxy-server/target/portier.jar" run -c "$WORK/portier.conf" >"$WORK/portier.log" 2>&1 &
PID=$!; PIDS+=($PID)
wait_port 27193
sleep 1
load() {
    case "$WL" in
        rr-keepalive) taskset -c 0 wrk -t1 -c50 -d"${1}s" http://127.0.0.1:27193/ ;;
        conn-churn) taskset -c 0 wrk -t1 -c50 -d"${1}s" -H "Connection: close" http://127.0.0.1:27193/ ;;
        bulk) taskset -c 0 iperf3 -c 127.0.0.1 -p 27193 -t "$1" ;;
        redis) timeout "$(( $1 * 3 ))" taskset -c 0 redis-benchmark -p 27193 -c 50 -t get,set \
            -n $(( $1 * 30000 )) -q ;;
        redis-p16) timeout "$(( $1 * 3 ))" taskset -c 0 redis-benchmark -p 27193 -c 50 -P 16 -t get,set \
            -n $(( $1 * 150000 )) -q ;;
    esac
}
load "${WARMUP:-10}" >/dev/null    # warm-up (JIT)
if [ -n "${ASYNC_PROFILER:-}" ]; then
    jcmd "$PID" JVMTI.agent_load "$ASYNC_PROFILER" "\"start,event=${AP_EVENT:-cpu},interval=${AP_INTERVAL:-1ms}\"" | grep -v "^[0-9]*:$" >&2 || true
fi
c0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
load "$SECS" | tail -n 12
c1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
echo "portier CPU over the run: $(( (c1 - c0) ))/$(getconf CLK_TCK) s"
if [ -n "${ASYNC_PROFILER:-}" ]; then
    jcmd "$PID" JVMTI.agent_load "$ASYNC_PROFILER" "\"stop,file=$AP_OUT,collapsed\"" | grep -v "^[0-9]*:$" >&2 || true
fi
kill "$PID"; wait "$PID" 2>/dev/null || true
if [ -n "${ASYNC_PROFILER:-}" ]; then
    python3 - "$AP_OUT" <<'EOF'
import sys, collections
own, anywhere, total = collections.Counter(), collections.Counter(), 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(" ")
    n = int(n); frames = stack.split(";")
    total += n; own[frames[-1]] += n
    for f in set(frames):
        if "portier" in f or f.startswith(("io/netty", "io.netty")):
            anywhere[f] += n
print("samples:", total)
print("== top frames (own samples) ==")
for f, n in own.most_common(30):
    print("%5.1f%%  %s" % (100.0 * n / total, f))
print("== Portier and Netty frames anywhere in the stack ==")
for f, n in anywhere.most_common(40):
    print("%5.1f%%  %s" % (100.0 * n / total, f))
EOF
    exit 0
fi
echo "== top frames (own samples) =="
jfr print --stack-depth 64 --events jdk.ExecutionSample "$JFR" > "$WORK/samples.txt"
python3 - "$WORK/samples.txt" <<'EOF'
import re, sys, collections
text = open(sys.argv[1]).read()
own, anywhere, total = collections.Counter(), collections.Counter(), 0
for ev in text.split("jdk.ExecutionSample")[1:]:
    frames = re.findall(r"^\s+([\w$.<>/]+\.[\w$<>]+)\(", ev, re.M)
    if not frames:
        continue
    total += 1
    own[frames[0]] += 1
    for f in set(frames):
        if f.startswith("io.portier"):
            anywhere[f] += 1
print("samples:", total)
for f, n in own.most_common(25):
    print("%5.1f%%  %s" % (100.0 * n / total, f))
print("== Portier frames anywhere in the stack ==")
for f, n in anywhere.most_common(20):
    print("%5.1f%%  %s" % (100.0 * n / total, f))
EOF
