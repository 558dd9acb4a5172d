#!/usr/bin/env bash
# Interleaved comparison under one wrk workload: every candidate runs at once, pinned to CPU 1 (the
# load and the nginx backend on CPU 0), and each is loaded in turn for a short run, round after
# round. A shared VM's speed drifts within seconds, by more than the differences worth finding;
# short alternating runs put every candidate under the same drift, so the ratio per round is far
# steadier than run.sh's, where a candidate's repetitions are tens of seconds apart.
#   perf/interleaved.sh [--workload conn-churn|rr-keepalive] [--rounds N] [--seconds S]
#                       [--java-opts NAME=OPTS]... [--java NAME=JAVA]... CANDIDATE...
# CANDIDATE: haproxy, nginx, nginx-halfclose (nginx with proxy_half_close on, passing a half-close
# on as HAProxy and Portier do), netty-relay (a minimal relay built the usual way on Netty's
# stock epoll channels, io.portier.perf.MinimalRelay from perf/jmh's jar, with the kit's JAVA_OPTS:
# what Netty and the JVM cost per connection without a product around them), portier (this
# checkout's jar) or NAME=JAR (another portier.jar, or the same one under another name).
# --java-opts runs the Portier candidate NAME with OPTS in place of the kit's JAVA_OPTS (e.g. to
# compare heap settings); every other one runs with the kit's.
# --java runs the Portier candidate NAME on the JVM at JAVA (a java binary; default: java on PATH).
# Prints a markdown table: proxy CPU µs per operation (user+system of the whole process, from
# /proc/PID/stat, 10 ms ticks; and the user part alone) and, for each pair, the median ratio per round with its
# interquartile range. Needs what run.sh installs (wrk, nginx, haproxy).
set -euo pipefail
PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PERF_DIR/.." && pwd)"
WL=conn-churn; ROUNDS=25; SECS=2
declare -A OPTS=() JAVAS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --workload) WL="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --seconds) SECS="$2"; shift 2 ;;
        --java-opts) OPTS["${2%%=*}"]="${2#*=}"; shift 2 ;;
        --java) JAVAS["${2%%=*}"]="${2#*=}"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "name at least one candidate (see --help)" >&2; exit 2; }
case "$WL" in
    conn-churn) HDR=(-H "Connection: close") ;;
    rr-keepalive) HDR=() ;;
    *) echo "unknown workload $WL (conn-churn or rr-keepalive)" >&2; exit 2 ;;
esac
# shellcheck source=lib/common.sh
. "$PERF_DIR/lib/common.sh"
kit_setup interleaved

BACK=27181; mkdir -p "$WORK/be/logs"
render "$PERF_DIR/conf/backend-nginx.conf" "$WORK/be.conf" PORT=$BACK PREFIX="$WORK/be"
taskset -c 0 nginx -p "$WORK/be" -c "$WORK/be.conf" & PIDS+=($!)
wait_port "$BACK"

