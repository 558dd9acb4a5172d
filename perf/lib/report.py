#!/usr/bin/env python3
"""Turns perf/results/results.csv (one row per measured figure) into REPORT.md and PNG charts.

usage: report.py RESULTS_DIR     (reads results.csv, meta.env and configs/ there)
"""
import csv
import os
import statistics
import subprocess
import sys
from collections import defaultdict

# workload -> (title, [(metric, label, higher_is_better, with_ratios)])
WORKLOADS = [
    ("rr-keepalive", "rr-keepalive: wrk, 50 keep-alive connections, small HTTP responses", [
        ("rps", "requests/s", True, True),
        ("cpu_us_per_op", "proxy CPU µs/request", False, True),
        ("cpu_user_us_per_op", "of which user µs", False, True),
        ("cpu_sys_us_per_op", "of which system µs", False, True),
        ("p50_us", "p50 µs", False, False),
        ("p99_us", "p99 µs", False, False),
        ("errors", "errors", False, False)]),
    ("rr-latency", "rr-latency: wrk, 1 connection, one request at a time (proxy on the load's CPU)", [
        ("p50_us", "p50 µs", False, False),
        ("added_p50_us", "added p50 µs", False, True),
        ("p99_us", "p99 µs", False, False),
        ("added_p99_us", "added p99 µs", False, True),
        ("rps", "requests/s", True, False),
        ("cpu_us_per_op", "proxy CPU µs/request", False, True)]),
    ("conn-churn", "conn-churn: wrk with Connection: close, a new TCP connection per request", [
        ("rps", "connections/s", True, True),
        ("cpu_us_per_op", "proxy CPU µs/connection", False, True),
        ("cpu_user_us_per_op", "of which user µs", False, True),
        ("cpu_sys_us_per_op", "of which system µs", False, True),
        ("p99_us", "p99 µs", False, False),
        ("errors", "errors", False, False)]),
    ("bulk", "bulk: iperf3, one stream", [
        ("gbps", "Gbit/s", True, True),
        ("cpu_s_per_gb", "proxy CPU s/GB", False, True)]),
    ("redis", "redis: redis-benchmark -c 50 -t get,set", [
        ("ops_s", "ops/s (get+set)", True, True),
        ("get_rps", "GET/s", True, False),
        ("set_rps", "SET/s", True, False),
        ("cpu_us_per_op", "proxy CPU µs/op", False, True),
        ("cpu_user_us_per_op", "of which user µs", False, True),
        ("cpu_sys_us_per_op", "of which system µs", False, True)]),
    ("redis-p16", "redis, pipelined: redis-benchmark -c 50 -P 16 -t get,set", [
        ("ops_s", "ops/s (get+set)", True, True),
        ("get_rps", "GET/s", True, False),
        ("set_rps", "SET/s", True, False),
        ("cpu_us_per_op", "proxy CPU µs/op", False, True),
        ("cpu_user_us_per_op", "of which user µs", False, True),
        ("cpu_sys_us_per_op", "of which system µs", False, True)]),
    ("idle-conns", "idle-conns: idle connections held through the proxy", [
        ("conns", "connections held", True, False),
        ("rss_before_kb", "RSS before KiB", False, False),
        ("rss_after_kb", "RSS after KiB", False, False),
        ("bytes_per_conn", "RSS bytes/connection", False, True),
        ("live_heap_bytes_per_conn", "live heap bytes/connection", False, False),
        ("proxy_fds", "proxy fds", False, False)]),
    ("limits-on/rr-keepalive", "limits-on: rr-keepalive with connection-rate and per-source limits that never trigger", [
        ("rps", "requests/s", True, True),
        ("cpu_us_per_op", "proxy CPU µs/request", False, True),
        ("p99_us", "p99 µs", False, False),
        ("errors", "errors", False, False)]),
    ("limits-on/conn-churn", "limits-on: conn-churn with connection-rate and per-source limits that never trigger", [
        ("rps", "connections/s", True, True),
        ("cpu_us_per_op", "proxy CPU µs/connection", False, True),
        ("cpu_user_us_per_op", "of which user µs", False, True),
        ("cpu_sys_us_per_op", "of which system µs", False, True),
        ("errors", "errors", False, False)]),
]
ORDER = ["direct", "haproxy", "haproxy+limits", "nginx", "nginx+limits", "portier", "portier+limits"]


