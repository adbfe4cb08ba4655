"""Benchmark: SPID's pooled conditional dyadic model with policy fixed effects.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_fixed_effects.py [--subset 30]

The model is ``adopt ~ neighbors_adopted_l1 + source_time_since_adoption + contiguous``
with policy fixed effects, clustered by the unit at risk, on the pooled conditional
directed-dyad risk set of all 728 SPID policies (11.0 million rows). Policies whose
outcome never varies in that risk set (no adoption after the first) have no finite
fixed effect, so they are dropped first and counted, as fixest's feglm does.
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
import polars as pl
from policydiffusion import terms as T
from policydiffusion.datasets import spid_study
from policydiffusion.estimate import fit_hazard
from policydiffusion.riskset import dyadic_riskset
study = spid_study()
policies = study.policy_ids if n_subset == 0 else study.policy_ids[:n_subset]
t0 = time.perf_counter()
rs = dyadic_riskset(study, policies=policies, conditional=True, lazy=True, terms=[
    T.neighbors_adopted(), T.source_time_since_adoption(), T.contiguous()])
cols = ["policy", "unit", "adopt", "neighbors_adopted_l1", "source_time_since_adoption",
        "contiguous"]
# a policy whose outcome never varies has no finite effect (fixest drops such levels too)
events, rows = pl.col("adopt").sum().over("policy"), pl.len().over("policy")
data = rs.plan.select(cols).filter((events > 0) & (events < rows)).collect()
from policydiffusion.estimate import _absorb, _glm
passes = []
for cls in (_glm.Engine, _absorb.AbsorbedEngine):  # count passes over the data
    def counted(self, *a, _run=cls.run_pass, **k):
        passes.append(1)
        return _run(self, *a, **k)
    cls.run_pass = counted
t1 = time.perf_counter()
res = fit_hazard(data, "adopt ~ neighbors_adopted_l1 + source_time_since_adoption + contiguous",
                 fixed_effects="policy", vcov={"cluster": "unit"}, absorb=absorb)
t2 = time.perf_counter()
print(json.dumps({"policies": len(policies), "rows": data.height, "k": res.k,
                  "kept_policies": data["policy"].n_unique(),
                  "converged": bool(res.converged),
                  "build_s": t1 - t0, "fit_s": t2 - t1, "n_iter": res.n_iter,
                  "passes": len(passes),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "params": res.params.tolist(), "se": res.std_errors.tolist()}))
'''


def run(subset: int, absorb: bool) -> dict:
    res = subprocess.run([sys.executable, "-c", CHILD, str(subset), "1" if absorb else "0"],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--subset", type=int, default=30, help="policies for the dummy comparison")
    args = ap.parse_args()
    full = run(0, True)
    print(f"SPID pooled conditional dyadic model, policy fixed effects absorbed, all "
          f"{full['policies']} policies ({full['rows']:,} rows, k = {full['k']}):")
    print(f"  ({full['kept_policies']} policies kept; the others have no row or an outcome "
          "that never varies)")
    print(f"  build {full['build_s']:.1f} s + fit {full['fit_s']:.1f} s ({full['n_iter']} "
          f"iterations, {full['passes']} passes, converged {full['converged']}) = "
          f"{full['build_s'] + full['fit_s']:.1f} s; peak RSS {full['peak_rss_mb']:.0f} MB")
    a, d = run(args.subset, True), run(args.subset, False)
    dp = max(abs(x - y) for x, y in zip(a["params"], d["params"]))
    ds = max(abs(x - y) / y for x, y in zip(a["se"], d["se"]))
    print(f"First {a['policies']} policies ({a['rows']:,} rows, k = {a['k']}):")
    print(f"  absorbed fit {a['fit_s']:.2f} s ({a['passes']} passes) / {a['peak_rss_mb']:.0f} "
          f"MB;  dummy columns {d['fit_s']:.2f} s ({d['passes']} passes) / "
          f"{d['peak_rss_mb']:.0f} MB")
    print(f"  fit time per pass (setup included): absorbed {a['fit_s'] / a['passes']:.3f} s, dummy columns "
          f"{d['fit_s'] / d['passes']:.3f} s")
    print(f"  dummies / absorbed: fit time x{d['fit_s'] / a['fit_s']:.1f}, peak memory "
          f"x{d['peak_rss_mb'] / a['peak_rss_mb']:.1f}")
    print(f"  largest difference: estimates {dp:.1e}, relative standard errors {ds:.1e}")


if __name__ == "__main__":
    main()