NAMES=(); PORTS=(); CPIDS=()
i=0
for cand in "$@"; do
    port=$((27300 + i * 10)); name="${cand%%=*}"; mkdir -p "$WORK/c$i/logs"
    case "$cand" in
        haproxy)
            render "$PERF_DIR/conf/haproxy.cfg" "$WORK/c$i.cfg" FRONT=$port BACKEND=$BACK
            taskset -c 1 haproxy -db -f "$WORK/c$i.cfg" >"$WORK/c$i.log" 2>&1 & ;;
        nginx|nginx-halfclose)
            render "$PERF_DIR/conf/nginx-stream.conf" "$WORK/c$i.conf" FRONT=$port BACKEND=$BACK PREFIX="$WORK/c$i"
            # nginx closes both sides at the first FIN unless told to pass half-closes on, as
            # HAProxy and Portier do: this variant does the same work as they do.
            [ "$cand" = nginx-halfclose ] && sed -i 's/proxy_pass b;/proxy_pass b;\n        proxy_half_close on;/' "$WORK/c$i.conf"
            taskset -c 1 nginx -p "$WORK/c$i" -c "$WORK/c$i.conf" >"$WORK/c$i.log" 2>&1 & ;;
        netty-relay)
            jar="$PERF_DIR/jmh/target/benchmarks.jar"
            [ -f "$jar" ] || { echo "no $jar: build it with mvn -B -Pjmh -DskipTests -pl perf/jmh -am package" >&2; exit 2; }
            # shellcheck disable=SC2086
            taskset -c 1 java $JAVA_OPTS_BASE -cp "$jar" io.portier.perf.MinimalRelay $port $BACK >"$WORK/c$i.log" 2>&1 & ;;
        *)
            jar="$ROOT/proxy-server/target/portier.jar"; [ "$cand" != portier ] && jar="${cand#*=}"
            [ -f "$jar" ] || { echo "no such jar: $jar ($cand)" >&2; exit 2; }
            render "$PERF_DIR/conf/portier.conf" "$WORK/c$i.conf" FRONT=$port BACKEND=$BACK ADMIN=$((port + 1))
            opts="$JAVA_OPTS_BASE"; [ -n "${OPTS[$name]+set}" ] && opts="${OPTS[$name]}"
            java="${JAVAS[$name]:-java}"
            echo "$name: $java $opts" >&2
            # shellcheck disable=SC2086
            taskset -c 1 "$java" $opts -jar "$jar" run -c "$WORK/c$i.conf" >"$WORK/c$i.log" 2>&1 & ;;
    esac
    CPIDS+=($!); PIDS+=($!); NAMES+=("$name"); PORTS+=("$port"); i=$((i + 1))
done
for p in "${PORTS[@]}"; do wait_port "$p" || { echo "a candidate did not start; logs in $WORK" >&2; exit 1; }; done
for p in "${PORTS[@]}"; do # warm-up: the JIT, the kernel's caches
    taskset -c 0 wrk -t1 -c50 -d10s "${HDR[@]}" "http://127.0.0.1:$p/" >/dev/null
done

ticks() { awk '{print $14 + $15, $14}' "/proc/$1/stat"; } # user+system, user
: >"$WORK/rounds.txt"
for r in $(seq 1 "$ROUNDS"); do
    for j in "${!NAMES[@]}"; do
        read -r t0 u0 < <(ticks "${CPIDS[$j]}")
        n=$(taskset -c 0 wrk -t1 -c50 -d"${SECS}s" "${HDR[@]}" "http://127.0.0.1:${PORTS[$j]}/" \
            | awk '/ requests in / {print $1}')
        read -r t1 u1 < <(ticks "${CPIDS[$j]}")
        echo "$r ${NAMES[$j]} $n $((t1 - t0)) $((u1 - u0))" >>"$WORK/rounds.txt"
    done
done

python3 - "$WORK/rounds.txt" "$WL" "$ROUNDS" "$SECS" "$(getconf CLK_TCK)" <<'EOF'
import collections, statistics as st, sys
path, wl, rounds, secs, hz = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
per = collections.defaultdict(dict)
user = collections.defaultdict(list)
names = []
for line in open(path):
    r, name, ops, ticks, uticks = line.split()
    if int(ops) > 0:
        per[int(r)][name] = 1e6 * int(ticks) / hz / int(ops)
        user[name].append(1e6 * int(uticks) / hz / int(ops))
    if name not in names:
        names.append(name)
print(f"#### {wl}: {rounds} rounds of {secs} s per candidate, interleaved\n")
print("| candidate | CPU µs/op, median | min-max | user µs/op, median | " + " | ".join(f"÷ {m}" for m in names) + " |")
print("|---|---|---|---|" + "---|" * len(names))
for n in names:
    vals = [per[r][n] for r in per if n in per[r]]
    cells = []
    for m in names:
        ratios = sorted(per[r][n] / per[r][m] for r in per if n in per[r] and m in per[r])
        k = len(ratios)
        cells.append("1" if m == n else f"{st.median(ratios):.3f} ({ratios[k // 4]:.2f}-{ratios[(3 * k) // 4]:.2f})")
    print(f"| {n} | {st.median(vals):.1f} | {min(vals):.1f}-{max(vals):.1f} | {st.median(user[n]):.1f} | "
          + " | ".join(cells) + " |")
print("\nEach ratio is the median over the rounds of the row's CPU per operation over the column's in")
print("the same round, with the interquartile range of those ratios.")
EOF