def load(results):
    data = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    with open(os.path.join(results, "results.csv")) as f:
        for row in csv.DictReader(f):
            try:
                data[row["workload"]][row["candidate"]][row["metric"]].append(float(row["value"]))
            except ValueError:
                pass
    # rr-latency: latency added over direct, per repetition against direct's median
    lat = data.get("rr-latency")
    if lat and "direct" in lat:
        for q in ("p50_us", "p99_us"):
            base = statistics.median(lat["direct"][q]) if lat["direct"][q] else None
            if base is None:
                continue
            for cand, m in lat.items():
                m["added_" + q] = [v - base for v in m[q]]
    return data


def med(vals):
    return statistics.median(vals) if vals else None


def fmt(v):
    if v is None:
        return "–"
    a = abs(v)
    if v == int(v) and a < 1000:
        return str(int(v))
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell(vals):
    if not vals:
        return "–"
    if len(vals) == 1:
        return fmt(vals[0])
    return f"{fmt(med(vals))} ({fmt(min(vals))}–{fmt(max(vals))})"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rfmt(r):
    return "–" if r is None else f"{r:.2f}"


def reference(cands, kind):
    """The candidate to compare with: direct, or HAProxy (haproxy+limits in the limits blocks)."""
    if kind == "direct":
        return "direct" if "direct" in cands else None
    for c in ("haproxy", "haproxy+limits"):
        if c in cands:
            return c
    return None


def table(wl, title, metrics, cands):
    names = [c for c in ORDER if c in cands] + sorted(c for c in cands if c not in ORDER)
    head = ["candidate"]
    for m, label, _, with_ratios in metrics:
        head.append(label)
        if with_ratios:
            head += ["÷ direct", "÷ HAProxy"]
    lines = [f"### {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    d_ref, h_ref = reference(cands, "direct"), reference(cands, "haproxy")
    for c in names:
        row = [c]
        for m, label, _, with_ratios in metrics:
            vals = cands[c].get(m, [])
            row.append(cell(vals))
            if with_ratios:
                v = med(vals)
                row.append(rfmt(ratio(v, med(cands[d_ref].get(m, []))) if d_ref else None))
                row.append(rfmt(ratio(v, med(cands[h_ref].get(m, []))) if h_ref else None))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def charts(results, data):
    """Two clustered bar charts: throughput and proxy CPU per operation, each as a ratio to HAProxy."""
    made = []
    specs = [
        ("ratio-throughput.png", "Throughput, ratio to HAProxy (higher is better)",
         {"rr-keepalive": "rps", "conn-churn": "rps", "bulk": "gbps", "redis": "ops_s", "redis-p16": "ops_s",
          "limits-on/rr-keepalive": "rps", "limits-on/conn-churn": "rps"}),
        ("ratio-cpu.png", "Proxy CPU per operation, ratio to HAProxy (lower is better)",
         {"rr-keepalive": "cpu_us_per_op", "conn-churn": "cpu_us_per_op", "bulk": "cpu_s_per_gb",
          "redis": "cpu_us_per_op", "redis-p16": "cpu_us_per_op", "idle-conns": "bytes_per_conn",
          "limits-on/rr-keepalive": "cpu_us_per_op", "limits-on/conn-churn": "cpu_us_per_op"}),
        ("ratio-latency.png", "rr-latency: added latency, ratio to HAProxy (lower is better)",
         {"rr-latency": "added_p50_us", "rr-latency ": "added_p99_us"}),
    ]
    for png, title, metric_of in specs:
        present = set()
        for cands in data.values():
            present.update(c.split("+")[0] for c in cands)
        series = [s for s in ("nginx", "portier") if s in present]
        if not series:
            continue
        rows = []
        for wl, m in metric_of.items():
            key = wl.strip()
            cands = data.get(key)
            if not cands:
                continue
            h = reference(cands, "haproxy")
            if not h:
                continue
            hv = med(cands[h].get(m, []))
            label = key if wl == key else key
            if png == "ratio-latency.png":
                label = m.replace("added_", "").replace("_us", "")
            vals = []
            for s in series:
                cand = s if s in cands else s + "+limits"
                if key.startswith("limits-on") and s + "+limits" in cands:
                    cand = s + "+limits"
                vals.append(ratio(med(cands.get(cand, {}).get(m, [])), hv))
            rows.append((label, vals))
        if not rows:
            continue
        dat = os.path.join(results, png.replace(".png", ".dat"))
        with open(dat, "w") as f:
            f.write("# workload " + " ".join(series) + "\n")
            for label, vals in rows:
                f.write('"%s" %s\n' % (label, " ".join("NaN" if v is None else "%.4f" % v for v in vals)))
        colors = {"nginx": "#4e79a7", "portier": "#e15759"}
        plots = ", ".join(
            (f'"{dat}" using {i + 2}:xtic(1)' if i == 0 else f"'' using {i + 2}")
            + f' title "{s}" lc rgb "{colors[s]}"' for i, s in enumerate(series))
        script = f"""
set terminal pngcairo size 900,420 font "sans,10" noenhanced
set output "{os.path.join(results, png)}"
set title "{title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set xtics rotate by -20 noenhanced
set key top right noenhanced
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 lc rgb "#444444"
plot {plots}
"""
        try:
            subprocess.run(["gnuplot"], input=script, text=True, check=True, capture_output=True)
            made.append(png)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"gnuplot failed for {png}: {e}", file=sys.stderr)
    return made


