#!/usr/bin/env bash
# Portier perf kit: runs every workload against direct (no proxy), HAProxy, nginx stream and Portier,
# each proxy with one thread pinned to its own CPU, and writes perf/results/REPORT.md, results.csv and
# PNG charts. See perf/README.md.
set -euo pipefail

PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PERF_DIR/.." && pwd)"

ORIG_ARGS="$*"
declare -A VARIANTS=()   # portier:NAME candidates: NAME -> JAVA_OPTS
declare -A VARIANT_JARS=()   # portier:NAME candidates: NAME -> portier.jar of another build
declare -A VARIANT_CONFS=()   # portier:NAME candidates: NAME -> HOCON appended to the kit's config
# ---- options ----
DURATION=8           # seconds per measured run
WARMUP=15            # seconds of load per candidate before its first measured run (JIT, caches)
REPS=3               # repetitions per candidate (the report shows the median and min-max)
ONLY=""              # comma-separated workloads
CANDIDATES="direct,haproxy,nginx,portier"
OUT="$PERF_DIR/results"
IDLE_CONNS=10000
WARM_CONNS=20000     # short connections through each candidate during warm-up (see warm_connections)
# Best settings found for Portier on this kit (see REPORT.md, "JVM settings"); override with
# PORTIER_JAVA_OPTS or --java-opts.
DEFAULT_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled -XX:PerMethodTrapLimit=0"
PORTIER_JAVA_OPTS="${PORTIER_JAVA_OPTS:-$DEFAULT_JAVA_OPTS}"
ALL_WORKLOADS="rr-keepalive,rr-latency,conn-churn,bulk,redis,idle-conns,limits-on"

usage() {
    cat <<EOF
usage: perf/run.sh [--quick] [--only W[,W...]] [--duration S] [--warmup S] [--reps N] [--candidates C[,C...]]
                   [--java-opts "OPTS"] [--idle-conns N] [--out DIR]
  workloads:  $ALL_WORKLOADS
  candidates: direct,haproxy,nginx,portier
  --variant NAME="OPTS"  adds candidate portier:NAME, Portier with these JAVA_OPTS (compare JVM settings)
  --variant-jar NAME=JAR  candidate portier:NAME runs this portier.jar (compare builds; JAVA_OPTS as
              --variant NAME gives, else Portier's)
  --variant-conf NAME="HOCON"  candidate portier:NAME gets these config lines appended to the kit's
              (compare settings, e.g. splice="portier.listeners.bench.splice = on")
  --quick     3-second runs and warm-up, 1 repetition (a smoke test; the figures are not worth comparing)
  defaults:   --duration 8 --warmup 15 --reps 3, all workloads and candidates
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) DURATION=3; WARMUP=3; REPS=1 ;;
        --warmup) WARMUP="$2"; shift ;;
        --only) ONLY="$2"; shift ;;
        --duration) DURATION="$2"; shift ;;
        --reps) REPS="$2"; shift ;;
        --candidates) CANDIDATES="$2"; shift ;;
        --java-opts) PORTIER_JAVA_OPTS="$2"; shift ;;
        --variant) VARIANTS["${2%%=*}"]="${2#*=}"; shift ;;
        --variant-jar) VARIANT_JARS["${2%%=*}"]="${2#*=}"; shift ;;
        --variant-conf) VARIANT_CONFS["${2%%=*}"]="${2#*=}"; shift ;;
        --idle-conns) IDLE_CONNS="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
WORKLOADS="${ONLY:-$ALL_WORKLOADS}"

# ---- CPUs, ports, work dir ----
LOAD_CPU=0           # load generator and backends
PROXY_CPU=1          # the proxy under test (rr-latency: LOAD_CPU, see README)
if [ "$(nproc --all)" -lt 2 ]; then PROXY_CPU=0; fi

BACKEND_HTTP=27181
BACKEND_REDIS=27182
BACKEND_IPERF=27183
BACKEND_IDLE=27184
FRONT_BASE=27190     # a block's candidates listen on 27190, 27191, ... (one port each)
ADMIN_BASE=27200     # Portier's admin API: 27200, 27201, ...

