#!/usr/bin/env bash
# What one socket call costs from C and through Netty's JNI, on this machine: getsockopt(TCP_NODELAY)
# on an unconnected socket in a tight loop, pinned to CPU 1, C and Java in turn, ROUNDS times.
# The difference is what the JVM and Netty's native layer add to every socket call a Netty proxy
# makes (about 19 per relayed connection under conn-churn: see syscalls.sh).
#   perf/syscall-cost.sh [ROUNDS]
# Needs a C compiler (apt-get install gcc) and perf/jmh's jar
# (mvn -B -Pjmh -DskipTests -pl perf/jmh -am package). Prints a markdown table.
set -euo pipefail
PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROUNDS="${1:-3}"
CALLS=2000000
REPS=5
JAR="$PERF_DIR/jmh/target/benchmarks.jar"
command -v cc >/dev/null || { echo "a C compiler is needed: apt-get install gcc" >&2; exit 1; }
[ -f "$JAR" ] || { echo "no $JAR: build it with mvn -B -Pjmh -DskipTests -pl perf/jmh -am package" >&2; exit 1; }
WORK="$(mktemp -d /tmp/portier-syscall-cost.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cc -O2 -o "$WORK/syscall-cost" "$PERF_DIR/lib/syscall-cost.c"
: >"$WORK/out.txt"
for _ in $(seq 1 "$ROUNDS"); do
    taskset -c 1 "$WORK/syscall-cost" $CALLS $REPS >>"$WORK/out.txt"
    taskset -c 1 java -Xms64m -Xmx64m -XX:+UseSerialGC -cp "$JAR" io.portier.perf.SyscallCost $CALLS $REPS \
        2>/dev/null | grep '^java-jni ' >>"$WORK/out.txt"
done
python3 - "$WORK/out.txt" "$ROUNDS" "$(java -version 2>&1 | head -1)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" <<'PY'
import sys, statistics as st
path, rounds, jvm, cpu = sys.argv[1:5]
med = {"c": [], "java-jni": []}
for line in open(path):
    f = line.split()
    med[f[0]].append(float(f[1]))
c, j = st.median(med["c"]), st.median(med["java-jni"])
print(f"#### One socket call (getsockopt TCP_NODELAY), ns per call: median of {rounds} rounds of the median of 5 repetitions\n")
print(f"Machine: {cpu}, {jvm}.\n")
print("| from | ns per call | rounds |\n|---|---|---|")
print(f"| C | {c:.0f} | " + ", ".join(f"{x:.0f}" for x in med["c"]) + " |")
print(f"| Java, Netty's JNI | {j:.0f} | " + ", ".join(f"{x:.0f}" for x in med["java-jni"]) + " |")
print(f"| **JNI's share** | **{j - c:.0f}** | |")
PY
