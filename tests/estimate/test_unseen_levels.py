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



def test_a_design_from_a_sample_with_a_missing_level_warns_nothing():
    # before: pandas' deprecation warning for the level "z" outside the design's levels
    from formulaic.errors import DataMismatchWarning

    from policydiffusion.estimate._design import build_design

    sample = pd.DataFrame({"y": [0, 1, 0, 1], "x": [0.1, 0.2, 0.3, 0.4], "c": ["a", "b", None, "z"]})
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        d = build_design("y ~ x + x:C(c) + C(c)", sample, levels={"c": np.array(["a", "b"], dtype=object)})
        typed = d._typed(sample)
        d.matrix(typed)
    assert not [w for w in seen if issubclass(w.category, (DataMismatchWarning, DeprecationWarning))]
    # formulaic gives such a row the base level's zeros: the design marks it incomplete
    assert d._complete(typed).tolist() == [True, True, False, False]


def test_an_interacted_fixed_effect_design_warns_nothing():
    # before: formulaic's DataMismatchWarning from build_design's sample matrix
    from pathlib import Path

    from formulaic.errors import DataMismatchWarning

    from policydiffusion.estimate._data import as_source
    from policydiffusion.estimate._glm import Engine, SolverOptions

    df = pd.read_csv(Path(__file__).parent / "golden" / "fe_data.csv")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        Engine.setup(as_source(df), "adopt ~ x1 + x2:C(policy) + C(policy)", weights=None,
                     cluster_columns=(), dyadic=False, chunk_rows=10_000, solver=SolverOptions())
    assert not [w for w in seen if issubclass(w.category, DataMismatchWarning)]


def test_cluster_codes_outside_the_levels_are_missing_without_a_pandas_warning():
    # pd.Categorical(values, categories=levels) warned (Pandas4Warning; an error in pandas 4)
    # for a value outside the levels; the supported lookup gives the same codes and dtype
    from policydiffusion.estimate._design import build_design

    df = pd.DataFrame({"y": [0, 1, 0, 1, 0], "x": [0.1, 0.5, -0.2, 0.3, 0.9],
                       "g": ["b", "a", None, "z", "b"]})
    design = build_design("y ~ x", df, levels={})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prep = design.prepare(df, clusters={"g": np.array(["a", "b"], dtype=object)})
    assert prep.codes["g"].tolist() == [1, 0, 1] and prep.codes["g"].dtype == np.int8
    assert (prep.n, prep.n_dropped) == (3, 2)  # the missing and the unknown cluster, counted