WORK="$(mktemp -d /tmp/portier-perf.XXXXXX)"
CSV="$WORK/results.csv"
echo "workload,candidate,rep,metric,value" > "$CSV"
CLK_TCK="$(getconf CLK_TCK)"
PIDS=()

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
    local p
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- setup ----
install_tools() {
    local need=()
    command -v haproxy >/dev/null || need+=(haproxy)
    command -v nginx >/dev/null || need+=(nginx)
    [ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
    command -v wrk >/dev/null || need+=(wrk)
    command -v iperf3 >/dev/null || need+=(iperf3)
    command -v redis-server >/dev/null || need+=(redis-server)
    command -v redis-benchmark >/dev/null || need+=(redis-tools)
    command -v gnuplot >/dev/null || need+=(gnuplot-nox)
    command -v taskset >/dev/null || need+=(util-linux)
    command -v curl >/dev/null || need+=(curl)
    if [ ${#need[@]} -gt 0 ]; then
        log "installing ${need[*]}"
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
    fi
    command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }
}

PORTIER_JAR="$ROOT/proxy-server/target/portier.jar"
build_portier() {
    if [ ! -f "$PORTIER_JAR" ]; then
        log "building $PORTIER_JAR"
        (cd "$ROOT" && mvn -q -B -DskipTests package -pl proxy-server -am)
    fi
}

tune_os() {
    # Each relayed connection takes two descriptors in the proxy: raise the soft limit to the hard one.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    # The kit's ports (27181-27199) must stay outside the ephemeral range, or a connection of a
    # previous workload can hold a port a proxy is about to listen on.
    local lo
    lo="$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range)"
    if [ "$lo" -le 27199 ]; then
        echo "net.ipv4.ip_local_port_range starts at $lo: the kit's ports 27181-27199 would collide" >&2
        exit 1
    fi
}

# ---- process helpers ----
# cpu_ticks PID: "UTIME STIME" of the whole process (every thread), in clock ticks: user space
# (for Portier: Java, the JIT, the GC) and the kernel working for it (syscalls, TCP).
cpu_ticks() {
    local s
    s="$(cat "/proc/$1/stat")"
    s="${s##*) }"
    # shellcheck disable=SC2086
    set -- $s
    echo "${12} ${13}"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

wait_port() {
    local port="$1" i
    for i in $(seq 1 600); do
        if ss -ltnH "sport = :$port" | grep -q .; then return 0; fi
        sleep 0.1
    done
    echo "nothing listens on port $port" >&2
    return 1
}

# start_bg NAME CPU CMD...: starts CMD pinned to CPU, stores its pid in $LAST_PID.
start_bg() {
    local name="$1" cpu="$2"
    shift 2
    taskset -c "$cpu" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

stop_pid() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

record() { echo "$1,$2,$3,$4,$5" >> "$CSV"; }

render() { # render TEMPLATE OUT KEY=VALUE...
    local tpl="$1" out="$2"
    shift 2
    cp "$tpl" "$out"
    local kv
    for kv in "$@"; do
        sed -i "s|@${kv%%=*}@|${kv#*=}|g" "$out"
    done
}

# ---- backends (pinned to LOAD_CPU, started once) ----
start_backends() {
    mkdir -p "$WORK/backend-nginx/logs"
    render "$PERF_DIR/conf/backend-nginx.conf" "$WORK/backend-nginx.conf" \
        PORT=$BACKEND_HTTP PREFIX="$WORK/backend-nginx"
    start_bg backend-nginx $LOAD_CPU nginx -p "$WORK/backend-nginx" -c "$WORK/backend-nginx.conf"
    start_bg backend-redis $LOAD_CPU redis-server --port $BACKEND_REDIS --bind 127.0.0.1 --save "" \
        --appendonly no --maxclients 10000 --protected-mode no --dir "$WORK"
    start_bg backend-iperf $LOAD_CPU iperf3 -s -p $BACKEND_IPERF
    start_bg backend-idle $LOAD_CPU python3 "$PERF_DIR/lib/idle.py" serve --port $BACKEND_IDLE
    wait_port $BACKEND_HTTP; wait_port $BACKEND_REDIS; wait_port $BACKEND_IPERF; wait_port $BACKEND_IDLE
}

# ---- candidates ----
# start_candidate CAND BACKEND_PORT CPU SLOT [limits]: starts the proxy on port FRONT_BASE+SLOT, sets
# FRONT and CAND_PID. CAND is direct, haproxy, nginx, portier or portier:VARIANT.
start_candidate() {
    local cand="$1" back="$2" cpu="$3" slot="$4" limits="${5:-}"
    local tag="${cand/:/-}${limits:+-limits}"
    local front=$(( FRONT_BASE + slot )) admin=$(( ADMIN_BASE + slot ))
    local opts="$PORTIER_JAVA_OPTS" jar="$PORTIER_JAR" extra=""
    if [[ "$cand" == portier:* ]]; then
        opts="${VARIANTS[${cand#portier:}]-$PORTIER_JAVA_OPTS}"
        jar="${VARIANT_JARS[${cand#portier:}]-$PORTIER_JAR}"
        extra="${VARIANT_CONFS[${cand#portier:}]-}"
        cand=portier
    fi
    if [ -n "${NO_PRETOUCH:-}" ]; then opts="${opts//-XX:+AlwaysPreTouch/}"; fi
    case "$cand" in
        direct)
            FRONT=$back; CAND_PID="" ;;
        haproxy)
            FRONT=$front
            local hl=""
            [ -n "$limits" ] && hl="$(cat "$PERF_DIR/conf/haproxy-limits.snippet")"
            render "$PERF_DIR/conf/haproxy.cfg" "$WORK/$tag.cfg" FRONT=$FRONT BACKEND=$back
            python3 - "$WORK/$tag.cfg" "$hl" <<'EOF'
import sys; p, s = sys.argv[1], sys.argv[2]
t = open(p).read().replace("    @LIMITS@\n", s + "\n" if s else ""); open(p, "w").write(t)
EOF
            start_bg "$tag" "$cpu" haproxy -db -f "$WORK/$tag.cfg"
            CAND_PID=$LAST_PID ;;
        nginx)
            FRONT=$front
            mkdir -p "$WORK/$tag/logs"
            local nl=""
            [ -n "$limits" ] && nl="$(cat "$PERF_DIR/conf/nginx-limits.snippet")"
            render "$PERF_DIR/conf/nginx-stream.conf" "$WORK/$tag.conf" FRONT=$FRONT BACKEND=$back \
                PREFIX="$WORK/$tag"
            python3 - "$WORK/$tag.conf" "$nl" <<'EOF'
import sys; p, s = sys.argv[1], sys.argv[2]
t = open(p).read().replace("    @LIMITS@\n", s + "\n" if s else ""); open(p, "w").write(t)
EOF
            start_bg "$tag" "$cpu" nginx -p "$WORK/$tag" -c "$WORK/$tag.conf"
            CAND_PID=$LAST_PID ;;
        portier)
            FRONT=$front
            local pl=""
            [ -n "$limits" ] && pl="$(cat "$PERF_DIR/conf/portier-limits.snippet")"
            render "$PERF_DIR/conf/portier.conf" "$WORK/$tag.conf" FRONT=$FRONT BACKEND=$back \
                ADMIN=$admin
            python3 - "$WORK/$tag.conf" "$pl" <<'EOF'
import sys; p, s = sys.argv[1], sys.argv[2]
t = open(p).read().replace("    @LIMITS@\n", s + "\n" if s else ""); open(p, "w").write(t)
EOF
            if [ -n "$extra" ]; then printf '%s\n' "$extra" >> "$WORK/$tag.conf"; fi
            # shellcheck disable=SC2086
            echo "$opts" > "$WORK/$tag.java-opts"
            start_bg "$tag" "$cpu" java $opts -jar "$jar" run -c "$WORK/$tag.conf"
            CAND_PID=$LAST_PID ;;
        *) echo "unknown candidate $cand" >&2; exit 2 ;;
    esac
    if [ -n "$CAND_PID" ]; then
        wait_port "$FRONT" || { cat "$WORK/$tag.err" >&2; exit 1; }
        if [ "$cand" = portier ]; then wait_portier_up "$admin"; fi
    fi
}

