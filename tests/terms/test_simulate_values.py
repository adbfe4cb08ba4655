"""Terms that evaluate themselves in a simulation give exactly the risk-set builder's columns.

``Term.simulate_values`` (numpy, used by simulate_hazard period by period) and
``Term.apply`` (polars, used by monadic_riskset) are two implementations of one
definition; this test catches any drift between them, for every term that has both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from policydiffusion import terms as T
from policydiffusion.riskset import monadic_riskset
from policydiffusion.simulate import simulate_hazard
from policydiffusion.study import RelationSpec, load_study
from policydiffusion.terms import Term

START, END = 3, 10


def _study():
    """30 units in 4 regions under a three-level tree, two entering late and one leaving
    early; a static contiguity with an isolate, a directed, weighted trade relation that
    changes every period, a covariate panel and a national plus unit-specific event."""
    rng = np.random.default_rng(7)
    ids = [f"u{k:02d}" for k in range(30)]
    units = pd.DataFrame({
        "unit": ids, "region": [f"r{k % 4}" for k in range(30)],
        "parent": [None] + [ids[0]] * 4 + [ids[k % 5] for k in range(5, 30)],  # u00: seed
        "level": ["centre"] + ["province"] * 4 + ["city"] * 25,
        "x": rng.standard_normal(30).round(3),
        "entry": [None] * 27 + [4, 5, None], "exit": [None] * 29 + [7]})
    pairs = {tuple(sorted(rng.choice(29, 2, replace=False))) for _ in range(45)}  # u29: isolate
    contiguity = pd.DataFrame([(ids[a], ids[b]) for a, b in sorted(pairs)],
                              columns=["source", "target"])
    trade = pd.DataFrame([(ids[a], ids[b], float(rng.integers(1, 5)), p)
                          for p in range(1, END + 1) for a, b in rng.integers(0, 30, (25, 2))
                          if a != b], columns=["source", "target", "weight", "period"])
    trade = trade.drop_duplicates(["source", "target", "period"])
    cov = pd.DataFrame({"unit": np.repeat(ids, END), "time": np.tile(np.arange(1, END + 1), 30),
                        "z": rng.standard_normal(30 * END).round(3)})
    # national from period 6 on; a unit's own row takes precedence (u12 in period 7)
    events = pd.DataFrame({"event": ["mandate"] * 4, "start": [6, 3, 4, 7],
                           "end": [None, 3, 4, 7], "unit": [None, "u03", "u11", "u12"],
                           "value": [1.0, 2.0, 0.5, 0.5]})
    placeholder = pd.DataFrame({"policy": ["simulated"], "unit": ["u00"], "time": [1]})
    study = load_study(placeholder, units=units, covariates=cov, events=events,
                       relations={"contiguity": RelationSpec(contiguity),
                                  "trade": RelationSpec(trade, weight="weight", period="period",
                                                        directed=True)},
                       granularity="period", start=1, end=END)
    return study


#: One or more terms of every class that has simulate_values (see the coverage test).
TERMS = [
    T.national_share(), T.national_share(lag=2, name="natl2"), T.national_count(),
    T.region_share(), T.region_count(), T.peer_share_within_parent(),
    T.neighbors_adopted(), T.neighbors_adopted(kind="count", lag=2),
    T.neighbors_adopted(kind="any"), T.neighbors_adopted("trade", weighted=True),
    T.neighbors_adopted("trade", kind="count", weighted=True, relation_lag=0, adoption_lag=1),
    T.neighbors_adopted("trade", kind="count"),
    T.exposure(), T.exposure(attribute="x"), T.exposure(attribute="z", lag=2),
    T.exposure("trade", attribute="z"), T.exposure("contiguity"),
    T.covariate("z", lag=1), T.covariate("x", name="x_attr"),
    T.event_in_force("mandate"), T.event_in_force("mandate", lag=0),
    T.central_signal(event="mandate", lag=2), T.duration(), T.parent_adopted(),
    T.ancestor_adopted(), T.ancestor_adopted(level="province"), T.central_signal(),
    T.duration_poly(), T.duration_poly(degree=2, scale=3.0, name="dp"),
    T.duration_spline(knots=[3, 5], boundary=(1, 8), name="ds"),
    T.leaders_adopted(["u03", "u11", "u28"]),
    T.leaders_adopted(["u05", "u06", "u09", "u12", "u13", "u18", "u29"], by_region=True, lag=2),
]
COEFS = {"Intercept": -3.5, "national_share_l1": 2.5, "neighbors_adopted_l1": 1.0,
         "parent_adopted_l1": 1.0, "z_l1": 0.3, "x_attr": 0.3, "mandate_in_force_l1": 0.5}


def _simulable_classes() -> set[type]:
    seen, todo = set(), [Term]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return {c for c in seen if c.simulate_values is not Term.simulate_values}


def test_every_term_that_simulates_itself_is_checked_here() -> None:
    missing = _simulable_classes() - {type(t) for t in TERMS}
    assert not missing, f"add a term of each of {sorted(c.__name__ for c in missing)} to TERMS"


@pytest.mark.parametrize("seed", [1, 2])
def test_simulator_values_equal_the_riskset_builder_row_by_row(seed: int) -> None:
    study = _study()
    sim = simulate_hazard(study, coefs=COEFS, terms=TERMS, start=START, initial=["u00", "u07"],
                          seed=seed)
    assert sim.provenance["terms_by_builder"] == []  # every term evaluated itself
    assert 8 <= sim.adoptions.height <= 25  # feedback exercised, units still at risk at the end
    built = monadic_riskset(sim.study, policy="simulated", terms=TERMS, start=START)
    rs = built.data
    mine = sim.riskset
    assert mine.height == rs.height
    cols = [c for t in TERMS for c in t.columns(None)]  # type: ignore[arg-type]
    assert set(cols) <= set(mine.columns) and set(cols) <= set(rs.columns)
    j = mine.join(rs, on=["unit", "period"], how="full", suffix="_b", coalesce=True)
    assert j.height == mine.height
    for c in cols:
        a = j.get_column(c).cast(pl.Float64).to_numpy()
        b = j.get_column(c + "_b").cast(pl.Float64).fill_null(np.nan).to_numpy()
        assert not np.isnan(a).any(), c
        # polars may sum in another order than numpy: equal to 1e-12
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=c)
    # the columns vary: a comparison of constants would prove little
    for c in ("national_share_l1", "neighbors_adopted_trade_w_l1", "exposure_trade_z_l1",
              "parent_adopted_l1", "neighbors_adopted_trade_count_w_r0a1",
              "mandate_in_force_l0", "province_adopted_l1", "duration_poly_2", "ds_1",
              "leaders_adopted_l1", "leaders_adopted_region_l2"):
        assert mine.get_column(c).n_unique() > 1, c
