#!/usr/bin/env bash
# Compares Portier under several JAVA_OPTS on the kit's CPU-bound workloads and writes
# perf/results/jvm-flags.md (the table the kit's default JAVA_OPTS was chosen from).
#   perf/jvm-flags.sh [--duration S] [--warmup S] [--reps N] [--only W,...]
set -euo pipefail
PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DURATION=5; WARMUP=8; REPS=2; ONLY="rr-keepalive,conn-churn,redis"
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION="$2"; shift ;;
        --warmup) WARMUP="$2"; shift ;;
        --reps) REPS="$2"; shift ;;
        --only) ONLY="$2"; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
BASE="-Dio.netty.leakDetection.level=disabled"
OPTS=(
    ""
    "-Xms256m -Xmx256m -XX:+UseSerialGC $BASE"
    "-Xms256m -Xmx256m -XX:+UseSerialGC -XX:+AlwaysPreTouch $BASE"
    "-Xms256m -Xmx256m -XX:+UseParallelGC -XX:+AlwaysPreTouch $BASE"
    "-Xms256m -Xmx256m -XX:+UseG1GC -XX:+AlwaysPreTouch $BASE"
    "-Xms256m -Xmx256m -XX:+UseSerialGC -XX:+AlwaysPreTouch -XX:TieredStopAtLevel=1 $BASE"
    "-Xms256m -Xmx256m -XX:+UseSerialGC -XX:+AlwaysPreTouch -Dio.netty.allocator.type=pooled $BASE"
    "-Xms64m -Xmx64m -XX:+UseSerialGC -XX:+AlwaysPreTouch $BASE"
)
OUT="$(mktemp -d /tmp/portier-jvmflags.XXXXXX)"
i=0
for o in "${OPTS[@]}"; do
    i=$((i + 1))
    echo "== [$i] JAVA_OPTS: ${o:-(none)}" >&2
    "$PERF_DIR/run.sh" --only "$ONLY" --candidates portier --duration "$DURATION" --warmup "$WARMUP" \
        --reps "$REPS" --java-opts "$o" --out "$OUT/$i" >/dev/null 2>"$OUT/$i.log" || tail -n 5 "$OUT/$i.log" >&2
    printf '%s\n' "$o" > "$OUT/$i/opts"
done
python3 - "$OUT" "${#OPTS[@]}" "$DURATION" "$WARMUP" "$REPS" > "$PERF_DIR/results/jvm-flags.md" <<'EOF'
import csv, statistics, sys, collections
out, n, dur, warm, reps = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
cols = [("rr-keepalive", "rps"), ("rr-keepalive", "cpu_us_per_op"), ("conn-churn", "rps"),
        ("conn-churn", "cpu_us_per_op"), ("redis", "ops_s"), ("redis", "cpu_us_per_op")]
print("# Portier under different JAVA_OPTS\n")
print(f"perf/jvm-flags.sh: Portier alone, {dur} s runs after {warm} s warm-up, {reps} repetitions, medians. "
      "CPU is µs of the whole JVM process per request/connection/op.\n")
print("| # | JAVA_OPTS | " + " | ".join(f"{w} {m}" for w, m in cols) + " |")
print("|---|---|" + "---|" * len(cols))
for i in range(1, n + 1):
    try:
        opts = open(f"{out}/{i}/opts").read().strip() or "(none)"
        d = collections.defaultdict(list)
        for r in csv.DictReader(open(f"{out}/{i}/results.csv")):
            d[(r["workload"], r["metric"])].append(float(r["value"]))
    except OSError:
        continue
    cells = []
    for c in cols:
        v = d.get(c)
        cells.append("–" if not v else (f"{statistics.median(v):,.0f}" if c[1] != "cpu_us_per_op" else f"{statistics.median(v):.2f}"))
    print(f"| {i} | `{opts}` | " + " | ".join(cells) + " |")
EOF
cat "$PERF_DIR/results/jvm-flags.md"
