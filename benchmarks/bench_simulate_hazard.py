"""Benchmark: simulate_hazard on 50 units x 30 periods, 100 draws (seeds 1..100).

    PYTHONPATH=src python3 benchmarks/bench_simulate_hazard.py [--draws 100]

Three designs: (1) terms that evaluate themselves (``Term.simulate_values``: national
share, neighbours, a covariate); (2) the same plus a duration polynomial and named
leaders' adoptions (computed by the risk-set builder each period until they had
``simulate_values``); (3) the same plus period dummies, which the risk-set builder
computes each period. For each: the time
(wall and this process's CPU time: the machine is shared, CPU time is the steadier),
how many times :func:`~policydiffusion.study.load_study` ran, and a checksum of the
simulated risk sets and adoptions (equal checksums: the same draws).
"""

from __future__ import annotations

import argparse
import hashlib
import time

import policydiffusion.study as study_module
from policydiffusion import terms as T
from policydiffusion.simulate import simulate_hazard, synthetic_study


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=100)
    draws = ap.parse_args().draws
    calls = {"n": 0}
    real = study_module.load_study

    def counted(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    study_module.load_study = counted
    study = synthetic_study(50, 30, seed=11)
    fast = [T.national_share(), T.neighbors_adopted()]
    leaders = T.leaders_adopted(["u000", "u001", "u002"])
    designs = {
        "(1) simulate_values terms": (fast, {"Intercept": -4.5, "x": 0.5, "national_share_l1": 2.0,
                                             "neighbors_adopted_l1": 0.8}),
        "(2) + duration polynomial, leaders": (fast + [T.duration_poly(), leaders],
                                {"Intercept": -4.5, "x": 0.5, "national_share_l1": 2.0,
                                 "neighbors_adopted_l1": 0.8, "duration_poly_1": 0.3,
                                 leaders.name: 0.5}),
        "(3) + period dummies (builder)": (fast + [T.duration_poly(), leaders, T.period_dummies()],
                                           {"Intercept": -4.5, "x": 0.5, "national_share_l1": 2.0,
                                            "neighbors_adopted_l1": 0.8, "duration_poly_1": 0.3,
                                            leaders.name: 0.5, "period_10": 0.5}),
    }
    for label, (terms, coefs) in designs.items():
        calls["n"] = 0
        digest = hashlib.sha256()
        adopters = 0
        t0, c0 = time.perf_counter(), time.process_time()
        for seed in range(1, draws + 1):
            sim = simulate_hazard(study, coefs=coefs, terms=terms, seed=seed)
            digest.update(sim.riskset.write_csv().encode())
            digest.update(sim.study.adoptions.write_csv().encode())
            adopters += sim.adoptions.height
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"{label}: 50 units x 30 periods, {draws} draws, {secs:.1f} s ({cpu:.1f} s CPU), "
              f"load_study calls {calls['n']}, mean adopters {adopters / draws:.2f}, "
              f"checksum {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
