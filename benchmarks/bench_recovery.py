"""Parameter recovery at benchmark size (run once; numbers are quoted in the docs).

    PYTHONPATH=src python3 benchmarks/bench_recovery.py [--reps 500]

Designs: (1) monadic logit hazard with a covariate, national share and neighbour
share on a 60-unit x 12-period synthetic study; (2) directed-dyad emulation process
(30 units x 8 periods, visits, a moderator and a same-group tie), fit on ``emulated``;
(3) the SIMULATED china_mobile_gov design (31 provinces x 9 years) with fresh seeds,
fit on ``emulated`` -- coverage, bias and power per parameter; (4) the same with the
observable ``adopt_after_source`` outcome, to show how far it is from the truth.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from policydiffusion import terms as T
from policydiffusion.simulate import recovery, simulate_dyadic, simulate_hazard, synthetic_study
from policydiffusion.simulate import china_mobile_gov as gen


def dyadic_inputs(seed: int, units: int = 30, periods: int = 8) -> dict:
    rng = np.random.default_rng(seed)
    grp = rng.integers(0, 4, units)
    same = (grp[:, None] == grp[None, :]).astype(float)
    np.fill_diagonal(same, 0)
    return {"dyad_covariates": {"visits": rng.poisson(0.4, (periods, units, units)).astype(float),
                                "same": np.broadcast_to(same, (periods, units, units))},
            "receiver_covariates": {"x": rng.standard_normal((periods, units))}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=500)
    reps = ap.parse_args().reps
    pd.set_option("display.width", 160)
    fmt = {"float_format": lambda v: f"{v:.3f}"}

    study = synthetic_study(60, 12, seed=11)
    coefs = {"Intercept": -3.0, "x": 0.6, "national_share_l1": 2.0, "neighbors_adopted_l1": 0.8}
    t0 = time.perf_counter()
    r = recovery(lambda s: simulate_hazard(study, coefs=coefs, terms=[T.national_share(),
                                                                      T.neighbors_adopted()], seed=s),
                 reps=reps, seed=1)
    print(f"\n(1) monadic logit, 60 units x 12 periods, {reps} reps, {r.n_failed} failed, "
          f"{time.perf_counter() - t0:.1f} s")
    print(r.table.to_string(index=False, **fmt))

    units = [f"u{k:02d}" for k in range(30)]
    dco = {"Intercept": -3.2, "visits": 0.6, "x": 0.5, "visits:x": 0.4, "same": 0.8}
    t0 = time.perf_counter()
    r = recovery(lambda s: simulate_dyadic(units, range(2001, 2009), coefs=dco,
                                           innovation={"Intercept": -3.0}, seed=s,
                                           **dyadic_inputs(s % 100_003)), reps=reps, seed=2)
    print(f"\n(2) directed-dyad emulation, 30 units x 8 periods, {reps} reps, {r.n_failed} failed, "
          f"{time.perf_counter() - t0:.1f} s")
    print(r.table.to_string(index=False, **fmt))

    class China:
        def __init__(self, seed: int) -> None:
            self.d = gen.generate_china_mobile_gov(seed)["dyads"]
            self.truth = {"coefs": gen.FIRING_COEFS, "link": "logit"}
            self.dyads = self.d

        def formula(self, outcome: str = "emulated") -> str:
            from policydiffusion.simulate._common import formula_of

            return formula_of(gen.FIRING_COEFS, outcome)

    for outcome in ("emulated", "adopt_after_source"):
        t0 = time.perf_counter()
        r = recovery(China, reps=reps, seed=3, outcome=outcome)
        print(f"\n(3) china_mobile_gov design, outcome {outcome}, {reps} reps, {r.n_failed} failed, "
              f"{time.perf_counter() - t0:.1f} s")
        print(r.table.to_string(index=False, **fmt))


if __name__ == "__main__":
    main()