wait_portier_up() {
    # With the admin API: wait until the server is UP. Without it (older builds): the server starts
    # UP and its first health check runs within a second.
    local i
    for i in $(seq 1 50); do
        if curl -fsS "http://127.0.0.1:$1/api/v1/pools" 2>/dev/null | grep -q '"state" *: *"UP"'; then
            return 0
        fi
        if ! curl -fsS -o /dev/null "http://127.0.0.1:$1/healthz" 2>/dev/null && [ "$i" -ge 15 ]; then
            return 0
        fi
        sleep 0.1
    done
    echo "portier: the backend never came UP" >&2
    return 1
}

stop_candidate() { if [ -n "${CAND_PID:-}" ]; then stop_pid "$CAND_PID"; fi; CAND_PID=""; }

# ---- load generators; each prints "metric value" lines, and "ops N" for the CPU-per-op divisor ----
to_us() { # 1.23ms -> 1230
    awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        if (u == "us") m = 1; else if (u == "ms") m = 1000; else if (u == "s") m = 1000000; else m = 1;
        printf "%.1f\n", n * m }'
}

load_wrk() { # load_wrk PORT CONNS SECONDS [extra wrk args]
    local port="$1" conns="$2" secs="$3"
    shift 3
    local out
    out="$(taskset -c $LOAD_CPU wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s --latency "$@" \
        "http://127.0.0.1:$port/" 2>&1)" || true
    echo "$out" > "$WORK/last-wrk.txt"
    local rps reqs p50 p99 errs non2xx
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    reqs="$(awk '/ requests in / {print $1}' <<<"$out")"
    p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    errs="$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' <<<"$out")"
    non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
    echo "rps ${rps:-0}"
    echo "p50_us $(to_us "${p50:-0}")"
    echo "p99_us $(to_us "${p99:-0}")"
    echo "errors $(( ${errs:-0} + ${non2xx:-0} ))"
    echo "ops ${reqs:-0}"
}

