"""Benchmark: SPID's pooled conditional dyadic model with policy fixed effects.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_fixed_effects.py [--subset 60]

The model is ``adopt ~ neighbors_adopted_l1 + source_time_since_adoption + contiguous``
with policy fixed effects, clustered by the unit at risk, on the pooled conditional
directed-dyad risk set of all 728 SPID policies (11.0 million rows; k = 731 terms).
Each run is its own subprocess, so peak memory is that run's high-water mark
(``ru_maxrss``, imports included):

1. the full risk set built and fitted with the fixed effect absorbed (the default);
2. the first ``--subset`` policies fitted both ways, absorbed and as dummy columns
   (``absorb=False``; on all policies one dummy pass takes minutes), with the
   largest difference in estimates and standard errors between the two.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r'''
import json, resource, sys, time
n_subset, absorb = int(sys.argv[1]), sys.argv[2] == "1"
import numpy as np
from policydiffusion import terms as T
from policydiffusion.datasets import spid_study
from policydiffusion.estimate import fit_hazard
from policydiffusion.riskset import dyadic_riskset
study = spid_study()
policies = study.policy_ids if n_subset == 0 else study.policy_ids[:n_subset]
t0 = time.perf_counter()
rs = dyadic_riskset(study, policies=policies, conditional=True, terms=[
    T.neighbors_adopted(), T.source_time_since_adoption(), T.contiguous()])
data = rs.data
t1 = time.perf_counter()
res = fit_hazard(data, "adopt ~ neighbors_adopted_l1 + source_time_since_adoption + contiguous",
                 fixed_effects="policy", vcov={"cluster": "unit"}, absorb=absorb)
t2 = time.perf_counter()
print(json.dumps({"policies": len(policies), "rows": data.height, "k": res.k,
                  "build_s": t1 - t0, "fit_s": t2 - t1, "n_iter": res.n_iter,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "params": res.params.tolist(), "se": res.std_errors.tolist()}))
'''


def run(subset: int, absorb: bool) -> dict:
    res = subprocess.run([sys.executable, "-c", CHILD, str(subset), "1" if absorb else "0"],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--subset", type=int, default=60, help="policies for the dummy comparison")
    args = ap.parse_args()
    full = run(0, True)
    print(f"SPID pooled conditional dyadic model, policy fixed effects absorbed, all "
          f"{full['policies']} policies ({full['rows']:,} rows, k = {full['k']}):")
    print(f"  build {full['build_s']:.1f} s + fit {full['fit_s']:.1f} s ({full['n_iter']} "
          f"iterations) = {full['build_s'] + full['fit_s']:.1f} s; peak RSS "
          f"{full['peak_rss_mb']:.0f} MB")
    a, d = run(args.subset, True), run(args.subset, False)
    dp = max(abs(x - y) for x, y in zip(a["params"], d["params"]))
    ds = max(abs(x - y) / y for x, y in zip(a["se"], d["se"]))
    print(f"First {a['policies']} policies ({a['rows']:,} rows, k = {a['k']}):")
    print(f"  absorbed fit {a['fit_s']:.2f} s / {a['peak_rss_mb']:.0f} MB;  dummy columns "
          f"{d['fit_s']:.2f} s / {d['peak_rss_mb']:.0f} MB")
    print(f"  dummies / absorbed: fit time x{d['fit_s'] / a['fit_s']:.1f}, peak memory "
          f"x{d['peak_rss_mb'] / a['peak_rss_mb']:.1f}")
    print(f"  largest difference: estimates {dp:.1e}, relative standard errors {ds:.1e}")


if __name__ == "__main__":
    main()
