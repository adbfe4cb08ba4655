"""Benchmark: `policydiffusion describe` of the SPID policies, without and with figures.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_describe.py [--subset 0] [--jobs 1 2] [--figures]
        [--figure-formats png,svg] [--dpi 300] [--src src] [--permutations 0] [--nonfit]

Each configuration runs the CLI in a fresh subprocess (``--dataset spid --json``, plus
``--out`` with ``--figures``, and ``--figure-formats`` / ``--dpi`` when given) and reports the wall time and the CPU time of the child
(user + system, ``RUSAGE_CHILDREN``; worker processes included). On a machine shared
with other work the wall time depends on the load; the CPU time much less so.
``--src`` points at another checkout's ``src`` to time an older version the same way;
``--compare A.json B.json`` checks two runs' JSON for identical numbers.

``--nonfit`` times, in one fresh process, everything describe does without figures
except the curve fits: start-up (imports, loading SPID, the speed table of all
policies) and then, with the fits of all requested policies computed beforehand (not
timed), the descriptions, their JSON dicts, the fits' tidy rows and the summaries
(``describe_policies`` where the version has it, else ``describe_policy`` policy by
policy), all as CPU seconds of that process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(src: str, subset: int, jobs: int, figures: bool, permutations: int, json_out: Path,
             figure_args: tuple = ()) -> dict:
    ids = []
    if subset:
        env = {**os.environ, "PYTHONPATH": src}
        code = "from policydiffusion.datasets import spid_study; print(chr(10).join(spid_study().policy_ids))"
        ids = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                             check=True).stdout.splitlines()[:subset]  # some ids hold spaces
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "policydiffusion", "describe", "--dataset", "spid", "--json", str(json_out),
               "--permutations", str(permutations)]
        cmd += [a for p in ids for a in ("--policy", p)]
        if jobs != 1:
            cmd += ["--jobs", str(jobs)]
        if figures:
            cmd += ["--out", tmp, *figure_args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, env={**os.environ, "PYTHONPATH": src}, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"policies": subset or "all", "jobs": jobs, "figures": figures, "figure_args": " ".join(figure_args),
            "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "load_avg_after": round(os.getloadavg()[0], 1)}


_NONFIT = r"""
import sys, time
t0 = time.process_time()
from policydiffusion import curves as C
from policydiffusion.datasets import spid_study
t1 = time.process_time()
st = spid_study()
t2 = time.process_time()
speed = C.policy_speed(st)
t3 = time.process_time()
n = int(sys.argv[1])
ids = st.policy_ids[:n] if n else st.policy_ids
fits = C.fit_curves_many(st, ids)
t4 = time.process_time()
if hasattr(C, "describe_policies"):
    ds = C.describe_policies(st, ids, permutations=0, speed_table=speed, curve_fits=fits)
    out = [(d.to_dict(), d.fits.tidy_records() if d.fits is not None else None, d.summary()) for d in ds]
else:
    out = []
    for p in ids:
        d = C.describe_policy(st, p, permutations=0, speed_table=speed, curve_fits=fits)
        out.append((d.to_dict(), d.fits.tidy() if d.fits is not None else None, d.summary()))
t5 = time.process_time()
print(f"{t1 - t0:.2f} {t2 - t1:.2f} {t3 - t2:.2f} {t5 - t4:.2f} {len(ids)}")
"""


def nonfit(src: str, subset: int) -> dict:
    """CPU seconds of describe's parts other than the curve fits (see the module docstring)."""
    res = subprocess.run([sys.executable, "-c", _NONFIT, str(subset)], env={**os.environ, "PYTHONPATH": src},
                         capture_output=True, text=True, check=True)
    imp, load, speed, describe, n = res.stdout.split()
    return {"src": src, "policies": int(n), "import_s": float(imp), "load_spid_s": float(load),
            "policy_speed_s": float(speed), "describe_without_fits_s": float(describe)}


def compare(a: Path, b: Path) -> str:
    """Count the numbers that differ between two describe JSON files (provenance aside)."""
    A, B = json.loads(a.read_text()), json.loads(b.read_text())
    diff, total = [], 0

    def walk(x, y, where):
        nonlocal total
        if isinstance(x, dict) and isinstance(y, dict):
            for k in set(x) | set(y):
                if k != "provenance":
                    walk(x.get(k), y.get(k), f"{where}.{k}")
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (u, v) in enumerate(zip(x, y)):
                walk(u, v, f"{where}[{i}]")
        else:
            total += 1
            if x != y:
                diff.append(where)

    walk(A, B, "")
    return f"{len(A)} policies, {total} values compared, {len(diff)} differ {diff[:5]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subset", type=int, default=0, help="first N policies (0: all 728)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--figures", action="store_true")
    ap.add_argument("--figure-formats", help="passed to describe (with --figures)")
    ap.add_argument("--dpi", type=int, help="passed to describe (with --figures)")
    ap.add_argument("--src", default="src")
    ap.add_argument("--permutations", type=int, default=0)
    ap.add_argument("--json-dir", default=tempfile.gettempdir())
    ap.add_argument("--compare", nargs=2, type=Path)
    ap.add_argument("--nonfit", action="store_true", help="time the parts other than the fits")
    a = ap.parse_args()
    if a.compare:
        print(compare(*a.compare))
        return
    if a.nonfit:
        print(json.dumps(nonfit(a.src, a.subset)), flush=True)
        return
    for jobs in a.jobs:
        out = Path(a.json_dir) / f"describe_{a.subset or 'all'}_j{jobs}{'_fig' if a.figures else ''}.json"
        fig_args = (("--figure-formats", a.figure_formats) if a.figure_formats else ()) + (
            ("--dpi", str(a.dpi)) if a.dpi else ())
        print(json.dumps(run_once(a.src, a.subset, jobs, a.figures, a.permutations, out, fig_args)), flush=True)


if __name__ == "__main__":
    main()