load_bulk() { # load_bulk PORT SECONDS
    local out
    out="$(timeout $(( $2 + 20 )) taskset -c $LOAD_CPU iperf3 -c 127.0.0.1 -p "$1" -t "$2" -P 1 -J 2>&1)" || true
    echo "$out" > "$WORK/last-iperf.json"
    python3 - "$WORK/last-iperf.json" <<'EOF'
import json, sys
try:
    r = json.load(open(sys.argv[1]))["end"]["sum_received"]
    print("gbps %.3f" % (r["bits_per_second"] / 1e9))
    print("gb %.4f" % (r["bytes"] / 1e9))
except Exception:
    print("gbps 0"); print("gb 0")
EOF
}

load_redis() { # load_redis PORT SECONDS|warmup PIPELINE
    local port="$1" secs="$2" pipe="$3" n
    # redis-benchmark counts requests, not time. The warm-up runs a fixed count and notes the rate it
    # reached through this port; a measured run sizes its count for about SECONDS (half per test).
    local rate_file="$WORK/redis-rate.$port.$pipe"
    if [ "$secs" = warmup ]; then
        secs=$WARMUP
        if [ "$pipe" -gt 1 ]; then n=$(( secs * 100000 )); else n=$(( secs * 10000 )); fi
    else
        local rate
        rate="$(cat "$rate_file" 2>/dev/null || echo 20000)"
        n="$(awk -v r="$rate" -v s="$secs" 'BEGIN { n = int(r * s / 2); print (n < 10000 ? 10000 : n) }')"
    fi
    local t0 t1 out
    t0="$(date +%s.%N)"
    out="$(timeout $(( secs * 6 + 20 )) taskset -c $LOAD_CPU redis-benchmark -h 127.0.0.1 -p "$port" \
        -c 50 -n "$n" -P "$pipe" -t get,set --csv 2>/dev/null)" || true
    t1="$(date +%s.%N)"
    echo "$out" > "$WORK/last-redis.csv"
    local get set
    set="$(awk -F'","' '/^"SET"/ {print $2}' <<<"$out")"
    get="$(awk -F'","' '/^"GET"/ {print $2}' <<<"$out")"
    echo "set_rps ${set:-0}"
    echo "get_rps ${get:-0}"
    if [ -n "$set" ] && [ -n "$get" ]; then
        local ops_s
        ops_s="$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", 2 * n / (b - a) }')"
        echo "$ops_s" > "$rate_file"
        echo "ops_s $ops_s"
        echo "ops $(( 2 * n ))"
    else
        echo "ops_s 0"; echo "ops 0"
    fi
}

