"""Predicting rows with a categorical level the fit did not see: missing, explicitly."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from policydiffusion.estimate import fit_hazard


def test_an_unseen_level_predicts_missing_without_a_pandas_warning():
    # before: pandas' "will raise in a future version" deprecation warning reached the terminal
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(["a", "b"], 300)})
    df["y"] = (rng.random(300) < 1 / (1 + np.exp(1 - df.x))).astype(int)
    res = fit_hazard(df, "y ~ x + C(c)")
    new = pd.DataFrame({"x": [0.5, 0.5, 0.5, np.nan], "c": ["a", "new", None, "b"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = res.predict(new)
    assert np.isfinite(p[0]) and np.isnan(p[1:]).all()
    # the seen level keeps its prediction: the same as from the training rows
    same = res.predict(df.iloc[:1].assign(x=0.5, c="a"))
    assert p[0] == same[0]
