"""Sun & Abraham inference with a cohort of one adopter: size of 5% tests under a true
null, before (pyfixest's clustered SE as it prints it) and after (no SE where one adopting
unit carries the effect). Results: bench_sa_singleton_results.txt.

    PYTHONPATH=src python3 benchmarks/bench_sa_singleton.py [--reps 200]

Design A (as ``bench_cs_singleton.py``): 41 units x 8 periods, one unit adopting in period
4, ten in period 6, 30 never; y = unit effect + 0.2 t + N(0, 1), no treatment effect,
seeds 0..reps-1. Event times 3 and 4 only the cohort of one reaches, -5 and -4 only the
cohort of ten, 0 to 2 both (11 adopters).
Design B: one cohort of ten (period 6) and 30 never-adopters: the cohort of ten alone,
where nothing may change.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from bench_cs_singleton import panel
from policydiffusion.effects._staggered import _sun_abraham_fit, sun_abraham


def run(design: str, cohorts: dict[int, int], reps: int, periods: int = 8) -> list[tuple]:
    rows: dict[int, list] = {}
    for seed in range(reps):
        p, a = panel(seed, cohorts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            before, _ = _sun_abraham_fit(p, a, outcome="y", unit="unit", time="t",
                                         policy=None, cluster=None)
            after = sun_abraham(p, a, outcome="y", unit="unit", time="t")
        for b, x in zip(before.itertuples(), after.itertuples()):
            rows.setdefault(int(b.event_time), []).append((b.p_value < 0.05, x.p_value))
    out = []
    for e, v in sorted(rows.items()):
        n = sum(k for c, k in cohorts.items() if 1 <= c + e <= periods)
        after = np.array([x for _, x in v], dtype=float)
        tested = np.isfinite(after)
        out.append((design, f"event time {e} ({n} adopter{'s' if n > 1 else ''})", reps,
                    float(np.mean([b for b, _ in v])), int(tested.sum()),
                    float(np.mean(after[tested] < 0.05)) if tested.any() else np.nan))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=200)
    reps = ap.parse_args().reps
    t0 = time.perf_counter()
    res = run("A", {4: 1, 6: 10}, reps) + run("B", {6: 10}, reps)
    tab = pd.DataFrame(res, columns=["design", "quantity", "panels", "reject_before",
                                     "tested_after", "reject_after"])
    pd.set_option("display.width", 160)
    print(f"# bench_sa_singleton.py --reps {reps}: rejection rate of true nulls at 5% "
          f"({time.perf_counter() - t0:.1f} s)")
    print(tab.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()