# measure WORKLOAD CAND REP LOADFN ARGS...: runs the load, records its metrics and the proxy's CPU.
measure() {
    local wl="$1" cand="$2" rep="$3"
    shift 3
    local u0=0 s0=0 u1=0 s1=0 out ops="" gb=""
    [ -n "$CAND_PID" ] && read -r u0 s0 <<<"$(cpu_ticks "$CAND_PID")"
    out="$("$@")"
    [ -n "$CAND_PID" ] && read -r u1 s1 <<<"$(cpu_ticks "$CAND_PID")"
    local c0=$(( u0 + s0 )) c1=$(( u1 + s1 ))
    local m v
    while read -r m v; do
        [ -z "$m" ] && continue
        case "$m" in
            ops) ops="$v" ;;
            gb) gb="$v"; record "$wl" "$cand" "$rep" "$m" "$v" ;;
            *) record "$wl" "$cand" "$rep" "$m" "$v" ;;
        esac
    done <<<"$out"
    if [ -n "$CAND_PID" ]; then
        local cpu_s
        cpu_s="$(awk -v t=$(( c1 - c0 )) -v h="$CLK_TCK" 'BEGIN { printf "%.3f", t / h }')"
        record "$wl" "$cand" "$rep" cpu_s "$cpu_s"
        if [ -n "$ops" ] && [ "$ops" != 0 ]; then
            record "$wl" "$cand" "$rep" cpu_us_per_op \
                "$(awk -v c="$cpu_s" -v n="$ops" 'BEGIN { printf "%.3f", c * 1e6 / n }')"
            record "$wl" "$cand" "$rep" cpu_user_us_per_op \
                "$(awk -v t=$(( u1 - u0 )) -v h="$CLK_TCK" -v n="$ops" 'BEGIN { printf "%.3f", t / h * 1e6 / n }')"
            record "$wl" "$cand" "$rep" cpu_sys_us_per_op \
                "$(awk -v t=$(( s1 - s0 )) -v h="$CLK_TCK" -v n="$ops" 'BEGIN { printf "%.3f", t / h * 1e6 / n }')"
        fi
        if [ -n "$gb" ] && [ "$gb" != 0 ]; then
            record "$wl" "$cand" "$rep" cpu_s_per_gb \
                "$(awk -v c="$cpu_s" -v g="$gb" 'BEGIN { printf "%.4f", c / g }')"
        fi
    fi
    log "  $wl $cand #$rep: $(tr '\n' ' ' <<<"$out")"
}

# run_block WORKLOAD BACKEND_PORT CPU CANDIDATE-SPECS LOADFN ARGS...
# Starts each candidate (spec: name or name+limits), warms it up, then runs the repetitions
# interleaved (rep 1 of every candidate, then rep 2, ...) so slow drifts in the machine's load hit
# every candidate alike.
run_block() {
    local wl="$1" back="$2" cpu="$3" specs="$4"
    shift 4
    local spec cand limits rep slot=0
    declare -A fronts=() pids=()
    for spec in ${specs//,/ }; do
        cand="${spec%+limits}"; limits=""
        [ "$spec" != "$cand" ] && limits=1
        start_candidate "$cand" "$back" "$cpu" "$slot" "$limits"
        slot=$(( slot + 1 ))
        fronts[$spec]=$FRONT; pids[$spec]="$CAND_PID"
    done
    # Warm-up: WARMUP seconds of load, then a short second run. The JVM deoptimises and recompiles
    # when it first sees a connection end, so without the second run Portier's first measured run
    # pays for that recompilation (a p99 in milliseconds, on its CPU).
    for spec in ${specs//,/ }; do
        warm_connections "${fronts[$spec]}" "$back"
        "$@" "${fronts[$spec]}" warmup >/dev/null
        "$@" "${fronts[$spec]}" 2 >/dev/null
    done
    for rep in $(seq 1 "$REPS"); do
        for spec in ${specs//,/ }; do
            CAND_PID="${pids[$spec]}"
            measure "$wl" "$spec" "$rep" "$@" "${fronts[$spec]}" "$DURATION"
        done
    done
    for spec in ${specs//,/ }; do
        CAND_PID="${pids[$spec]}"; stop_candidate
    done
}

# warm_connections PORT BACKEND_PORT: WARM_CONNS short connections through a candidate, one request
# each, before the workload's own warm-up. The keep-alive workloads open only a few connections per
# run, so without this the JVM is still compiling connection set-up and teardown (a little more with
# every run) inside the measured runs; a long-running proxy has compiled them long ago. Every
# candidate gets the same; HAProxy and nginx have nothing to compile.
warm_connections() {
    local payload
    case "$2" in
        "$BACKEND_HTTP") payload='GET / HTTP/1.0\r\n\r\n' ;;
        "$BACKEND_REDIS") payload='PING\r\n' ;;
        *) return 0 ;;
    esac
    taskset -c $LOAD_CPU python3 - "$1" "$payload" "$WARM_CONNS" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[3])
payload = sys.argv[2].encode().decode("unicode_escape").encode()
for _ in range(n):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(payload)
        s.recv(4096)
PY
}

