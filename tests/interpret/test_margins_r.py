"""Average marginal effects, effects across a moderator and predicted hazards against R
(glm + sandwich::vcovCL, analytic delta-method gradients): golden/margins_golden.R."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from policydiffusion.estimate import fit_hazard
from policydiffusion.interpret import (average_marginal_effects, marginal_effect_across,
                                       predicted_hazard)

HERE = Path(__file__).resolve().parent
R = json.loads((HERE / "golden" / "margins_golden.json").read_text())


@pytest.fixture(scope="module")
def res():
    panel = pd.read_csv(HERE.parent / "estimate" / "golden" / "glm_panel.csv").dropna()
    return fit_hazard(panel.reset_index(drop=True), "adopt ~ x1 * x3 + d + region",
                      link="probit", vcov={"cluster": "state"})


def _same(ours: pd.Series, r: dict) -> None:
    assert ours["estimate"] == pytest.approx(r["estimate"], rel=1e-6, abs=1e-9)
    assert ours["std_error"] == pytest.approx(r["std_error"], rel=1e-6)


def test_average_marginal_effects_equal_r(res):
    assert res.nobs == R["nobs"]
    ame = average_marginal_effects(res, variables=["x1", "d"]).set_index("term")
    _same(ame.loc["x1"], R["ame"]["x1"])
    _same(ame.loc["d"], R["ame"]["d"])


@pytest.mark.parametrize("scale", ["link", "response"])
def test_effect_across_the_moderator_equals_r(res, scale):
    me = marginal_effect_across(res, variable="x1", moderator="x3", values=R["values"],
                                scale=scale)
    for (_, row), r in zip(me.iterrows(), R[f"across_{scale}"]):
        _same(row, r)


def test_predicted_hazard_equals_r(res):
    ph = predicted_hazard(res, at={"d": [0, 1]})
    for (_, row), r in zip(ph.iterrows(), R["predicted_d"]):
        _same(row, r)
