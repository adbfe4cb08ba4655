"""Callaway & Sant'Anna inference with a cohort of one adopter: size of 5% tests under a
true null, before (the analytic SE as R ``did`` prints it) and after (no SE where one
adopting unit carries the effect). Results: bench_cs_singleton_results.txt.

    PYTHONPATH=src python3 benchmarks/bench_cs_singleton.py [--reps 200]

Design A: 41 units x 8 periods, one unit adopting in period 4, ten in period 6, 30 never;
y = unit effect + 0.2 t + N(0, 1), no treatment effect, seeds 0..reps-1.
Design B: six cohorts of one (periods 3..8) and 30 never-adopters: do aggregates that
pool singleton cohorts keep a valid SE (the estimated weights' influence carries the
adopters' variance)?
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from policydiffusion.effects import callaway_santanna


def panel(seed: int, cohorts: dict[int, int], never: int = 30, periods: int = 8):
    rng = np.random.default_rng(seed)
    g = np.concatenate([np.full(k, c) for c, k in cohorts.items()] + [np.zeros(never)])
    n = len(g)
    p = pd.DataFrame({"unit": np.repeat(np.arange(n), periods),
                      "t": np.tile(np.arange(1, periods + 1), n)})
    p["y"] = np.repeat(rng.normal(size=n), periods) + 0.2 * p["t"] + rng.normal(size=len(p))
    a = pd.DataFrame({"policy": "x", "unit": np.flatnonzero(g > 0), "t": g[g > 0]})
    return p, a


def raw_dynamic(r, e: int) -> tuple[float, float]:
    """The event-time aggregate and its SE as computed before any marking."""
    t = r.att_gt
    keep = (t["event_time"] == e).to_numpy()
    pg = np.array([r.group_share[x] for x in t.loc[keep, "cohort"]])
    att = t["att"].to_numpy()
    inf = r.influence[:, keep] @ (pg / pg.sum()) + r._wif(keep) @ att[keep]
    return float(att[keep] @ (pg / pg.sum())), r._se(inf)


def raw_cell(r, g: float, period: float) -> tuple[float, float]:
    t = r.att_gt
    j = int(np.flatnonzero((t["cohort"] == g) & (t["period"] == period))[0])
    return float(t["att"].iat[j]), r._se(r.influence[:, j])


def raw_group(r, g: float) -> tuple[float, float]:
    t = r.att_gt
    keep = ((t["cohort"] == g) & (t["event_time"] >= 0)).to_numpy()
    w = np.full(keep.sum(), 1 / keep.sum())
    return float(t["att"].to_numpy()[keep] @ w), r._se(r.influence[:, keep] @ w)


def raw_pretrend(r) -> float:
    pre = (r.att_gt["event_time"] < 0).to_numpy()
    b, inf = r.att_gt["att"].to_numpy()[pre], r.influence[:, pre]
    v = inf.T @ inf / r.n_units ** 2
    return float(stats.chi2.sf(b @ np.linalg.pinv(v) @ b, np.linalg.matrix_rank(v)))


def reject(est: float, se: float) -> bool:
    return bool(2 * stats.norm.sf(abs(est / se)) < 0.05)


def run(design: str, cohorts: dict[int, int], reps: int) -> list[tuple]:
    rows: dict[str, list] = {}

    def add(name, before, after_p):
        rows.setdefault(name, []).append((before, after_p))

    for seed in range(reps):
        p, a = panel(seed, cohorts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = callaway_santanna(p, a, outcome="y", unit="unit", time="t")
        cells = r.tidy().set_index(["cohort", "period"])
        dyn = r.aggregate("dynamic").set_index("event_time")
        grp = r.aggregate("group").set_index("cohort")
        for c in cohorts:
            add(f"ATT({c},{c}) cell, cohort of {cohorts[c]}",
                reject(*raw_cell(r, float(c), float(c))), cells.at[(c, c), "p_value"])
            add(f"group aggregate, cohort {c} of {cohorts[c]}",
                reject(*raw_group(r, float(c))), grp.at[c, "p_value"])
        for e in (0, 1, 2, 3):
            n_adopters = sum(k for c, k in cohorts.items() if c + e <= 8)
            add(f"dynamic e={e} ({n_adopters} adopter{'s' if n_adopters > 1 else ''})",
                reject(*raw_dynamic(r, e)), dyn.at[e, "p_value"])
        add("pre-trend test", raw_pretrend(r) < 0.05, r.pretrend_test()["p_value"])
    return [size_row(design, name, reps, v) for name, v in rows.items()]


def size_row(design: str, name: str, reps: int, v: list[tuple]) -> tuple:
    """(design, quantity, panels, reject_before, tested_after, reject_after) from
    (rejected before, p-value after or NaN where there is no test) per panel."""
    before = np.mean([b for b, _ in v])
    after = np.array([x for _, x in v], dtype=float)
    tested = np.isfinite(after)
    return (design, name, reps, before, int(tested.sum()),
            float(np.mean(after[tested] < 0.05)) if tested.any() else np.nan)


def report(script: str, designs) -> None:
    """Run ``designs(reps)`` (its rows of :func:`size_row`) and print the table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=200)
    reps = ap.parse_args().reps
    t0 = time.perf_counter()
    tab = pd.DataFrame(designs(reps), columns=["design", "quantity", "panels", "reject_before",
                                               "tested_after", "reject_after"])
    pd.set_option("display.width", 160)
    print(f"# {script} --reps {reps}: rejection rate of true nulls at 5% "
          f"({time.perf_counter() - t0:.1f} s)")
    print(tab.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


def main() -> None:
    report("bench_cs_singleton.py", lambda reps: run("A", {4: 1, 6: 10}, reps)
           + run("B", {c: 1 for c in range(3, 9)}, reps))


if __name__ == "__main__":
    main()
