# Helpers shared by the by-hand profiling scripts (profile.sh, syscalls.sh, kprofile.sh).
# Source it after setting PERF_DIR. run.sh keeps its own, richer versions (logging, timeouts).

# render TEMPLATE OUT KEY=VALUE...: copies a config template, replacing @KEY@ with VALUE; the
# @LIMITS@ line (limits-on only) is dropped.
render() {
    local tpl="$1" out="$2"; shift 2; cp "$tpl" "$out"; local kv
    for kv in "$@"; do sed -i "s|@${kv%%=*}@|${kv#*=}|g" "$out"; done
    sed -i '/@LIMITS@/d' "$out"
}

# wait_port PORT: waits up to 30 s for a listening socket on PORT.
wait_port() {
    local i
    for i in $(seq 1 300); do ss -ltnH "sport = :$1" | grep -q . && return 0; sleep 0.1; done
    return 1
}

# kit_setup NAME: sets WORK (a fresh /tmp/portier-NAME.* directory), PIDS (processes to kill on
# exit or on INT/TERM, with the trap that does it) and JAVA_OPTS_BASE (the kit's Portier
# JAVA_OPTS: run.sh's default, unless PORTIER_JAVA_OPTS says otherwise).
kit_setup() {
    WORK="$(mktemp -d "/tmp/portier-$1.XXXXXX")"
    PIDS=()
    trap 'for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; wait 2>/dev/null || true' EXIT
    trap 'exit 143' INT TERM # a signal ends the script through the EXIT trap too (bash skips it otherwise)
    JAVA_OPTS_BASE="${PORTIER_JAVA_OPTS:-$(sed -n 's/^DEFAULT_JAVA_OPTS="\(.*\)"$/\1/p' "$PERF_DIR/run.sh")}"
}
