#!/usr/bin/env bash
# Counts the syscalls HAProxy and Portier make per operation under one workload (strace -c -f),
# and prints a markdown table. strace slows the proxies down, so only counts are meaningful.
#   perf/syscalls.sh [conn-churn|rr-keepalive|bulk] [SECONDS]
set -euo pipefail
PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PERF_DIR/.." && pwd)"
WL="${1:-conn-churn}"
SECS="${2:-3}"
# shellcheck source=lib/common.sh
. "$PERF_DIR/lib/common.sh"
kit_setup syscalls
command -v strace >/dev/null || { echo "strace is needed (apt-get install strace)" >&2; exit 1; }

case "$WL" in
    rr-keepalive|conn-churn)
        BACK=27181; mkdir -p "$WORK/be/logs"
        render "$PERF_DIR/conf/backend-nginx.conf" "$WORK/be.conf" PORT=$BACK PREFIX="$WORK/be"
        taskset -c 0 nginx -p "$WORK/be" -c "$WORK/be.conf" & PIDS+=($!) ;;
    bulk)
        BACK=27183; taskset -c 0 iperf3 -s -p $BACK >/dev/null & PIDS+=($!) ;;
    *) echo "unknown workload $WL" >&2; exit 2 ;;
esac
wait_port $BACK
render "$PERF_DIR/conf/haproxy.cfg" "$WORK/haproxy.cfg" FRONT=27191 BACKEND=$BACK
if [ "$WL" = bulk ]; then sed -i 's/ check inter 2s//' "$WORK/haproxy.cfg"; fi
render "$PERF_DIR/conf/portier.conf" "$WORK/portier.conf" FRONT=27193 BACKEND=$BACK ADMIN=27199
# iperf3's server takes every connection for a client: a health check breaks the test running.
if [ "$WL" = bulk ]; then sed -i 's/health { type = tcp, interval = 2s }/health.type = none/' "$WORK/portier.conf"; fi
taskset -c 1 haproxy -db -f "$WORK/haproxy.cfg" >/dev/null 2>&1 & HP=$!; PIDS+=($HP)
# shellcheck disable=SC2086
taskset -c 1 java $JAVA_OPTS_BASE -jar "$ROOT/proxy-server/target/portier.jar" run -c "$WORK/portier.conf" \
    >"$WORK/portier.log" 2>&1 & PT=$!; PIDS+=($PT)
wait_port 27191; wait_port 27193; sleep 1

load() { # load PORT SECONDS -> operations
    case "$WL" in
        rr-keepalive) taskset -c 0 wrk -t1 -c50 -d"${2}s" "http://127.0.0.1:$1/" | awk '/ requests in / {print $1}' ;;
        conn-churn) taskset -c 0 wrk -t1 -c50 -d"${2}s" -H "Connection: close" "http://127.0.0.1:$1/" \
            | awk '/ requests in / {print $1}' ;;
        bulk) taskset -c 0 iperf3 -c 127.0.0.1 -p "$1" -t "$2" -J \
            | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bytes"] / 65536))' ;;
    esac
}
unit=$([ "$WL" = bulk ] && echo "64 KiB" || echo "operation")
for port in 27191 27193; do load $port 8 >/dev/null; done   # warm-up (JIT)
declare -A OPS=()
for name in haproxy portier; do
    pid=$([ $name = haproxy ] && echo $HP || echo $PT)
    port=$([ $name = haproxy ] && echo 27191 || echo 27193)
    strace -c -f -p "$pid" -o "$WORK/$name.strace" 2>/dev/null & ST=$!
    sleep 0.5
    OPS[$name]="$(load "$port" "$SECS")"
    sleep 0.5
    kill -INT $ST; wait $ST 2>/dev/null || true
done
python3 - "$WORK" "$WL" "$unit" "${OPS[haproxy]}" "${OPS[portier]}" <<'EOF'
import sys, re, collections
work, wl, unit, ops = sys.argv[1], sys.argv[2], sys.argv[3], {"haproxy": int(sys.argv[4]), "portier": int(sys.argv[5])}
counts = {}
for name in ("haproxy", "portier"):
    c = collections.Counter(); e = collections.Counter()
    for line in open(f"{work}/{name}.strace"):
        f = line.split()
        if len(f) >= 5 and re.match(r"^[\d.]+$", f[0]) and f[-1] != "total":
            calls = int(f[3]); errs = int(f[4]) if len(f) == 6 else 0
            c[f[-1]] += calls; e[f[-1]] += errs
    counts[name] = (c, e)
skip = {"futex", "restart_syscall", "read", "openat", "newfstatat", "sysinfo", "mmap", "munmap", "mprotect",
        "rt_sigprocmask", "rt_sigreturn", "madvise", "sched_yield", "clock_nanosleep", "nanosleep", "lseek",
        "fstat", "stat", "lstat", "getrusage", "clock_gettime", "gettid", "timer_settime"}
names = sorted(set(counts["haproxy"][0]) | set(counts["portier"][0]), key=lambda s: -counts["portier"][0][s])
print(f"#### {wl}: syscalls per {unit} ({ops['haproxy']:,} for HAProxy, {ops['portier']:,} for Portier)\n")
print("| syscall | HAProxy | Portier |\n|---|---|---|")
tot = {"haproxy": 0.0, "portier": 0.0}
for s in names:
    row = []
    for name in ("haproxy", "portier"):
        c, e = counts[name]
        v = c[s] / max(ops[name], 1)
        if s not in skip:
            tot[name] += v
        row.append(f"{v:.2f}" + (f" ({e[s] / max(ops[name], 1):.2f} failed)" if e[s] else ""))
    if s in skip and max(counts['haproxy'][0][s], counts['portier'][0][s]) / max(min(ops.values()), 1) < 0.05:
        continue
    print(f"| {s}{' (not counted below)' if s in skip else ''} | {row[0]} | {row[1]} |")
print(f"| **total, I/O and socket calls** | **{tot['haproxy']:.1f}** | **{tot['portier']:.1f}** |\n")
EOF
