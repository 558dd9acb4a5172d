#!/usr/bin/env bash
# Compares Portier under several JAVA_OPTS, side by side in one kit run (each variant is a candidate,
# portier:NAME, so their repetitions are interleaved), and writes perf/results/jvm-flags/ with its
# REPORT.md: the table the kit's default JAVA_OPTS were chosen from. serial-notrap is the default
# since the sixth round (perf/results/NOTES.md); results/jvm-flags/ predates that variant.
#   perf/jvm-flags.sh [run.sh options, e.g. --duration 4 --warmup 6 --reps 3 --only conn-churn]
set -euo pipefail
PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NOLEAK="-Dio.netty.leakDetection.level=disabled"
HEAP="-Xms256m -Xmx256m"
exec "$PERF_DIR/run.sh" --only rr-keepalive,conn-churn,bulk,redis \
    --duration 4 --warmup 6 --reps 3 \
    --candidates haproxy,portier:none,portier:serial,portier:serial-pretouch,portier:parallel,portier:c1,portier:pooled,portier:serial-notrap \
    --variant none="" \
    --variant serial="$HEAP -XX:+UseSerialGC $NOLEAK" \
    --variant serial-pretouch="$HEAP -XX:+UseSerialGC -XX:+AlwaysPreTouch $NOLEAK" \
    --variant parallel="$HEAP -XX:+UseParallelGC -XX:+AlwaysPreTouch $NOLEAK" \
    --variant c1="$HEAP -XX:+UseSerialGC -XX:+AlwaysPreTouch -XX:TieredStopAtLevel=1 $NOLEAK" \
    --variant pooled="$HEAP -XX:+UseSerialGC $NOLEAK -Dio.netty.allocator.type=pooled" \
    --variant serial-notrap="$HEAP -XX:+UseSerialGC $NOLEAK -XX:PerMethodTrapLimit=0" \
    --out "$PERF_DIR/results/jvm-flags" "$@"
