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

import warnings

from bench_cs_singleton import panel, report, size_row
from policydiffusion.effects._staggered import _sun_abraham_fit, sun_abraham


def run(design: str, cohorts: dict[int, int], reps: int, periods: int = 8) -> list[tuple]:
    rows: dict[int, list] = {}

    def n(e: int) -> int:
        return sum(k for c, k in cohorts.items() if 1 <= c + e <= periods)

    for seed in range(reps):
        p, a = panel(seed, cohorts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            before = _sun_abraham_fit(p, a, outcome="y", unit="unit", time="t",
                                      policy=None, cluster=None)[0]
            after = sun_abraham(p, a, outcome="y", unit="unit", time="t")
        for b, x in zip(before.itertuples(), after.itertuples()):
            rows.setdefault(int(b.event_time), []).append((b.p_value < 0.05, x.p_value))
    return [size_row(design, f"event time {e} ({n(e)} adopter{'s' if n(e) > 1 else ''})", reps, v)
            for e, v in sorted(rows.items())]


def main() -> None:
    report("bench_sa_singleton.py",
           lambda reps: run("A", {4: 1, 6: 10}, reps) + run("B", {6: 10}, reps))


if __name__ == "__main__":
    main()