# Load functions take (PORT, SECONDS|warmup) last.
wl_wrk_keepalive() { load_wrk "$1" 50 "$(secs "$2")"; }
wl_wrk_latency() { load_wrk "$1" 1 "$(secs "$2")"; }
wl_wrk_churn() { load_wrk "$1" 50 "$(secs "$2")" -H "Connection: close"; }
wl_bulk() { load_bulk "$1" "$(secs "$2")"; }
wl_redis() { load_redis "$1" "$2" 1; }
wl_redis_p16() { load_redis "$1" "$2" 16; }
secs() { if [ "$1" = warmup ]; then echo "$WARMUP"; else echo "$1"; fi; }

# ---- idle connections ----
# heap_used_kb PID: the JVM's live heap after a full GC, in KiB.
heap_used_kb() {
    jcmd "$1" GC.run >/dev/null 2>&1 || true
    jcmd "$1" GC.heap_info 2>/dev/null \
        | awk '/(generation|heap) +total/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub(/K,?/, "", v); s += v } }
               END { print s + 0 }'
}

run_idle() {
    local cand rep
    # Two descriptors per relayed connection in the proxy, plus its own: stay under the fd limit.
    local fds max n
    fds="$(ulimit -n)"
    max=$(( (fds - 300) / 2 ))
    n=$(( IDLE_CONNS < max ? IDLE_CONNS : max ))
    [ "$n" -lt "$IDLE_CONNS" ] && log "idle-conns: fd limit $fds allows $n connections, not $IDLE_CONNS"
    # Pre-touching the heap would hide the heap pages idle connections use: idle-conns runs Portier
    # without it, so the RSS delta counts them.
    NO_PRETOUCH=1
    for rep in $(seq 1 "$REPS"); do
        for cand in ${CANDIDATES//,/ }; do
            [ "$cand" = direct ] && continue
            start_candidate "$cand" $BACKEND_IDLE $PROXY_CPU 0
            # warm the accept/relay path, so one-off start-up allocation is not counted per connection
            taskset -c $LOAD_CPU python3 "$PERF_DIR/lib/idle.py" hold --port "$FRONT" --count 200 --hold 0
            sleep 1
            local before after got heap0=0 heap1=0
            [[ "$cand" == portier* ]] && heap0="$(heap_used_kb "$CAND_PID")"
            before="$(rss_kb "$CAND_PID")"
            rm -f "$WORK/idle.ready"
            taskset -c $LOAD_CPU python3 "$PERF_DIR/lib/idle.py" hold --port "$FRONT" --count "$n" \
                --hold 120 --ready "$WORK/idle.ready" >"$WORK/idle-client.out" 2>&1 &
            local client=$!
            local i
            for i in $(seq 1 900); do [ -s "$WORK/idle.ready" ] && break; sleep 0.1; done
            sleep 2
            after="$(rss_kb "$CAND_PID")"
            record idle-conns "$cand" "$rep" proxy_fds "$(ls "/proc/$CAND_PID/fd" | wc -l)"
            [[ "$cand" == portier* ]] && heap1="$(heap_used_kb "$CAND_PID")"
            got="$(cat "$WORK/idle.ready" 2>/dev/null || echo 0)"
            kill $client 2>/dev/null || true
            wait $client 2>/dev/null || true
            record idle-conns "$cand" "$rep" conns "$got"
            record idle-conns "$cand" "$rep" rss_before_kb "$before"
            record idle-conns "$cand" "$rep" rss_after_kb "$after"
            if [ "$got" -gt 0 ]; then
                record idle-conns "$cand" "$rep" bytes_per_conn "$(( (after - before) * 1024 / got ))"
                [[ "$cand" == portier* ]] && record idle-conns "$cand" "$rep" live_heap_bytes_per_conn \
                    "$(( (heap1 - heap0) * 1024 / got ))"
            fi
            log "  idle-conns $cand #$rep: $got conns, rss ${before} -> ${after} KiB, heap ${heap0} -> ${heap1} KiB"
            stop_candidate
        done
    done
    NO_PRETOUCH=""
}

# ---- main ----
install_tools
tune_os
build_portier
mkdir -p "$OUT"
log "work dir $WORK; duration ${DURATION}s, warm-up ${WARMUP}s, ${REPS} rep(s); Portier JAVA_OPTS: $PORTIER_JAVA_OPTS"
start_backends

has() { [[ ",$WORKLOADS," == *",$1,"* ]]; }
CANDS="$CANDIDATES"

if has rr-keepalive; then
    log "rr-keepalive"
    run_block rr-keepalive $BACKEND_HTTP $PROXY_CPU "$CANDS" wl_wrk_keepalive
fi
if has rr-latency; then
    log "rr-latency (proxy on the load's CPU)"
    run_block rr-latency $BACKEND_HTTP $LOAD_CPU "$CANDS" wl_wrk_latency
fi
if has conn-churn; then
    log "conn-churn"
    run_block conn-churn $BACKEND_HTTP $PROXY_CPU "$CANDS" wl_wrk_churn
fi
if has bulk; then
    log "bulk"
    run_block bulk $BACKEND_IPERF $PROXY_CPU "$CANDS" wl_bulk
fi
if has redis; then
    log "redis"
    run_block redis $BACKEND_REDIS $PROXY_CPU "$CANDS" wl_redis
    run_block redis-p16 $BACKEND_REDIS $PROXY_CPU "$CANDS" wl_redis_p16
fi
if has idle-conns; then
    log "idle-conns"
    run_idle
fi
if has limits-on; then
    log "limits-on"
    LCANDS=""
    for c in ${CANDS//,/ }; do
        case "$c" in
            direct) LCANDS+="direct," ;;
            portier*) LCANDS+="$c,$c+limits," ;;
            *) LCANDS+="$c+limits," ;;
        esac
    done
    run_block limits-on/rr-keepalive $BACKEND_HTTP $PROXY_CPU "${LCANDS%,}" wl_wrk_keepalive
    run_block limits-on/conn-churn $BACKEND_HTTP $PROXY_CPU "${LCANDS%,}" wl_wrk_churn
