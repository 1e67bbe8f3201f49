#!/usr/bin/env python3
"""zhsearch from one or more source trees (a commit before a change and
after it) beside tantivy, each in a fresh process (``bench/peers.py
serve``), on indexes already built: the first run of each query of the
mix, two untimed rounds, then ``ROUNDS`` (10) timed rounds interleaved
query by query, as ``bench/run``'s peers comparison does, plus each
process's CPU time per warm query (from /proc: the machine is shared).

    ROUNDS=10 python bench/peers_side_by_side.py bench/run xwlb INDEX TANTIVY_DIR TREE [TREE...]

``xwlb``: the real archive's questions (``XWLB_MIX``), ``xwlb-heldout`` the
held-out ones (``XWLB_HELDOUT``), else the synthetic
``MIX``.  TANTIVY_DIR from ``bench/peers.py build INDEX OUT`` (OUT/tantivy);
a TREE is a checkout (``git worktree add`` or ``git archive | tar -x``).
``PER_QUERY=1`` adds each question's first run (``first_ms``).
Prints JSON; ``bench/results/2026-12-07-speed-*.json`` were made so.
"""
import sys, os, json, subprocess
PY = sys.executable
from importlib.machinery import SourceFileLoader
mixsrc = sys.argv[1]  # a bench/run file to take the mix from
which = sys.argv[2]   # "xwlb" or "mix"
index, tantivy = sys.argv[3], sys.argv[4]
trees = sys.argv[5:]
run = SourceFileLoader("benchrun", mixsrc).load_module()
MIX = run.XWLB_MIX if which == "xwlb" else run.XWLB_HELDOUT if which == "xwlb-heldout" else run.MIX
rounds = int(os.environ.get("ROUNDS", "10"))

class W:
    def __init__(self, name, tree, system, path):
        env = dict(os.environ, PYTHONPATH=tree)
        self.name = name
        self.p = subprocess.Popen(["nice", "-n", "5", PY, tree + "/bench/peers.py", "serve", system, path], cwd=tree, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self.open_ms = json.loads(self.p.stdout.readline())["open_ms"]
    def run(self, item):
        self.p.stdin.write(json.dumps({"item": item}, ensure_ascii=False) + "\n"); self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())
    def cpu(self):
        f = open(f"/proc/{self.p.pid}/stat").read().split(")")[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    def stop(self):
        self.p.stdin.write(json.dumps({"quit": True}) + "\n"); self.p.stdin.close(); self.p.wait(30)

def pct(s, p):
    s = sorted(s); return round(s[min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))], 2)

ws = [W(f"zhsearch@{t.rstrip('/').split('/')[-1]}", t, "zhsearch", index) for t in trees] + [W("tantivy", trees[-1], "tantivy", tantivy)]
load0 = os.getloadavg()
first = {w.name: [] for w in ws}; warm = {w.name: [] for w in ws}; totals = {w.name: [] for w in ws}
for i, m in enumerate(MIX):
    for w in ws[i % len(ws):] + ws[:i % len(ws)]:
        r = w.run(m); first[w.name].append(r["ms"]); totals[w.name].append(r["total"])
for m in MIX * 2:
    for w in ws: w.run(m)
cpu0 = {w.name: w.cpu() for w in ws}
k = 0
for _ in range(rounds):
    for m in MIX:
        for w in ws[k % len(ws):] + ws[:k % len(ws)]:
            warm[w.name].append(w.run(m)["ms"])
        k += 1
cpu1 = {w.name: w.cpu() for w in ws}
out = {"load": [load0, os.getloadavg()], "systems": {}}
for w in ws:
    out["systems"][w.name] = {"open_ms": w.open_ms, "warm_p50": pct(warm[w.name], 50), "warm_p95": pct(warm[w.name], 95),
        "first_p50": pct(first[w.name], 50), "first_p95": pct(first[w.name], 95), "first_max": round(max(first[w.name]), 1),
        "cpu_ms_per_warm_query": round((cpu1[w.name] - cpu0[w.name]) * 1000 / len(warm[w.name]), 2)}
    if os.environ.get("PER_QUERY"):  # each question's first run, in the mix's order
        out["systems"][w.name]["first_ms"] = [round(x, 2) for x in first[w.name]]
    w.stop()
print(json.dumps(out, indent=1))
