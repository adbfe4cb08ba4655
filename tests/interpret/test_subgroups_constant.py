"""Subgroup fits leave out terms that are constant within a subgroup, and say so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning
from policydiffusion.estimate import fit_hazard
from policydiffusion.interpret import fit_subgroups


@pytest.fixture()
def data():
    rng = np.random.default_rng(0)
    n = 3000
    df = pd.DataFrame({"x": rng.normal(size=n), "g": rng.integers(0, 2, n)})
    df["z"] = np.where(df["g"] == 1, 0.0, rng.normal(size=n))  # constant in subgroup 1
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(1 - 0.5 * df.x - 0.3 * df.z))).astype(int)
    return df


def test_constant_moderator_is_left_out_of_that_subgroup_only(data):
    with pytest.warns(PolicyDiffusionWarning, match="left out z, x:z"):
        sg = fit_subgroups(data, "y ~ x * z", by="g", key="x")
    assert sg.dropped == {1: ("z", "x:z")}
    assert list(sg.results[0].params.index) == ["Intercept", "x", "z", "x:z"]
    ref = fit_hazard(data[data.g == 1], "y ~ x")
    assert sg.results[1].params["x"] == pytest.approx(ref.params["x"], rel=1e-12)
    assert "left out (constant there)" in str(sg)


def test_key_constant_in_a_subgroup_is_an_error(data):
    with pytest.raises(InvalidOptionError, match="'z' does not vary in subgroup 1"):
        fit_subgroups(data, "y ~ z + x", by="g", key="z")
