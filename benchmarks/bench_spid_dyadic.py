"""Benchmark: SPID's full directed-dyad risk set over all 728 policies, built and fitted.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_spid_dyadic.py [--src OTHER/src] [--out DIR]

Two steps, each in its own process (``resource.getrusage``: wall and CPU seconds, peak
RSS of that process, imports included):

1. build: ``dyadic_riskset(spid_study(), policies=all, conditional=False, terms=
   [contiguous(), neighbors_adopted()], lazy=True).sink_parquet_dataset(out,
   policies_per_file=16)`` (every state a possible source of every other);
2. fit: ``fit_hazard(out, "adopt ~ source_adopted + contiguous + neighbors_adopted_l1",
   vcov={"dyadic": ["unit", "source"]})`` straight from the Parquet folder (dyadic
   standard errors: the string ``unit`` and ``source`` columns are coded once).

``--src`` runs both steps with another checkout's ``src`` (e.g. the code before a
change, from ``git archive``) for a before/after comparison on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FORMULA = "adopt ~ source_adopted + contiguous + neighbors_adopted_l1"

CHILD = r'''
import json, resource, sys, time
step, out = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if step == "build":
    from policydiffusion import terms as T
    from policydiffusion.datasets import spid_study
    from policydiffusion.riskset import dyadic_riskset
    study = spid_study()
    rs = dyadic_riskset(study, policies=study.policy_ids, conditional=False,
                        terms=[T.contiguous(), T.neighbors_adopted()], lazy=True)
    rs.sink_parquet_dataset(out, policies_per_file=16)
    import polars as pl
    rows = pl.scan_parquet(out + "/*.parquet").select(pl.len()).collect().item()
    extra = {}
else:
    from policydiffusion.estimate import fit_hazard
    res = fit_hazard(out, sys.argv[3], vcov={"dyadic": ["unit", "source"]})
    rows = int(res.nobs)
    extra = {"params": res.params.tolist(), "se": res.std_errors.tolist(),
             "n_iter": int(res.n_iter)}
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"step": step, "rows": rows, "wall_s": time.perf_counter() - t0,
                  "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mb": ru.ru_maxrss / 1024,
                  **extra}))
'''


def run(step: str, src: Path, out: Path, timeout: float) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src.resolve()))
    load = os.getloadavg()[0]
    res = subprocess.run([sys.executable, "-c", CHILD, step, str(out), FORMULA],
                         capture_output=True, text=True, env=env, timeout=timeout)
    if res.returncode != 0:
        raise SystemExit(f"{step} failed: {res.stderr[-600:]}")
    rec = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"  {step:<6} rows {rec['rows']:>12,}  wall {rec['wall_s']:6.1f} s  cpu "
          f"{rec['cpu_s']:6.1f} s  peak RSS {rec['peak_rss_mb']:6.0f} MB  (load {load:.1f})"
          + (f"  {rec['n_iter']} iterations, params {rec['params']}, se {rec['se']}"
             if "params" in rec else ""), flush=True)
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", type=Path, default=Path("src"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/_data/spid_full_dyadic"))
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    print(f"bench_spid_dyadic ({args.src}): {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f} at start", flush=True)
    if args.out.exists():
        shutil.rmtree(args.out)
    b = run("build", args.src, args.out, args.timeout)
    f = run("fit", args.src, args.out, args.timeout)
    print(f"  build + fit: wall {b['wall_s'] + f['wall_s']:.1f} s, cpu "
          f"{b['cpu_s'] + f['cpu_s']:.1f} s")
    if not args.keep:
        shutil.rmtree(args.out)


if __name__ == "__main__":
    main()