fi

# ---- report ----
{
    echo "cpu_model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "cpus=$(nproc --all)"
    echo "kernel=$(uname -sr)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "haproxy=$(haproxy -v | head -1)"
    echo "nginx=$(nginx -v 2>&1)"
    echo "java=$(java -version 2>&1 | head -1)"
    echo "java_vm=$(java -version 2>&1 | tail -1)"
    echo "wrk=$(wrk -v 2>&1 | head -1)"
    echo "iperf3=$(iperf3 -v | head -1)"
    echo "redis=$(redis-server -v)"
    echo "java_opts=$PORTIER_JAVA_OPTS"
    for v in "${!VARIANTS[@]}"; do echo "variant_$v=${VARIANTS[$v]}"; done
    for v in "${!VARIANT_JARS[@]}"; do echo "variant_jar_$v=${VARIANT_JARS[$v]}"; done
    for v in "${!VARIANT_CONFS[@]}"; do echo "variant_conf_$v=${VARIANT_CONFS[$v]}"; done
    echo "duration=$DURATION"
    echo "warmup=$WARMUP"
    echo "reps=$REPS"
    echo "idle_fd_limit=$(ulimit -n)"
    echo "portier_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
    echo "command=perf/run.sh ${ORIG_ARGS:-}"
} > "$WORK/meta.env"
cp "$CSV" "$OUT/results.csv"
cp "$WORK/meta.env" "$OUT/meta.env"
mkdir -p "$OUT/configs"
for f in "$WORK"/*.cfg "$WORK"/*.conf; do
    [ -e "$f" ] && cp "$f" "$OUT/configs/"
done
python3 "$PERF_DIR/lib/report.py" "$OUT"
log "report: $OUT/REPORT.md"