def summary(data):
    """Portier against the issue's targets, one line per target (medians)."""
    def m(wl, cand, metric):
        return med(data.get(wl, {}).get(cand, {}).get(metric, []))

    rows = []

    def add(wl, metric, label, target, ok):
        p, h, n = m(wl, "portier", metric), m(wl, "haproxy", metric), m(wl, "nginx", metric)
        if p is None:
            return
        met = "–" if ok is None else ("yes" if ok else "**no**")
        rows.append(f"| {wl} | {label} | {fmt(p)} | {fmt(h)} | {fmt(n)} | {rfmt(ratio(p, h))} | {target} | {met} |")

    for wl, metric, label in [("rr-keepalive", "cpu_us_per_op", "CPU µs/request"),
                              ("conn-churn", "cpu_us_per_op", "CPU µs/connection"),
                              ("redis", "cpu_us_per_op", "CPU µs/op"),
                              ("redis-p16", "cpu_us_per_op", "CPU µs/op")]:
        p = m(wl, "portier", metric)
        best = min([v for v in (m(wl, "haproxy", metric), m(wl, "nginx", metric)) if v is not None], default=None)
        add(wl, metric, label, "≤ better of HAProxy, nginx", None if p is None or best is None else p <= best)
    for q in ("added_p50_us", "added_p99_us"):
        p, h = m("rr-latency", "portier", q), m("rr-latency", "haproxy", q)
        add("rr-latency", q, q.replace("_us", " µs").replace("_", " "), "≤ HAProxy",
            None if p is None or h is None else p <= h)
    p, h = m("bulk", "portier", "gbps"), m("bulk", "haproxy", "gbps")
    add("bulk", "gbps", "Gbit/s", "≥ HAProxy", None if p is None or h is None else p >= h)
    add("bulk", "cpu_s_per_gb", "CPU s/GB", "(no target)", None)
    p, h = m("idle-conns", "portier", "bytes_per_conn"), m("idle-conns", "haproxy", "bytes_per_conn")
    add("idle-conns", "bytes_per_conn", "RSS bytes/connection", "≤ 2 × HAProxy",
        None if p is None or h is None else p <= 2 * h)
    lim = []
    for wl in ("limits-on/rr-keepalive", "limits-on/conn-churn"):
        for metric, higher in (("rps", True), ("cpu_us_per_op", False)):
            a, b = m(wl, "portier+limits", metric), m(wl, "portier", metric)
            r = ratio(a, b)
            if r is None:
                continue
            ok = r >= 0.95 if higher else r <= 1.05
            lim.append(f"| {wl} | {metric} | {fmt(b)} | {fmt(a)} | {rfmt(r)} | within 5% | "
                       f"{'yes' if ok else '**no**'} |")
    if not rows and not lim:
        return []
    out = ["## Summary: Portier against the targets", "",
           "| workload | figure | Portier | HAProxy | nginx | Portier ÷ HAProxy | target | met |",
           "|---|---|---|---|---|---|---|---|"] + rows + [""]
    if lim:
        out += ["| limits-on | figure | Portier without limits | with limits | ratio | target | met |",
                "|---|---|---|---|---|---|---|"] + lim + [""]
    return out


