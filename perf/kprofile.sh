#!/usr/bin/env bash
# Where each proxy's CPU goes, kernel included: samples CPU 1 with Linux perf (software clock) while
# HAProxy, nginx and Portier in turn take the same load, and prints, per operation, the proxy's
# user and kernel time and the kernel time under each syscall (a syscall's share includes the TCP
# work the kernel does inside it, such as delivering a loopback packet to its receiver).
#   perf/kprofile.sh [conn-churn|rr-keepalive] [SECONDS]
# Needs perf (Debian's linux-perf) and kernel.perf_event_paranoid <= 1 or root. The kit's pinning:
# backend and wrk on CPU 0, the proxy alone on CPU 1. Sampling costs a few percent; compare the
# proxies with each other, not with the kit's figures.
# The samples stay in /tmp/portier-kprofile.*/ (perf script output per proxy) for a closer look.
set -euo pipefail
PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PERF_DIR/.." && pwd)"
WL="${1:-conn-churn}"
SECS="${2:-6}"
# shellcheck source=lib/common.sh
. "$PERF_DIR/lib/common.sh"
kit_setup kprofile
command -v perf >/dev/null || { echo "perf is needed (apt-get install linux-perf)" >&2; exit 1; }
case "$WL" in
    conn-churn) HDR=(-H "Connection: close") ;;
    rr-keepalive) HDR=() ;;
    *) echo "unknown workload $WL (conn-churn or rr-keepalive)" >&2; exit 2 ;;
esac
FREQ=1999
BACK=27181
mkdir -p "$WORK/be/logs" "$WORK/ng/logs"
render "$PERF_DIR/conf/backend-nginx.conf" "$WORK/be.conf" PORT=$BACK PREFIX="$WORK/be"
render "$PERF_DIR/conf/haproxy.cfg" "$WORK/haproxy.cfg" FRONT=27191 BACKEND=$BACK
render "$PERF_DIR/conf/nginx-stream.conf" "$WORK/nginx.conf" FRONT=27192 BACKEND=$BACK PREFIX="$WORK/ng"
render "$PERF_DIR/conf/portier.conf" "$WORK/portier.conf" FRONT=27193 BACKEND=$BACK ADMIN=27199
[ -f "$ROOT/proxy-server/target/portier.jar" ] || (cd "$ROOT" && mvn -q -B -DskipTests package -pl proxy-server -am)
taskset -c 0 nginx -p "$WORK/be" -c "$WORK/be.conf" & PIDS+=($!)
taskset -c 1 haproxy -db -f "$WORK/haproxy.cfg" >/dev/null 2>&1 & HP=$!; PIDS+=($HP)
taskset -c 1 nginx -p "$WORK/ng" -c "$WORK/nginx.conf" & NG=$!; PIDS+=($NG)
# shellcheck disable=SC2086
taskset -c 1 java $JAVA_OPTS_BASE -jar "$ROOT/proxy-server/target/portier.jar" run -c "$WORK/portier.conf" \
    >"$WORK/portier.log" 2>&1 & PT=$!; PIDS+=($PT)
for p in $BACK 27191 27192 27193; do wait_port $p; done
sleep 1

load() { taskset -c 0 wrk -t1 -c50 -d"${2}s" "${HDR[@]}" "http://127.0.0.1:$1/"; }
for port in 27191 27192 27193; do load $port "${WARMUP:-10}" >/dev/null; done   # warm-up (JIT)
for name in haproxy nginx portier; do
    case $name in haproxy) pid=$HP port=27191 ;; nginx) pid=$NG port=27192 ;; portier) pid=$PT port=27193 ;; esac
    # The load runs a second longer on each side, so the sampled window is all under load.
    load $port $(( SECS + 2 )) >"$WORK/$name.wrk" &
    WRK=$!
    sleep 1
    perf record -q -C 1 -F $FREQ -g -o "$WORK/$name.data" -- sleep "$SECS" >/dev/null 2>&1
    wait $WRK
    perf script -i "$WORK/$name.data" -F pid,ip,sym,dso 2>/dev/null >"$WORK/$name.script"
    echo "$name $pid $(awk '/^Requests\/sec:/ {print $2}' "$WORK/$name.wrk")" >>"$WORK/runs"
done
python3 - "$WORK" "$WL" "$SECS" "$FREQ" <<'EOF'
import sys, collections
work, wl, secs, freq = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
runs = [l.split() for l in open(f"{work}/runs")]
table, rates = {}, {}
for name, pid, rate in runs:
    rates[name] = float(rate)
    c = collections.Counter()
    # A sample: a line with its PID, then its call chain from the leaf out, a tab-led "addr sym (dso)" a line.
    def account(stack, owner):
        if owner != pid or not stack:
            return
        c["total"] += 1
        c["kernel" if stack[0][1] == "[kernel.kallsyms]" else "user"] += 1
        syms = [sym for sym, _ in stack]
        if "do_syscall_64" in syms:
            i = syms.index("do_syscall_64")  # the chain runs from the leaf out
            c[syms[i - 1].removeprefix("__x64_sys_") if i > 0 else "do_syscall_64 itself"] += 1
        elif stack[0][1] == "[kernel.kallsyms]":
            c["no syscall (interrupts, softirq)"] += 1
    owner, stack = None, []
    for line in open(f"{work}/{name}.script"):
        if not line.strip():
            account(stack, owner); owner, stack = None, []
            continue
        if not line.startswith("\t"):
            account(stack, owner); owner, stack = line.split()[0], []
            continue
        f = line.split(None, 1)
        if len(f) == 2:
            sym, _, dso = f[1].rstrip().rpartition(" ")
            stack.append((sym.split("+")[0], dso.strip("()")))
    account(stack, owner)
    table[name] = c
ops = {n: rates[n] * secs for n in rates}
us = lambda n, k: table[n][k] / freq * 1e6 / max(ops[n], 1)
print(f"#### {wl}: proxy CPU µs per operation, by perf samples on CPU 1 ({secs:g} s at {freq:g} Hz)\n")
print("| | " + " | ".join(table) + " |\n|---|" + "---|" * len(table))
print("| operations/s | " + " | ".join(f"{rates[n]:,.0f}" for n in table) + " |")
for k in ("total", "user", "kernel"):
    print(f"| {k} | " + " | ".join(f"{us(n, k):.2f}" for n in table) + " |")
calls = sorted({k for c in table.values() for k in c} - {"total", "user", "kernel"},
               key=lambda k: -max(us(n, k) for n in table))
for k in calls:
    if max(us(n, k) for n in table) >= 0.1:
        print(f"| kernel in {k} | " + " | ".join(f"{us(n, k):.2f}" for n in table) + " |")
EOF
