"""A simulation evaluates a duration spline at one set of knots, stated in its provenance."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from policydiffusion import terms as T
from policydiffusion.riskset import monadic_riskset
from policydiffusion.simulate.designs import synthetic_study
from policydiffusion.simulate.hazard import simulate_hazard

START = 3
COEFS = {"Intercept": -2.5, "duration": 0.3, "duration_spline_1": -0.8, "duration_spline_2": 0.4,
         "duration_spline_3": 0.2, "x": 0.5}


@pytest.fixture(scope="module")
def sim():
    return simulate_hazard(synthetic_study(40, 14, seed=3), coefs=COEFS,
                           terms=[T.duration(), T.duration_spline()], start=START,
                           initial=["u000", "u001"], seed=5)


def test_spline_columns_are_the_builders_at_the_recorded_knots(sim) -> None:
    k = sim.provenance["knots"]["duration_spline"]
    # quantile knots of the risk set the simulation starts from: units at risk in 3..14
    assert k == [1.0, 3.0, 6.0, 9.0, 12.0]
    fixed = T.duration_spline(knots=k[1:-1], boundary=(k[0], k[-1]))
    rs = monadic_riskset(sim.study, policy="simulated", terms=[fixed], start=START).data
    j = sim.riskset.join(rs, on=["unit", "period"], how="full", suffix="_b", coalesce=True)
    assert j.height == sim.riskset.height == rs.height
    for c in ("duration_spline_1", "duration_spline_2", "duration_spline_3"):
        a = j.get_column(c).to_numpy()
        assert np.unique(a).size > 3, c  # the column varies
        np.testing.assert_allclose(a, j.get_column(c + "_b").cast(pl.Float64).to_numpy(),
                                   rtol=1e-12, atol=1e-12, err_msg=c)
    assert sim.provenance["terms_by_builder"] == []  # fixed knots: the spline evaluates itself


def test_quantile_knots_of_the_simulated_data_are_elsewhere(sim) -> None:
    # why the docstring says so: a recovery fit with quantile knots uses other knots
    rs = monadic_riskset(sim.study, policy="simulated", terms=[T.duration_spline()], start=START)
    assert rs.column_meta["duration_spline_1"]["knots"] != sim.provenance["knots"]["duration_spline"]


def test_given_knots_are_used_as_they_are() -> None:
    study = synthetic_study(30, 10, seed=1)
    sim = simulate_hazard(study, coefs={"Intercept": -2.0, "ds_1": 0.5},
                          terms=[T.duration_spline(knots=[3], boundary=(1, 20), name="ds")],
                          seed=2)
    assert sim.provenance["knots"] == {"ds": [1.0, 3.0, 20.0]}
    d = sim.riskset.get_column("period").to_numpy() - study.start + 1.0
    ref = (np.maximum(d - 1, 0) ** 3 - np.maximum(d - 3, 0) ** 3 * 19 / 17
           + np.maximum(d - 20, 0) ** 3 * 2 / 17) / 19 ** 2  # Harrell's basis, by hand
    np.testing.assert_allclose(sim.riskset.get_column("ds_1").to_numpy(), ref, rtol=1e-12)


def test_a_fit_records_its_knots_and_a_simulation_from_it_uses_them(sim) -> None:
    from policydiffusion.estimate import fit_hazard
    from policydiffusion.simulate import simulate_from_fit

    rs = monadic_riskset(sim.study, policy="simulated", terms=[T.duration_spline(knots=2)])
    fitted = rs.column_meta["duration_spline_1"]["knots"]
    # simulate_hazard on its own would place them at [1, 5, 9, 13] (its start risk set,
    # window 2..14): the fit's knots must win
    assert fitted == [1.0, 3.0, 6.0, 13.0]
    res = fit_hazard(rs, "adopt ~ duration + duration_spline_1 + duration_spline_2")
    assert res.provenance["riskset"]["knots"] == {"duration_spline": fitted}
    for fit in (res, res.to_dict()):  # the result, and its JSON
        out = simulate_from_fit(fit, sim.study, policy="simulated",
                                terms=[T.duration_spline(knots=2)], draws=2, seed=1)
        assert out.provenance["knots"] == {"duration_spline": fitted}
        assert out.provenance["knots_from"] == {"duration_spline": "fit"}
    # a fit on plain rows records none: the observed policy's risk set gives them
    plain = fit_hazard(rs.data, "adopt ~ duration + duration_spline_1 + duration_spline_2")
    out = simulate_from_fit(plain, sim.study, policy="simulated",
                            terms=[T.duration_spline(knots=2)], draws=1, seed=1)
    assert out.provenance["knots_from"] == {"duration_spline": "observed risk set"}
    assert out.provenance["knots"] == {"duration_spline": fitted}
    # or the caller says which knots the rows it was fitted to had (the study file does)
    out = simulate_from_fit(plain, sim.study, policy="simulated", knots={"duration_spline": fitted},
                            terms=[T.duration_spline(knots=2)], draws=1, seed=1,
                            start=START + 4)  # another window: the knots stay the fit's
    assert out.provenance["knots_from"] == {"duration_spline": "knots"}
    assert out.provenance["knots"] == {"duration_spline": fitted}
