#!/usr/bin/env bash
# Counts the syscalls HAProxy, nginx and Portier make per operation under one workload, and prints
# a markdown table. With Linux perf (package linux-perf) it counts the kernel's syscall tracepoints,
# which leave the proxies at full speed, so the epoll_wait batching is that of a real run; without
# it, strace -c -f, which slows them down: then only the counts of the other calls are meaningful.
#   perf/syscalls.sh [conn-churn|rr-keepalive|bulk] [SECONDS]
set -euo pipefail
PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PERF_DIR/.." && pwd)"
WL="${1:-conn-churn}"
SECS="${2:-3}"
# shellcheck source=lib/common.sh
. "$PERF_DIR/lib/common.sh"
kit_setup syscalls
if perf stat -e 'syscalls:sys_enter_close' -o /dev/null true 2>/dev/null; then
    COUNTER=perf
elif command -v strace >/dev/null; then
    COUNTER=strace
else
    echo "perf (apt-get install linux-perf) or strace (apt-get install strace) is needed" >&2; exit 1
fi

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
mkdir -p "$WORK/nginx/logs"
render "$PERF_DIR/conf/nginx-stream.conf" "$WORK/nginx.conf" FRONT=27192 BACKEND=$BACK PREFIX="$WORK/nginx"
render "$PERF_DIR/conf/portier.conf" "$WORK/portier.conf" FRONT=27193 BACKEND=$BACK ADMIN=27199
if [ "$WL" = bulk ]; then
    # iperf3's server takes every connection for a client: a health check breaks the test running.
    sed -i 's/ check inter 2s//' "$WORK/haproxy.cfg"
    sed -i 's/health { type = tcp, interval = 2s }/health.type = none/' "$WORK/portier.conf"
fi
taskset -c 1 haproxy -db -f "$WORK/haproxy.cfg" >/dev/null 2>&1 & PIDS+=($!); declare -A PID=([haproxy]=$!)
taskset -c 1 nginx -p "$WORK/nginx" -c "$WORK/nginx.conf" >/dev/null 2>&1 & PIDS+=($!); PID[nginx]=$!
# shellcheck disable=SC2086
taskset -c 1 java $JAVA_OPTS_BASE -jar "$ROOT/proxy-server/target/portier.jar" run -c "$WORK/portier.conf" \
    >"$WORK/portier.log" 2>&1 & PIDS+=($!); PID[portier]=$!
declare -A PORT=([haproxy]=27191 [nginx]=27192 [portier]=27193)
wait_port 27191; wait_port 27192; wait_port 27193; sleep 1

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
NAMES="haproxy nginx portier"
for name in $NAMES; do load "${PORT[$name]}" 8 >/dev/null; done   # warm-up (JIT)
declare -A OPS=()
for name in $NAMES; do
    if [ $COUNTER = perf ]; then
        perf stat -e 'syscalls:sys_enter_*' -x, -p "${PID[$name]}" -o "$WORK/$name.counts" 2>/dev/null & ST=$!
    else
        strace -c -f -p "${PID[$name]}" -o "$WORK/$name.counts" 2>/dev/null & ST=$!
    fi
    sleep 0.5
    OPS[$name]="$(load "${PORT[$name]}" "$SECS")"
    sleep 0.5
    kill -INT $ST; wait $ST 2>/dev/null || true
done
python3 - "$WORK" "$WL" "$unit" "$COUNTER" "${OPS[haproxy]}" "${OPS[nginx]}" "${OPS[portier]}" <<'EOF'
import sys, re, collections
work, wl, unit, counter = sys.argv[1:5]
names = ("haproxy", "nginx", "portier")
ops = dict(zip(names, (int(x) for x in sys.argv[5:8])))
counts = {}
for name in names:
    c = collections.Counter(); e = collections.Counter()
    for line in open(f"{work}/{name}.counts"):
        if counter == "perf":  # COUNT,,syscalls:sys_enter_NAME,...
            f = line.strip().split(",")
            if len(f) > 2 and f[2].startswith("syscalls:sys_enter_") and f[0].isdigit():
                c[f[2][len("syscalls:sys_enter_"):]] += int(f[0])
        else:  # % time, seconds, usecs/call, calls, [errors,] syscall
            f = line.split()
            if len(f) >= 5 and re.match(r"^[\d.]+$", f[0]) and f[-1] != "total":
                c[f[-1]] += int(f[3]); e[f[-1]] += int(f[4]) if len(f) == 6 else 0
    counts[name] = (c, e)
skip = {"futex", "restart_syscall", "read", "openat", "newfstatat", "sysinfo", "mmap", "munmap", "mprotect",
        "rt_sigprocmask", "rt_sigreturn", "madvise", "sched_yield", "clock_nanosleep", "nanosleep", "lseek",
        "fstat", "stat", "lstat", "getrusage", "clock_gettime", "gettid", "timer_settime", "brk",
        "sched_getaffinity"}
every = set().union(*(counts[n][0] for n in names))
names_sorted = sorted(every, key=lambda s: -max(counts[n][0][s] / max(ops[n], 1) for n in names))
how = ("perf tracepoints, at full speed" if counter == "perf"
       else "strace, which slows the proxies: epoll_wait counts are not a real run's")
print(f"#### {wl}: syscalls per {unit} ({how}; "
      + ", ".join(f"{ops[n]:,} for {n}" for n in names) + ")\n")
print("| syscall | HAProxy | nginx | Portier |\n|---|---|---|---|")
tot = dict.fromkeys(names, 0.0)
for s in names_sorted:
    per = {n: counts[n][0][s] / max(ops[n], 1) for n in names}
    if max(per.values()) < 0.01:
        continue
    if s in skip and max(per.values()) < 0.05:
        continue
    row = []
    for n in names:
        if s not in skip:
            tot[n] += per[n]
        err = counts[n][1][s] / max(ops[n], 1)
        row.append(f"{per[n]:.2f}" + (f" ({err:.2f} failed)" if err else ""))
    print(f"| {s}{' (not counted below)' if s in skip else ''} | " + " | ".join(row) + " |")
print("| **total, I/O and socket calls** | " + " | ".join(f"**{tot[n]:.1f}**" for n in names) + " |\n")
EOF