def main():
    results = sys.argv[1]
    data = load(results)
    meta = {}
    if os.path.exists(os.path.join(results, "meta.env")):
        for line in open(os.path.join(results, "meta.env")):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    made = charts(results, data)
    out = ["# Portier perf report", ""]
    out += [f"Run {meta.get('date', '?')} on Portier `{meta.get('portier_commit', '?')}` with "
            f"`{meta.get('command', 'perf/run.sh')}`: {meta.get('duration', '?')} s per run after a "
            f"{meta.get('warmup', '?')} s warm-up, {meta.get('reps', '?')} repetition(s); each cell is the "
            "median, with the min–max over the repetitions in brackets. Ratios are of medians. "
            "Proxy CPU is utime+stime of the whole proxy process (for Portier every JVM thread: event "
            "loop, GC, JIT) over the measured run, divided by the operations the load generator counted.",
            ""]
    out += ["## Machine and versions", ""]
    for k, label in [("cpu_model", "CPU"), ("cpus", "CPUs"), ("kernel", "kernel"), ("os", "OS"),
                     ("haproxy", "HAProxy"), ("nginx", "nginx"), ("java", "Java"), ("java_vm", "JVM"),
                     ("wrk", "wrk"), ("iperf3", "iperf3"), ("redis", "Redis"),
                     ("idle_fd_limit", "open-file limit")]:
        out.append(f"- {label}: `{meta.get(k, '?')}`")
    out.append(f"- Portier JAVA_OPTS: `{meta.get('java_opts', '?')}`")
    for k in sorted(meta):
        if k.startswith("variant_jar_"):
            out.append(f"- `portier:{k[len('variant_jar_'):]}` runs another build: `{meta[k]}`")
        elif k.startswith("variant_"):
            out.append(f"- `portier:{k[len('variant_'):]}` JAVA_OPTS: `{meta[k] or '(none)'}`")
    out += ["", "CPU 1 runs the proxy under test; CPU 0 runs the load generator and the backend "
            "(rr-latency: the proxy too). Proxies run one at a time under load; the repetitions are "
            "interleaved (rep 1 of each candidate, then rep 2, ...).", ""]
    out += summary(data)
    extra = os.path.join(results, "NOTES.md")
    if os.path.exists(extra):
        out += [open(extra).read().rstrip(), ""]
    if made:
        out += ["## Charts", ""]
        for png in made:
            out.append(f"![{png}]({png})")
        out.append("")
    out += ["## Results", ""]
    for wl, title, metrics in WORKLOADS:
        if wl in data:
            out += table(wl, title, metrics, data[wl]) + [""]
    # limits-on: cost of the limits for each proxy, within the same block
    rows = []
    for wl in ("limits-on/rr-keepalive", "limits-on/conn-churn"):
        cands = data.get(wl, {})
        if "portier" in cands and "portier+limits" in cands:
            for m in ("rps", "cpu_us_per_op"):
                a, b = med(cands["portier+limits"].get(m, [])), med(cands["portier"].get(m, []))
                rows.append(f"| {wl} | {m} | {fmt(b)} | {fmt(a)} | {rfmt(ratio(a, b))} |")
    if rows:
        out += ["### limits-on: Portier with limits ÷ Portier without (same block)", "",
                "| workload | metric | without | with | ratio |", "|---|---|---|---|---|"] + rows + [""]
    out += ["## Configs", "", "Rendered exactly as run, from the templates in perf/conf/ (ports substituted; "
            "each block renders them again with its backend: 27181 nginx for rr-*, conn-churn and "
            "limits-on, 27182 redis, 27183 iperf3, 27184 the idle holder; the copies below are from the "
            "last block that used each). Raw figures: [results.csv](results.csv).", ""]
    cdir = os.path.join(results, "configs")
    if os.path.isdir(cdir):
        for name in sorted(os.listdir(cdir)):
            out += [f"### {name}", "", "```", open(os.path.join(cdir, name)).read().rstrip(), "```", ""]
    with open(os.path.join(results, "REPORT.md"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
