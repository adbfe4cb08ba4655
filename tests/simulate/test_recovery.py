"""Recovery and power utilities; monadic DGP recovered by fit_hazard at nominal coverage."""

from __future__ import annotations

import numpy as np
import pytest

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError
from policydiffusion.simulate import (mechanism_design, power_analysis, recovery, simulate_hazard,
                                      synthetic_study)

COEFS = {"Intercept": -3.0, "x": 0.6, "national_share_l1": 2.0, "neighbors_adopted_l1": 0.8}
TERMS = [T.national_share(), T.neighbors_adopted()]


@pytest.fixture(scope="module")
def study():
    return synthetic_study(60, 12, seed=11)


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_monadic_dgp_is_recovered_with_nominal_coverage(study, link) -> None:
    coefs = COEFS if link == "logit" else {k: v / 1.7 for k, v in COEFS.items()}
    res = recovery(lambda s: simulate_hazard(study, coefs=coefs, terms=TERMS, link=link, seed=s),
                   reps=50, seed=99)
    tab = res.table.set_index("term")
    assert res.n_failed == 0 and set(tab.index) == set(coefs)
    # 50 reps of a 95% interval: coverage in [0.84, 1] with probability > 0.99
    assert tab["coverage"].between(0.84, 1.0).all(), tab["coverage"].to_dict()
    assert (tab["bias"].abs() <= 3 * tab["sd_estimate"] / np.sqrt(50) + 0.05).all()
    assert (res.draws.groupby("rep").size() == len(coefs)).all()


def test_recovery_is_reproducible_and_reports_failures(study) -> None:
    f = lambda s: simulate_hazard(study, coefs={"Intercept": -2.0, "x": 0.5}, seed=s)  # noqa: E731
    a, b = recovery(f, reps=3, seed=5), recovery(f, reps=3, seed=5)
    assert a.draws.equals(b.draws)
    assert "Parameter recovery" in a.summary()
    # a model nobody adopts in cannot be fit: counted, not hidden
    none = recovery(lambda s: simulate_hazard(study, coefs={"Intercept": -40.0, "x": 0.5}, seed=s),
                    reps=2, seed=1)
    assert none.n_failed + int(none.table["reps"].max() if len(none.table) else 0) == 2
    with pytest.raises(InvalidOptionError):
        recovery(f, reps=0, seed=1)


def test_power_rises_with_effect_and_size() -> None:
    res = power_analysis(mechanism_design, grid={"effect": [0.0, 1.2], "n_units": [40]},
                         term="x", reps=12, seed=3)
    p = dict(zip(res.table["effect"], res.table["power"]))
    assert p[0.0] <= 0.25 and p[1.2] >= 0.75
    assert "Power for 'x'" in res.summary()
    with pytest.raises(InvalidOptionError, match="not in the fitted model"):
        power_analysis(mechanism_design, grid={"effect": [1.0]}, term="nope", reps=2, seed=1)


def test_separated_fits_are_counted_and_said():
    # 8 units, 3 periods, effect 3: most draws separate. Power is over the fits that
    # gave an estimate; the table and summary now say how many were left out and why.
    from policydiffusion.simulate import mechanism_design, power_analysis, recovery

    def design(seed, **p):
        return mechanism_design(seed=seed, mechanism="covariate", n_units=8, n_periods=3,
                                baseline=-3.0, **p)

    rec = recovery(lambda s: design(s, effect=3.0), reps=6, seed=1)
    assert rec.n_separated >= 3 and rec.n_failed >= rec.n_separated
    assert any("x not estimable ((quasi-)complete separation)" in f for f in rec.failures)
    assert f"({rec.n_separated} separated)" in rec.summary()
    pw = power_analysis(design, grid={"effect": [3.0]}, term="x", reps=6, seed=1)
    row = pw.table.iloc[0]
    assert (row["separated"], row["failed"], row["reps"]) == (rec.n_separated, rec.n_failed,
                                                              6 - rec.n_failed)
    assert "power is conditional on an estimable fit" in pw.summary()
